import Foundation

/// The SWIG fix for a call in a `%typemap(in)` body: the view becomes a typemap local
/// (`Py_buffer view = {0}`, which SWIG declares, zeroed, once per argument at the top of each
/// wrapper) and a matching `%typemap(freearg)` releases it. SWIG runs freearg after the wrapped
/// call and on every failure path (its `fail:` label), where a view never acquired is still zero
/// and `PyBuffer_Release` ignores it. The pointer is valid for the whole wrapped call.
struct SwigTypemapRewrite {
    let text: SourceText
    let lexed: LexedFile

    struct Typemap {
        var method: String
        /// The typemap's pattern, as written (`(const char *p, Py_ssize_t n)`).
        var pattern: String
        /// Token indices: the locals group `( ... )` when there is one, the body's `{` and `}`.
        var locals: (open: Int, close: Int)?
        var patternEnd: Int
        var bodyOpen: Int
        var bodyClose: Int
    }

    func spell(_ k: Int) -> String { lexed.spelling(at: k) }

    func matching(_ open: Int, _ o: String, _ c: String) -> Int? {
        var depth = 0
        var k = open
        while k < lexed.tokens.count {
            if spell(k) == o { depth += 1 } else if spell(k) == c { depth -= 1; if depth == 0 { return k } }
            k += 1
        }
        return nil
    }

    /// Every `%typemap(METHOD) PATTERN [LOCALS] { BODY }` of the file.
    func typemaps() -> [Typemap] {
        var out: [Typemap] = []
        var k = 0
        let toks = lexed.tokens
        while k + 3 < toks.count {
            defer { k += 1 }
            guard spell(k) == "%", spell(k + 1) == "typemap", toks[k + 1].start == toks[k].end, spell(k + 2) == "(",
                  let close = matching(k + 2, "(", ")") else { continue }
            let method = spell(k + 3)
            var j = close + 1
            var groups: [(Int, Int)] = []
            var firstToken = j
            while j < toks.count, spell(j) != "{", spell(j) != ";", spell(j) != "%{", toks[j].kind != .literal {
                if spell(j) == "(", let c = matching(j, "(", ")") { groups.append((j, c)); j = c + 1 } else { j += 1 }
            }
            guard j < toks.count, spell(j) == "{", let bodyClose = matching(j, "{", "}") else { continue }
            // The pattern is the first group when it starts the header, else the tokens before the last group.
            var locals: (Int, Int)? = nil
            var patternEnd = j - 1
            if let last = groups.last, last.1 == j - 1, !(groups.count == 1 && groups[0].0 == firstToken) {
                locals = last
                patternEnd = last.0 - 1
            }
            if firstToken > patternEnd { firstToken = patternEnd }
            let pattern = text.text(toks[firstToken].start..<toks[patternEnd].end)
            out.append(Typemap(method: method, pattern: pattern, locals: locals, patternEnd: patternEnd, bodyOpen: j, bodyClose: bodyClose))
            k = bodyClose
        }
        return out
    }

    struct Refusal: Error { var message: String }

    /// The edits for the call whose name is token `nameToken`, inside an `in` typemap; nil when the
    /// call is in no typemap at all (this strategy does not apply).
    func plan(nameToken: Int, function: String, semantics: Rule.Semantics, typemaps: [Typemap]) -> Result<(edits: [Edit], reason: String), Refusal>? {
        guard let tm = typemaps.first(where: { $0.bodyOpen < nameToken && nameToken < $0.bodyClose }) else { return nil }
        guard tm.method == "in" else { return .failure(Refusal(message: "the call is in a `%typemap(\(tm.method))`, not an `in` typemap")) }
        if typemaps.contains(where: { $0.method == "freearg" && $0.pattern == tm.pattern }) {
            return .failure(Refusal(message: "a `%typemap(freearg) \(tm.pattern)` exists already: the release would have to be merged into it"))
        }
        // `if (CALL <test>) <exit>`
        guard spell(nameToken + 1) == "(", let argsClose = matching(nameToken + 1, "(", ")") else { return .failure(Refusal(message: "the call's arguments are not read")) }
        var ifToken = nameToken - 1
        while ifToken > tm.bodyOpen, spell(ifToken) == "(" || spell(ifToken) == "!" { ifToken -= 1 }
        guard spell(ifToken) == "if", spell(ifToken + 1) == "(", let condClose = matching(ifToken + 1, "(", ")") else {
            return .failure(Refusal(message: "the call is not the condition of an `if` in the typemap"))
        }
        let test = (argsClose + 1..<condClose).map(spell).joined(separator: " ")
        guard ["== - 1", "< 0", "!= 0", ""].contains(test), ifToken + 2 == nameToken else {
            return .failure(Refusal(message: "the `if` does not test the call for failure (`== -1`, `< 0`, `!= 0`)"))
        }
        var statementEnd: Int
        if spell(condClose + 1) == "{", let c = matching(condClose + 1, "{", "}") { statementEnd = c } else {
            statementEnd = condClose + 1
            while statementEnd < tm.bodyClose, spell(statementEnd) != ";" { statementEnd += 1 }
        }
        let failure = (condClose + 1...statementEnd).map(spell)
        guard failure.contains(where: { ["SWIG_fail", "return", "goto", "SWIG_exception_fail", "SWIG_exception"].contains($0) }) else {
            return .failure(Refusal(message: "the failure branch does not leave the wrapper"))
        }
        // The three arguments.
        var args: [[Int]] = [[]]
        var depth = 0
        for k in (nameToken + 2)..<argsClose {
            let s = spell(k)
            if s == "(" { depth += 1 } else if s == ")" { depth -= 1 }
            if s == "," && depth == 0 { args.append([]) } else { args[args.count - 1].append(k) }
        }
        guard args.count == 3 else { return .failure(Refusal(message: "the call does not have three arguments")) }
        func target(_ a: [Int]) -> String? {
            // `&x` or `&$1`, under a cast at most.
            var s = a.map(spell)
            while s.first == "(", let c = s.firstIndex(of: ")") { s = Array(s[(c + 1)...]) }
            if s.count == 2, s[0] == "&" { return s[1] }
            if s.count == 3, s[0] == "&", s[1] == "$", Int(s[2]) != nil { return "$" + s[2] }
            if s.count == 2, s[0] == "&", s[1].hasPrefix("$") { return s[1] }
            return nil
        }
        guard let p = target(args[1]), let l = target(args[2]) else { return .failure(Refusal(message: "an out-argument is not `&variable` or `&$n`")) }
        let body = text.text(lexed.tokens[tm.bodyOpen].end..<lexed.tokens[tm.bodyClose].start)
        func declaredType(_ v: String) -> String? {
            if v.hasPrefix("$") { return "\(v)_ltype" }
            let re = try! NSRegularExpression(pattern: #"([A-Za-z_][A-Za-z0-9_ ]*?[ \t*]+)"# + NSRegularExpression.escapedPattern(for: v) + #"\s*[;=,]"#)
            let ns = body as NSString
            guard let m = re.firstMatch(in: body, range: NSRange(location: 0, length: ns.length)) else { return nil }
            return ns.substring(with: m.range(at: 1)).trimmingCharacters(in: .whitespaces)
        }
        guard let pType = declaredType(p), pType.contains("*") || pType.hasSuffix("_ltype") else {
            return .failure(Refusal(message: "the type of `\(p)` is not declared in the typemap"))
        }
        let lType = declaredType(l) ?? "Py_ssize_t"
        let identifiers = Set(lexed.tokens.indices.filter { lexed.tokens[$0].kind == .identifier }.map(spell))
        var view = "view"
        var n = 1
        while identifiers.contains(view) { view = "view_\(n)"; n += 1 }
        let object = text.text(lexed.tokens[args[0].first!].start..<lexed.tokens[args[0].last!].end)
        let get = semantics.raisingOldError("PyObject_GetBuffer(\(object), &\(view), \(semantics.flag))")
        let eol = text.usesCRLF ? "\r\n" : "\n"
        let indent = indentation(of: lexed.tokens[ifToken].start)
        let lengthValue = lType == "Py_ssize_t" ? "\(view).len" : "(\(lType))\(view).len"
        let assignments = eol + indent + "\(p) = (\(pType))\(view).buf;" + eol + indent + "\(l) = \(lengthValue);"
        let local = "Py_buffer \(view) = {0}"
        var edits = [
            Edit(range: lexed.tokens[nameToken].start..<lexed.tokens[argsClose].end, replacement: get),
            .insert(assignments, at: lexed.tokens[statementEnd].end),
            .insert(eol + "%typemap(freearg) \(tm.pattern) {" + eol + "    PyBuffer_Release(&\(view)$argnum);" + eol + "}", at: lexed.tokens[tm.bodyClose].end),
        ]
        if let locals = tm.locals {
            edits.append(.insert(", " + local, at: lexed.tokens[locals.close].start))
        } else {
            edits.append(.insert(" (" + local + ")", at: lexed.tokens[tm.patternEnd].end))
        }
        let reason = "`PyObject_GetBuffer(..., \(semantics.flag))` into the typemap local `\(view)` (zeroed by SWIG), released by a new `%typemap(freearg) \(tm.pattern)` after the wrapped call and on every failure path: the pointer stays valid for the whole call; same results and exceptions"
        return .success((edits, reason))
    }

    func indentation(of offset: Int) -> String { text.indentation(ofLineAt: offset) }
}
