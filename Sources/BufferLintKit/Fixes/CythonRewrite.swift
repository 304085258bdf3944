import Foundation

/// The Cython fix: the plain patterns
///
///     if PyObject_AsReadBuffer(obj, &buf, &length) < 0:
///         raise ...
///     PyObject_AsWriteBuffer(obj, &buf, &length)
///
/// at the top level of a function body become `PyObject_GetBuffer` (cimported from
/// `cpython.buffer`) into a `cdef Py_buffer`, with the rest of the function in a
/// `try`/`finally` that releases it, and the `cdef extern` declaration of the old function is
/// removed once every call of it is rewritten. Unsafe: the cimported `PyObject_GetBuffer` is
/// declared `except -1`, so a failure raises the exporter's exception and the old failure branch
/// (dropped) no longer runs.
struct CythonRewrite {
    let text: SourceText
    let path: String

    struct Line {
        var number: Int
        var start: Int
        /// The end of the line's text, before its line break.
        var end: Int
        var text: String
        var indent: Int { text.prefix { $0 == " " }.count }
        var blank: Bool { text.trimmingCharacters(in: .whitespaces).isEmpty || text.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
    }

    var eol: String { text.usesCRLF ? "\r\n" : "\n" }

    func lines() -> [Line] {
        (1...text.lineStarts.count).map { n in
            let start = text.lineStarts[n - 1]
            var end = n < text.lineStarts.count ? text.lineStarts[n] - 1 : text.count
            if end > start, end <= text.count, end - 1 < text.count, text.bytes[end - 1] == 0x0D { end -= 1 }
            return Line(number: n, start: start, end: max(start, end), text: text.text(start..<max(start, end)))
        }
    }

    static let flags = ["PyObject_AsCharBuffer": "PyBUF_SIMPLE", "PyObject_AsReadBuffer": "PyBUF_SIMPLE", "PyObject_AsWriteBuffer": "PyBUF_WRITABLE"]

    struct Planned {
        var occurrence: Occurrence
        var edits: [Edit]
        var flag: String
        var reason: String
    }

    /// The plan of a `.pyx`/`.pxd` file: unsafe fixes for the plain patterns, reasons for the rest.
    func plan(occurrences: [Occurrence], rules: RuleSet, findings: inout [Finding]) -> FilePlan {
        var plan = FilePlan(path: path, original: text.bytes)
        let all = lines()
        var planned: [Planned] = []
        var usedFunctions = Set<Int>()
        var failed = Set<String>()
        var taken = Set(identifiers())
        for o in occurrences where o.kind == .call {
            guard let r = rules.rule(forFunction: o.function), rules.isEnabled(r.id) else { continue }
            let pos = text.position(of: o.nameRange.lowerBound)
            let s = r.semantics
            let raise = s.flatMap { s -> (String, String)? in
                guard let e = s.failureException, !["exporter", "none", ""].contains(e), let m = s.failureMessage else { return nil }
                return (e, m)
            }
            switch rewrite(o, lines: all, raise: raise, usedFunctions: &usedFunctions, taken: &taken) {
            case .success(let p): planned.append(p)
            case .failure(let why):
                failed.insert(o.function)
                plan.unfixed.append(UnfixedUse(rule: r.id, function: o.function, line: pos.line, column: pos.column, reason: why.message))
            }
        }
        guard !planned.isEmpty else { return plan }
        // Shared edits: the cimport, and the extern declarations no call needs any more.
        let names = ["PyObject_GetBuffer", "PyBuffer_Release"] + Set(planned.map(\.flag)).sorted()
        var shared = [Edit.insert("from cpython.buffer cimport " + names.joined(separator: ", ") + eol, at: cimportOffset(all))]
        let rewritten = Set(planned.map(\.occurrence.function)).subtracting(failed)
        shared += declarationRemovals(occurrences: occurrences, functions: rewritten, lines: all)
        for p in planned {
            guard let r = rules.rule(forFunction: p.occurrence.function) else { continue }
            let pos = text.position(of: p.occurrence.nameRange.lowerBound)
            plan.fixes.append(Fix(rule: r.id, function: p.occurrence.function, offset: p.occurrence.nameRange.lowerBound, line: pos.line, column: pos.column,
                                  strategy: .scoped, safety: .unsafe, reason: p.reason, edits: p.edits + shared, group: "cython",
                                  escape: EscapeSummary(kind: "none", line: pos.line)))
        }
        let chosen = plan.selected(unsafe: true)
        for k in findings.indices {
            if let f = chosen.first(where: { $0.line == findings[k].line && $0.column == findings[k].column && $0.function == findings[k].function }) {
                findings[k].fix = f.summary
            }
        }
        return plan
    }

    func identifiers() -> [String] {
        let s = text.text(0..<text.count)
        return s.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
    }

    struct Refusal: Error { var message: String }

    /// `raise`: the exception the old function raised instead of the exporter's (AsWriteBuffer's TypeError).
    func rewrite(_ o: Occurrence, lines all: [Line], raise: (String, String)?, usedFunctions: inout Set<Int>, taken: inout Set<String>) -> Result<Planned, Refusal> {
        guard let flag = CythonRewrite.flags[o.function] else { return .failure(Refusal(message: "only the checks answer a question: `PyObject_CheckBuffer` is the cimport, an approximation")) }
        let lineNo = text.line(of: o.nameRange.lowerBound)
        let line = all[lineNo - 1]
        let name = NSRegularExpression.escapedPattern(for: o.function)
        let arg = #"\s*([A-Za-z_][A-Za-z0-9_.]*)\s*"#
        let ifPattern = try! NSRegularExpression(pattern: #"^(\s*)if\s+"# + name + #"\s*\("# + arg + #",\s*&"# + arg + #",\s*&"# + arg + #"\)\s*(<\s*0|==\s*-1|!=\s*0)?\s*:\s*(#.*)?$"#)
        let statementPattern = try! NSRegularExpression(pattern: #"^(\s*)"# + name + #"\s*\("# + arg + #",\s*&"# + arg + #",\s*&"# + arg + #"\)\s*(#.*)?$"#)
        let ns = line.text as NSString
        var groups: [String] = []
        var isIf = false
        if let m = ifPattern.firstMatch(in: line.text, range: NSRange(location: 0, length: ns.length)) {
            groups = (1...4).map { ns.substring(with: m.range(at: $0)) }
            isIf = true
        } else if let m = statementPattern.firstMatch(in: line.text, range: NSRange(location: 0, length: ns.length)) {
            groups = (1...4).map { ns.substring(with: m.range(at: $0)) }
        } else {
            return .failure(Refusal(message: "not the plain pattern `if \(o.function)(obj, &pointer, &length) < 0:` or a call statement of its own"))
        }
        let indent = groups[0], object = groups[1], pointer = groups[2], length = groups[3]
        // The enclosing function: the nearest line above with less indentation that opens a def.
        guard let defIndex = (0..<(lineNo - 1)).reversed().first(where: { !all[$0].blank && all[$0].indent < indent.count }),
              all[defIndex].text.range(of: #"^\s*(c?p?def)\s"#, options: .regularExpression) != nil else {
            return .failure(Refusal(message: "the call is not at the top level of a function body (a try/finally must wrap the rest of the body)"))
        }
        guard !usedFunctions.contains(defIndex) else { return .failure(Refusal(message: "another old call in the same function is rewritten already")) }
        // The failure branch of the `if`: the lines indented deeper right after it (dropped).
        var next = lineNo
        if isIf {
            while next < all.count, all[next].blank || all[next].indent > indent.count { next += 1 }
            while next > lineNo, all[next - 1].blank { next -= 1 }
        }
        // The rest of the function body.
        var end = next
        while end < all.count, all[end].blank || all[end].indent >= indent.count { end += 1 }
        while end > next, all[end - 1].blank { end -= 1 }
        guard end > next else { return .failure(Refusal(message: "nothing follows the call in the function")) }
        // The declared types of the pointer and the length, for the casts.
        let body = all[(defIndex + 1)..<end]
        func declaredType(_ v: String) -> String? {
            let p = try! NSRegularExpression(pattern: #"^\s*cdef\s+(.+?)\s*\b"# + NSRegularExpression.escapedPattern(for: v) + #"\s*(=.*)?$"#)
            for l in body {
                let s = l.text as NSString
                if let m = p.firstMatch(in: l.text, range: NSRange(location: 0, length: s.length)) {
                    let t = s.substring(with: m.range(at: 1)).trimmingCharacters(in: .whitespaces)
                    return t.contains(",") ? nil : t
                }
            }
            return nil
        }
        guard let pType = declaredType(pointer), pType.hasSuffix("*") else {
            return .failure(Refusal(message: "the pointer `\(pointer)` is not declared with `cdef TYPE *\(pointer)` in the function"))
        }
        let lType = declaredType(length) ?? "Py_ssize_t"
        var view = "view"
        var n = 1
        while taken.contains(view) { view = "view_\(n)"; n += 1 }
        taken.insert(view)
        usedFunctions.insert(defIndex)
        let step = String(repeating: " ", count: max(4, indent.count - all[defIndex].indent))
        let inner = indent + step
        var replacement = ["\(indent)cdef Py_buffer \(view)"]
        if let (exc, message) = raise {
            let literal = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            replacement += [
                "\(indent)try:",
                "\(inner)PyObject_GetBuffer(\(object), &\(view), \(flag))",
                "\(indent)except Exception:",
                "\(inner)raise \(exc)(\"\(literal)\") from None",
            ]
        } else {
            replacement.append("\(indent)PyObject_GetBuffer(\(object), &\(view), \(flag))")
        }
        replacement += [
            "\(indent)try:",
            "\(inner)\(pointer) = <\(pType)>\(view).buf",
            "\(inner)\(length) = " + (lType == "Py_ssize_t" ? "\(view).len" : "<\(lType)>\(view).len"),
        ]
        for l in all[next..<end] { replacement.append(l.text.isEmpty ? "" : step + l.text) }
        replacement += ["\(indent)finally:", "\(inner)PyBuffer_Release(&\(view))"]
        let edit = Edit(range: line.start..<all[end - 1].end, replacement: replacement.joined(separator: eol))
        var reason = "`PyObject_GetBuffer(\(object), &\(view), \(flag))` cimported from cpython.buffer, the rest of the function in a try/finally that releases the view: the pointer is valid exactly while the function runs"
        if let (exc, _) = raise {
            reason += "; a failure raises the old \(exc) again (`from None`); unsafe: the traceback no longer shows a call of the old function"
            reason += isIf ? " and the old failure branch (dropped) no longer runs" : ""
        } else {
            reason += "; unsafe: the cimported declaration is `except -1`, so a failure raises the exporter's exception"
            reason += isIf ? " and the old failure branch (dropped) no longer runs" : ""
        }
        return .success(Planned(occurrence: o, edits: [edit], flag: flag, reason: reason))
    }

    /// After the leading comments, directives and the docstring-free import block at the top.
    func cimportOffset(_ all: [Line]) -> Int {
        var k = 0
        var after = 0
        while k < all.count {
            let t = all[k].text.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { k += 1; continue }
            if all[k].indent == 0, t.hasPrefix("from ") || t.hasPrefix("import ") || t.hasPrefix("cimport ") {
                after = k + 1
                k += 1
                continue
            }
            break
        }
        if after == 0 {
            // After the leading comments (directives such as `# cython: language_level=3` stay first).
            var j = 0
            while j < all.count, all[j].text.hasPrefix("#") { j += 1 }
            return j < all.count ? all[j].start : text.count
        }
        return after < all.count ? all[after].start : text.count
    }

    /// Deletes the extern declarations of `functions`, and a `cdef extern` block left empty.
    func declarationRemovals(occurrences: [Occurrence], functions: Set<String>, lines all: [Line]) -> [Edit] {
        let decls = Set(occurrences.filter { $0.kind == .declaration && functions.contains($0.function) }.map { text.line(of: $0.nameRange.lowerBound) })
        guard !decls.isEmpty else { return [] }
        var removed = Set<Int>()
        for d in decls {
            let l = all[d - 1]
            // A declaration on one line (a continued one is left alone).
            guard l.text.filter({ $0 == "(" }).count == l.text.filter({ $0 == ")" }).count else { continue }
            removed.insert(d)
        }
        // A block whose every declaration goes is deleted with its header.
        var blocks: [Int: [Int]] = [:]
        for d in removed {
            guard let h = (0..<(d - 1)).reversed().first(where: { !all[$0].blank && all[$0].indent < all[d - 1].indent }),
                  all[h].text.contains("cdef extern") else { continue }
            blocks[h + 1, default: []].append(d)
        }
        var out: [Edit] = []
        var deleted = removed
        for (header, members) in blocks {
            let headerIndent = all[header - 1].indent
            var k = header
            var body: [Int] = []
            while k < all.count, all[k].blank || all[k].indent > headerIndent { if !all[k].blank { body.append(k + 1) }; k += 1 }
            if Set(body).isSubset(of: Set(members)) { deleted.insert(header) }
        }
        for d in deleted.sorted() {
            let l = all[d - 1]
            let end = d < all.count ? all[d].start : text.count
            out.append(Edit(range: l.start..<end, replacement: ""))
        }
        return out
    }
}
