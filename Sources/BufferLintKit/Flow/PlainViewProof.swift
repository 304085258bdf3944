/// A token-level proof that a C file's buffer code is the plain, correct shape,
/// so that the path-sensitive pass (a libclang parse per file) can be skipped.
///
/// A function passes when its only view is a local `Py_buffer V` acquired once,
/// at the top level of the body, as `if (PyObject_GetBuffer(E, &V, FLAGS) < 0)
/// return ...;` (or `== -1`, `!= 0`), released once at the top level after that,
/// with nothing between that can leave the function or hide an exit (return,
/// goto, break, continue, a Py_RETURN macro, an upper-case macro call, a
/// directive), with `V.buf` never assigned anywhere nor written without
/// `PyBUF_WRITABLE`, and `V` not named after the release. A file passes when
/// every function that names the buffer API passes and nothing outside those
/// functions does. Anything else goes to the full analysis: this only ever
/// saves time, it never decides a finding.
enum PlainViewProof {
    static let apiNames: Set<String> = ["PyObject_GetBuffer", "PyBuffer_Release", "Py_buffer", "PyBUF_READ", "PyBUF_WRITE"]

    static let suppressionMarker = Prefilter(names: ["bufferlint"])

    /// The same proof straight from a file's bytes, before any other analysis: function
    /// bodies are found from braces (a body holding a directive is never proved). A file
    /// with bufferlint comments in it is left to the full analysis, which reports stale ones.
    static func provesClean(bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, !bytes.contains(0), !suppressionMarker.matches(bytes) else { return false }
        let lexed = Lexer.lex(SourceText(bytes: bytes))
        var tracker = MainBodyTracker(lexed: lexed, isCPlusPlus: false)
        for i in lexed.tokens.indices where lexed.tokens[i].directive == nil { tracker.feed(i) }
        return provesClean(lexed: lexed, functions: tracker.functions)
    }

    static func provesClean(lexed: LexedFile, functions: [FunctionSpan]) -> Bool {
        let tokens = lexed.tokens
        var covered = 0
        var total = 0
        let bytes = lexed.text.bytes
        // Every API name starts with `Py` and is 9 to 18 bytes long: test that before spelling the token.
        for t in tokens where t.kind == .identifier && t.end - t.start >= 9 && t.end - t.start <= 18 && bytes[t.start] == 0x50
            && bytes[t.start + 1] == 0x79 && apiNames.contains(lexed.spelling(t)) {
            total += 1
            guard functions.contains(where: { $0.bodyRange.contains(t.start) }) else { return false }
        }
        if total == 0 { return true }
        for f in functions {
            guard let body = bodyTokens(f, tokens) else {
                // A directive inside a body that names no buffer API does not matter.
                if !apiMentioned(in: f, lexed) { continue }
                return false
            }
            let names = body.filter { tokens[$0].kind == .identifier && bytes[tokens[$0].start] == 0x50 && apiNames.contains(lexed.spelling(at: $0)) }
            if names.isEmpty { continue }
            guard proveFunction(body, lexed: lexed) else { return false }
            covered += names.count
        }
        return covered == total
    }

    static func apiMentioned(in f: FunctionSpan, _ lexed: LexedFile) -> Bool {
        lexed.tokens.contains { $0.start > f.bodyRange.lowerBound && $0.end < f.bodyRange.upperBound && $0.kind == .identifier
            && apiNames.contains(lexed.spelling($0)) }
    }

    /// Indices of the tokens strictly inside the body braces; nil when a directive sits inside.
    static func bodyTokens(_ f: FunctionSpan, _ tokens: [Token]) -> [Int]? {
        // Tokens are in file order: find the first one inside the body by bisection.
        var lo = 0, hi = tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tokens[mid].start <= f.bodyRange.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        var out: [Int] = []
        var i = lo
        while i < tokens.count, tokens[i].end < f.bodyRange.upperBound {
            if tokens[i].directive != nil { return nil }
            out.append(i)
            i += 1
        }
        return out
    }

    static func proveFunction(_ body: [Int], lexed: LexedFile) -> Bool {
        let s = body.map { lexed.spelling(at: $0) }
        let n = s.count
        // Depth of each token inside the body (1 = top level of the body).
        // One pass: depths, the three API names (each exactly once) and the words that end the proof.
        var depth = [Int](repeating: 0, count: n)
        var d = 1
        var acquireAt: Int? = nil, releaseAt: Int? = nil, declAt: Int? = nil
        var gotos: [Int] = []
        for k in 0..<n {
            let w = s[k]
            if w == "}" { d -= 1 }
            depth[k] = d
            if w == "{" { d += 1 }
            // Only words starting with these letters matter below: skip the string comparisons for the rest.
            guard let f = w.utf8.first, f == UInt8(ascii: "P") || f == UInt8(ascii: "s") || f == UInt8(ascii: "l")
                || f == UInt8(ascii: "t") || f == UInt8(ascii: "g") else { continue }
            switch w {
            case "PyObject_GetBuffer": if acquireAt != nil { return false }; acquireAt = k
            case "PyBuffer_Release": if releaseAt != nil { return false }; releaseAt = k
            case "Py_buffer": if declAt != nil { return false }; declAt = k
            case "setjmp", "longjmp", "throw", "try", "PyBUF_READ", "PyBUF_WRITE": return false
            case "goto": gotos.append(k)
            default: break
            }
        }
        guard let acquire = acquireAt, let release = releaseAt, let decl = declAt, decl < acquire, acquire < release,
              depth[decl] == 1, depth[release] == 1, decl + 2 < n, s[decl + 2] == ";" || s[decl + 2] == "=" else { return false }
        let view = s[decl + 1]
        // `Py_buffer V;` at the top of the body, not static, not an array or pointer.
        if decl > 0 && s[decl - 1] == "static" { return false }
        // if ( PyObject_GetBuffer ( E , & V , FLAGS ) CMP ) return ... ;
        guard acquire >= 2, s[acquire - 2] == "if", s[acquire - 1] == "(", depth[acquire] == 1,
              acquire + 1 < n, s[acquire + 1] == "(", let close = matching(s, acquire + 1) else { return false }
        let args = Array(s[(acquire + 2)..<close])
        guard let comma = args.firstIndex(of: ","), comma + 3 < args.count, args[comma + 1] == "&", args[comma + 2] == view,
              args[comma + 3] == "," else { return false }
        let flags = args[(comma + 4)...]
        let writable = flags.contains("PyBUF_WRITABLE")
        // The comparison, then the `)` closing the `if`.
        var k = close + 1
        let cmp = Array(s[k..<min(n, k + 3)])
        if cmp.starts(with: ["<", "0", ")"]) || cmp.starts(with: ["!=", "0", ")"]) { k += 2 }
        else if cmp.starts(with: ["==", "-", "1"]) && k + 3 < n && s[k + 3] == ")" { k += 3 }
        else { return false }
        guard s[k] == ")", k + 1 < n, s[k + 1] == "return", let semi = s[(k + 1)...].firstIndex(of: ";") else { return false }
        if s[(k + 1)..<semi].contains(view) { return false }
        // The release: `PyBuffer_Release ( & V ) ;`
        guard release + 5 < n, s[release + 1] == "(", s[release + 2] == "&", s[release + 3] == view, s[release + 4] == ")",
              s[release + 5] == ";" else { return false }
        // Nothing between acquisition and release may leave the function or hide an exit.
        for j in (semi + 1)..<release {
            let w = s[j]
            if PlainViewProof.exits.contains(w) || w.hasPrefix("Py_RETURN") { return false }
            if j + 1 < n, s[j + 1] == "(", isShoutingMacro(w) { return false }
            if w == view {
                // Only reads of V.buf and V.len.
                guard j + 2 < n, s[j + 1] == ".", s[j + 2] == "buf" || s[j + 2] == "len" else { return false }
                if s[j + 2] == "buf" && !bufferUseIsRead(s, at: j, writable: writable) { return false }
            }
        }
        for j in 0..<n {
            let w = s[j]
            // Before the acquisition only the declaration names V; after the release nothing does.
            if w == view && j != decl + 1 && j != acquire + 2 + comma + 2 && !(j > semi && j < release) && j != release + 3 {
                return false
            }
            // A label before the release could be reached by a jump that skips the acquisition or the release.
            if w == ":" && j >= 2 && j < release && depth[j] == 1 && (j + 1 >= n || s[j + 1] != ":") && s[j - 1] != "default"
                && (s[j - 2] == ";" || s[j - 2] == "{" || s[j - 2] == "}") {
                return false
            }
        }
        // Any `goto` must come after the release, to a label after the release.
        for j in gotos {
            guard j > release, j + 1 < n, let label = (release..<n).first(where: { s[$0] == s[j + 1] && $0 + 1 < n && s[$0 + 1] == ":" }),
                  label > release else { return false }
        }
        return true
    }

    static let exits: Set<String> = ["return", "goto", "break", "continue", "exit", "abort"]

    static func matching(_ s: [String], _ open: Int) -> Int? {
        var depth = 0
        for k in open..<s.count {
            if s[k] == "(" { depth += 1 }
            if s[k] == ")" { depth -= 1; if depth == 0 { return k } }
        }
        return nil
    }

    static func isShoutingMacro(_ w: String) -> Bool {
        w.count > 1 && w.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" } && w.first?.isLetter == true
    }

    /// `V.buf` at index `j` (the `V` token): not on the left of an assignment, not stored by `=`,
    /// and, without PyBUF_WRITABLE, not the first argument of a call (a copy destination).
    static func bufferUseIsRead(_ s: [String], at j: Int, writable: Bool) -> Bool {
        var start = j
        while start > 0 && ![";", "{", "}"].contains(s[start - 1]) { start -= 1 }
        var end = j
        while end < s.count && s[end] != ";" && s[end] != "{" { end += 1 }
        let assignments: Set<String> = ["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "++", "--"]
        // A plain `=` anywhere in the statement may store the pointer (or write through it).
        if s[start..<end].contains("=") { return false }
        if !writable {
            // Written through: an assignment operator after the use in the same statement.
            if s[(j + 3)..<max(j + 3, end)].contains(where: { assignments.contains($0) }) { return false }
            // The destination of a call: `f(V.buf, ...)` or `f((T *)V.buf, ...)`.
            var k = j - 1
            while k >= start && (s[k] == "(" || s[k] == ")" || s[k] == "*" || s[k] == "char" || s[k] == "void" || s[k] == "unsigned" || s[k] == "const") { k -= 1 }
            if k >= start && (k + 1 < s.count && s[k + 1] == "(") && !["if", "while", "for", "return", "sizeof"].contains(s[k]) && s[k].first?.isLetter == true {
                return false
            }
        }
        return true
    }
}
