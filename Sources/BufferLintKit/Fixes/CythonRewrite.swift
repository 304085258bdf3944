import Foundation

/// The Cython fixes of one `.pyx`/`.pxd`/`.pxi` file.
///
/// - compat (safe), for every call and reference: the name becomes `bufferlint_As*Buffer` /
///   `bufferlint_CheckReadBuffer`, declared in a new `cdef extern from "bufferlint_compat.h":`
///   block with the project's own signature of the old name (its parameter types and `except`
///   clause), and the header is written next to the file.
/// - scoped (unsafe), for `if PyObject_As*Buffer(obj, &p, &n) < 0: ...` or the call as a
///   statement, at the top level of a function body or in the body of an `if`/`else`/`for`/
///   `while`/`with`/`try` block, when `p` is a local that is only read or written through in the
///   rest of that block: `PyObject_GetBuffer` (cimported from `cpython.buffer`) into a
///   `cdef Py_buffer`, the rest of the block in a `try`/`finally` that releases it.
/// - remove-declaration (safe), in a `.pyx`: the `cdef extern` declaration of an old name once no
///   use of it is left in the file and the files it includes.
struct CythonRewrite {
    let text: SourceText
    let path: String
    /// Included files whose uses are all fixed in the same run: their uses keep no declaration.
    var fixedIncludes: Set<String> = []
    let src: CythonSource

    init(text: SourceText, path: String, fixedIncludes: Set<String> = []) {
        self.text = text
        self.path = path
        self.fixedIncludes = fixedIncludes
        src = CythonSource(text: text)
    }

    var eol: String { src.eol }
    var fileExtension: String { (path as NSString).pathExtension.lowercased() }
    var folder: String { (path as NSString).deletingLastPathComponent }

    static let flags = ["PyObject_AsCharBuffer": "PyBUF_SIMPLE", "PyObject_AsReadBuffer": "PyBUF_SIMPLE", "PyObject_AsWriteBuffer": "PyBUF_WRITABLE"]

    /// What the compat header's functions look like to Cython, when the project declares the old one nowhere it can be read.
    static let headerSignatures = [
        "PyObject_AsCharBuffer": "int bufferlint_AsCharBuffer(object obj, const char **buffer, Py_ssize_t *buffer_len) except -1",
        "PyObject_AsReadBuffer": "int bufferlint_AsReadBuffer(object obj, const void **buffer, Py_ssize_t *buffer_len) except -1",
        "PyObject_AsWriteBuffer": "int bufferlint_AsWriteBuffer(object obj, void **buffer, Py_ssize_t *buffer_len) except -1",
        "PyObject_CheckReadBuffer": "int bufferlint_CheckReadBuffer(object obj)",
    ]

    /// Functions that read or write through a pointer argument and keep nothing of it: the C ones, and
    /// Cython's builtins that copy what they are given.
    static let nonRetaining: Set<String> = CFunctions.keepNothing.union(["len", "bytes", "bytearray", "int", "bool"])

    struct Refusal: Error {
        var message: String
        var escape: EscapeSummary? = nil
        /// Where the pointer goes, in words (`is passed to `f`, which might keep it`).
        var detail: String? = nil
    }

    struct Planned {
        var edits: [Edit]
        var flag: String
        var reason: String
        /// Needs `PyMem_Malloc` and `PyMem_Free` (an array of views).
        var memory = false
    }

    // MARK: - The plan

    /// Every fix of the file, the reasons for the uses left alone, and each finding's default fix.
    func plan(occurrences all: [Occurrence], rules: RuleSet, findings: inout [Finding], leftAlone: Set<Int> = []) -> FilePlan {
        var plan = FilePlan(path: path, original: text.bytes)
        func unfixed(_ o: Occurrence, _ r: Rule, _ why: String) { plan.leave(o, r, in: text, because: why) }
        // A function declared under another Cython name (`int alias "PyObject_AsReadBuffer"(...)`) is
        // left to the project: its uses and its declaration go together, by hand.
        for (o, r) in rules.fixableUses(all.filter { $0.alias != nil }, leftAlone: leftAlone) {
            unfixed(o, r, "`\(o.function)` is declared under the Cython name `\(o.alias ?? "?")`: not rewritten; "
                + "replace the uses of `\(o.alias ?? "?")` and then its declaration by hand")
        }
        let occurrences = all.filter { $0.alias == nil }
        let fixable = rules.fixableUses(occurrences, leftAlone: leftAlone)
        let uses = fixable.filter { [.call, .reference].contains($0.0.kind) }
        let useOffsets = occurrences.filter { [.call, .reference, .shadowing].contains($0.kind) }.map(\.nameRange.lowerBound)
        var taken: [Int: Set<String>] = [:]
        var memoryFixes = Set<Int>()
        var scopedFixes: [Fix] = []
        var compatFixes: [Fix] = []
        let block = compatBlock(occurrences: occurrences)
        for (o, r) in uses {
            let pos = text.position(of: o.nameRange.lowerBound)
            var note = ""
            var escape: EscapeSummary? = nil
            var detail: String? = nil
            if o.kind == .call, let flag = CythonRewrite.flags[o.function] {
                let raise = r.semantics.flatMap { s -> (String, String)? in
                    guard let e = s.failureException, !["exporter", "none", ""].contains(e), let m = s.failureMessage else { return nil }
                    return (e, m)
                }
                let outcome = arrayInLoop(o, flag: flag, raise: raise, useOffsets: useOffsets, taken: &taken)
                    ?? scoped(o, flag: flag, raise: raise, useOffsets: useOffsets, taken: &taken)
                switch outcome {
                case .success(let p):
                    if p.memory { memoryFixes.insert(o.nameRange.lowerBound) }
                    note = "the safe alternative to the scoped rewrite that --unsafe-fixes applies: "
                    scopedFixes.append(Fix(rule: r.id, function: o.function, offset: o.nameRange.lowerBound, line: pos.line, column: pos.column,
                                           strategy: .scoped, safety: .unsafe, reason: p.reason, edits: p.edits, group: "cython-scoped",
                                           escape: EscapeSummary(kind: "none", line: pos.line)))
                case .failure(let why):
                    note = "scoped rewrite not possible: \(why.message); "
                    escape = why.escape
                    detail = why.detail
                }
            } else if o.kind == .reference {
                note = "a reference, not a call: "
            }
            guard let name = CompatRewrite.replacementName(for: o.function), let header = CompatRewrite.header else {
                unfixed(o, r, note + "no reference function for `\(o.function)` in bufferlint_compat.h")
                continue
            }
            let noPointer = r.semantics?.pointerType == "none"
            var edits = [Edit(range: o.nameRange, replacement: name)]
            if let b = block, let line = b.lines[o.function] { edits += [b.header, line] }
            let source = block?.sources[o.function] ?? "the signature of bufferlint_compat.h"
            var reason = "\(note)`\(name)` from bufferlint_compat.h, declared in a `cdef extern from \"bufferlint_compat.h\"` block with \(source), behaves exactly as `\(o.function)` did; "
            if noPointer {
                reason += "it gets and releases a view exactly as the old function did"
                escape = EscapeSummary(kind: "none", line: pos.line)
            } else {
                reason += "the pointer is still borrowed (the view is released before it is used): the lifetime hole remains"
                if escape == nil, o.kind == .call, let (e, d) = pointerEscape(o) { escape = e; detail = d }
                if let e = escape, e.kind != "none", let d = detail, !note.contains(d) {
                    reason += "; the pointer \(d) (line \(e.line))"
                }
            }
            if fileExtension == "pxd" {
                reason += "; modules that cimport this .pxd include bufferlint_compat.h, so its folder must be on their include path"
            }
            compatFixes.append(Fix(rule: r.id, function: o.function, offset: o.nameRange.lowerBound, line: pos.line, column: pos.column,
                                   strategy: .compat, safety: .safe, reason: reason, edits: edits, group: nil, supportFiles: [header],
                                   escape: escape ?? EscapeSummary(kind: "unknown", line: pos.line)))
        }
        // The scoped fixes share the cimport.
        if !scopedFixes.isEmpty, let cimport = cimportEdit(flags: Set(scopedFixes.compactMap { CythonRewrite.flags[$0.function] })) {
            for k in scopedFixes.indices { scopedFixes[k].edits.insert(cimport, at: 0) }
        }
        let memoryNames = ["PyMem_Malloc", "PyMem_Free"].filter { !declaresItself($0) }
        if !memoryFixes.isEmpty, !memoryNames.isEmpty {
            let cimport = Edit.insert("from cpython.mem cimport " + memoryNames.joined(separator: ", ") + eol, at: src.topOffset())
            for k in scopedFixes.indices where memoryFixes.contains(scopedFixes[k].offset) { scopedFixes[k].edits.insert(cimport, at: 1) }
        }
        plan.fixes = compatFixes + scopedFixes
        // Declarations, and other kinds of use.
        let fixedOffsets = Set(plan.fixes.map(\.offset))
        var removable: [(Occurrence, Rule)] = []
        for (o, r) in fixable {
            switch o.kind {
            case .call, .reference:
                continue
            case .declaration:
                switch declarationOutcome(o, occurrences: occurrences, fixedOffsets: fixedOffsets, pending: &plan.dependsOnFixesOf) {
                case .success: removable.append((o, r))
                case .failure(let why): unfixed(o, r, why.message)
                }
            default:
                unfixed(o, r, "a \(o.kind.rawValue) is not rewritten")
            }
        }
        plan.fixes += declarationRemovals(removable)
        plan.annotate(&findings)
        return plan
    }

    // MARK: - Compat

    /// The `cdef extern from "bufferlint_compat.h":` line and one declaration line per old name
    /// (all inserted at one place), and where each signature came from. Nil when nothing is needed.
    func compatBlock(occurrences: [Occurrence]) -> (header: Edit, lines: [String: Edit], sources: [String: String])? {
        let names = Set(occurrences.filter { [.call, .reference].contains($0.kind) }.map(\.function))
        guard !names.isEmpty else { return nil }
        let identifiers = Set(src.lexed.tokens.indices.filter { src.isIdentifier($0) }.map(src.spell))
        // After the last extern block that declares an old name (its types are declared there), else at the top.
        let declared = occurrences.filter { $0.kind == .declaration }.compactMap { o -> Int? in
            guard let k = src.tokenIndex(at: o.nameRange.lowerBound), let b = src.externBlock(of: src.lineOfToken[k]) else { return nil }
            return b
        }
        let at = declared.max().map { src.after(src.blockEnd($0) - 1) } ?? src.topOffset()
        var lines: [String: Edit] = [:]
        var sources: [String: String] = [:]
        for n in names.sorted() {
            guard let new = CompatRewrite.replacementName(for: n) else { continue }
            if identifiers.contains(new) { sources[n] = "its existing declaration"; continue }
            let (sig, source) = signature(of: n, newName: new)
            lines[n] = .insert("    " + sig + eol, at: at)
            sources[n] = source
        }
        guard !lines.isEmpty else { return nil }
        return (.insert("cdef extern from \"\(CompatRewrite.headerName)\":" + eol, at: at), lines, sources)
    }

    /// The project's declaration of `name` as the declaration of `newName`: from this file, else
    /// the files this one is included into (a `.pxi`), its own `.pxd`, or the `.pxd` it cimports
    /// the name from; else the header's signature.
    func signature(of name: String, newName: String) -> (String, String) {
        func from(_ source: CythonSource, _ shown: String) -> (String, String)? {
            let scan = CythonScanner(names: [name]).scan(source.text)
            for o in scan.occurrences where o.kind == .declaration {
                guard let k = source.tokenIndex(at: o.nameRange.lowerBound), !["from", "cimport"].contains(source.firstWord(source.lineOfToken[k])),
                      let sig = source.signature(declarationAt: k, newName: newName) else { continue }
                return (sig, "the signature of its declaration at \(shown):\(text(for: source, o.nameRange.lowerBound))")
            }
            return nil
        }
        if let s = from(src, (path as NSString).lastPathComponent) { return s }
        var others: [String] = []
        if fileExtension == "pxi" { others += includers() }
        if fileExtension == "pyx" { others.append((path as NSString).deletingPathExtension + ".pxd") }
        for m in src.cimportSources(of: name) { others += pxdCandidates(module: m) }
        for o in others {
            guard let bytes = RegularFile.contents(o) else { continue }
            if let s = from(CythonSource(text: SourceText(bytes: [UInt8](bytes))), relative(o)) { return s }
        }
        return (CythonRewrite.headerSignatures[name] ?? "int \(newName)(object obj)", "the signature of bufferlint_compat.h")
    }

    func text(for source: CythonSource, _ offset: Int) -> String { String(source.text.line(of: offset)) }

    /// A path as seen from this file's folder.
    func relative(_ p: String) -> String {
        let f = (folder as NSString).standardizingPath + "/"
        return p.hasPrefix(f) ? String(p.dropFirst(f.count)) : p
    }

    /// The `.pyx`/`.pxi` files in this file's folder and the one above that `include` it.
    func includers() -> [String] {
        let me = (path as NSString).standardizingPath
        var out: [String] = []
        let here = (folder.isEmpty ? "." : folder)
        for dir in [here, (here as NSString).appendingPathComponent("..")] {
            let d = (dir as NSString).standardizingPath
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: d) else { continue }
            for n in names.sorted() where ["pyx", "pxi"].contains((n as NSString).pathExtension.lowercased()) {
                let p = (d as NSString).appendingPathComponent(n)
                guard p != me, let bytes = RegularFile.contents(p), bytes.range(of: Data("include".utf8)) != nil else { continue }
                let s = CythonSource(text: SourceText(bytes: [UInt8](bytes)))
                if s.includes(folder: d).contains(me) { out.append(p) }
            }
        }
        return out
    }

    /// Where `cimport`ing module `m` (`a.b`, `.b`) can find its `.pxd`: relative to this file's folder and those above it.
    func pxdCandidates(module m: String) -> [String] {
        let dots = m.prefix { $0 == "." }.count
        let parts = m.dropFirst(dots).split(separator: ".").map(String.init)
        guard !parts.isEmpty else { return [] }
        let rel = parts.joined(separator: "/") + ".pxd"
        var dir = (folder.isEmpty ? "." : folder as NSString).standardizingPath
        if dots > 0 {
            for _ in 1..<dots { dir = (dir as NSString).deletingLastPathComponent }
            return [(dir as NSString).appendingPathComponent(rel)]
        }
        var out: [String] = []
        for _ in 0..<6 {
            out.append((dir as NSString).appendingPathComponent(rel))
            let up = (dir as NSString).deletingLastPathComponent
            if up == dir || up.isEmpty { break }
            dir = up
        }
        return out
    }

    /// Where the pointer of a call that gets compat goes, for the reason and the summary.
    func pointerEscape(_ o: Occurrence) -> (EscapeSummary, String?)? {
        guard let c = src.tokenIndex(at: o.nameRange.lowerBound), src.isPunct(c + 1, "("),
              let close = src.closing(c + 1, limit: src.lines[src.lineOfToken[c]].tokens.upperBound) else { return nil }
        let args = src.splitArguments((c + 2)..<close)
        guard args.count == 3 else { return nil }
        let line = text.line(of: o.nameRange.lowerBound)
        let l = src.lineOfToken[c]
        var def: Int? = src.parent(l)
        while let d = def, !src.isFunctionHeader(d) { def = src.parent(d) }
        if let (kind, detail) = argumentEscape(args[1], function: def) {
            return (EscapeSummary(kind: kind, line: line), detail)
        }
        // `&p` with `p` a local: follow `p` in the rest of the function.
        let p = src.strippingCasts(args[1])
        guard let d = def, p.count == 2, src.isPunct(p.lowerBound, "&") else { return nil }
        let name = src.spell(p.lowerBound + 1)
        let body = (d + 1)..<src.blockEnd(d)
        let decl = src.localDeclaration(of: name, in: body)
        for k in occurrences(of: name, in: body) where k != p.lowerBound + 1 && k != decl?.declarator.nameToken && src.lineOfToken[k] >= l {
            if let (kind, detail) = pointerUse(k, function: d) {
                return (EscapeSummary(kind: kind, line: src.lines[src.lineOfToken[k]].first), detail)
            }
        }
        return (EscapeSummary(kind: "none", line: line), nil)
    }

    // MARK: - Pointer uses

    func occurrencesOfIdentifiers(in lines: Range<Int>) -> [String] {
        guard !lines.isEmpty else { return [] }
        return (src.lines[lines.lowerBound].tokens.lowerBound..<src.lines[lines.upperBound - 1].tokens.upperBound).filter { src.isIdentifier($0) }.map(src.spell)
    }

    func occurrences(of name: String, in lines: Range<Int>) -> [Int] {
        guard !lines.isEmpty else { return [] }
        let r = src.lines[lines.lowerBound].tokens.lowerBound..<src.lines[lines.upperBound - 1].tokens.upperBound
        return r.filter { src.isIdentifier($0) && src.spell($0) == name && !(($0 > 0) && src.isPunct($0 - 1, ".")) }
    }

    /// The out-argument of an old call when it is not `&local`: where the pointer is stored.
    func argumentEscape(_ arg: Range<Int>, function def: Int?) -> (String, String)? {
        let a = src.strippingCasts(arg)
        guard !a.isEmpty else { return nil }
        let shown = src.tokenText(a)
        let params = def.map(src.parameters) ?? []
        guard src.isPunct(a.lowerBound, "&") else {
            if a.count == 1, params.contains(src.spell(a.lowerBound)) {
                return ("out-param", "is stored through the parameter `\(shown)` (the caller's pointer)")
            }
            return ("unknown", "is stored through `\(shown)`")
        }
        let target = (a.lowerBound + 1)..<a.upperBound
        if target.count == 1 {
            let name = src.spell(target.lowerBound)
            let local = def.map { src.localDeclaration(of: name, in: ($0 + 1)..<src.blockEnd($0)) != nil } ?? false
            if !local && !params.contains(name) {
                return src.moduleVariables().contains(name) ? ("global", "is stored in the module-level `\(name)`") : ("unknown", "is stored in `\(name)`")
            }
            return nil
        }
        if target.contains(where: { src.isPunct($0, ".") }) {
            return ("struct-field", "is stored in the field `\(src.tokenText(target))`")
        }
        return ("unknown", "is stored in `\(src.tokenText(target))`")
    }

    /// How a use of the pointer (token `k`, in the function whose header is `def`) can let it
    /// outlive the view: nil when it only reads or writes through it, compares it or assigns it.
    func pointerUse(_ k: Int, through last: Int? = nil, function def: Int) -> (String, String)? {
        let l = src.lineOfToken[k]
        var lo = src.lines[l].tokens.lowerBound
        let hi = src.lines[l].tokens.upperBound
        let name = src.spell(k)
        // The statement after the header of a one-line block: `if base: base[0] = p`.
        if CythonRewrite.blockWords.contains(src.spell(lo)) || src.spell(lo) == "elif",
           let colon = (lo..<k).first(where: { src.isPunct($0, ":") && src.enclosingOpen($0, from: lo) == nil }) {
            lo = colon + 1
        }
        // Its address: another acquisition fills it (`&p` in an old call), anything else may keep or change it.
        if k > lo, src.isPunct(k - 1, "&") {
            if isOldCallTarget(k) { return nil }
            return ("unknown", "has its address taken in `\(src.tokenText(lo..<hi))`")
        }
        // The pointer itself assigned: `p = ...`, `p += 1`.
        let e0 = last ?? k
        if k == lo, e0 + 1 < hi, src.isAssign(e0 + 1) || ["+=", "-="].contains(src.op(at: e0 + 1)) { return nil }
        var s = k, e = e0
        while true {
            if s - 1 >= lo, src.isPunct(s - 1, ">"), let c = src.castStart(closingAt: s - 1, from: lo) { s = c; continue }
            if s - 1 >= lo, src.isPunct(s - 1, "("), e + 1 < hi, src.isPunct(e + 1, ")"), !isCallParen(s - 1, lo: lo) { s -= 1; e += 1; continue }
            break
        }
        let next = e + 1 < hi ? e + 1 : nil
        if let n = next, src.isPunct(n, "[") || src.isPunct(n, ".") { return nil }
        let after = next.map { src.op(at: $0) } ?? ""
        let before = s > lo ? src.op(endingBefore: s) : ""
        if ["==", "!="].contains(after) || ["==", "!="].contains(before) { return nil }
        let prevWord = s > lo ? src.spell(s - 1) : ""
        let nextWord = next.map(src.spell) ?? ""
        if nextWord == "is" || prevWord == "is" || (prevWord == "not" && s - 2 >= lo && src.spell(s - 2) == "is") { return nil }
        if ["if", "elif", "while", "not", "and", "or", "assert"].contains(prevWord), ["", ":", "and", "or"].contains(nextWord) { return nil }
        if src.spell(lo) == "return" || src.spell(lo) == "yield", src.enclosingOpen(s, from: lo) == nil { return ("returned", "is returned") }
        if s > lo, src.isAssign(s - 1), let eq = (lo..<s).first(where: { src.isAssign($0) }), eq == s - 1 {
            guard e + 1 == hi else { return ("unknown", "is used in `\(src.tokenText(lo..<hi))`") }
            let lhs = lo..<eq
            let lhsText = src.tokenText(lhs)
            let body = (def + 1)..<src.blockEnd(def)
            if lhs.count == 1 {
                let target = src.spell(lo)
                if src.localDeclaration(of: target, in: body) == nil && src.moduleVariables().contains(target) {
                    return ("global", "is stored in the module-level `\(target)`")
                }
                return ("unknown", "is copied into `\(target)`")
            }
            if lhs.contains(where: { src.isPunct($0, ".") && src.enclosingOpen($0, from: lo) == nil }) {
                return ("struct-field", "is stored in the field `\(lhsText)`")
            }
            if src.isIdentifier(lo), src.isPunct(lo + 1, "[") {
                let base = src.spell(lo)
                if src.parameters(def).contains(base) { return ("out-param", "is stored through the parameter `\(base)` (`\(lhsText) = ...`)") }
                if src.localDeclaration(of: base, in: body) == nil && src.moduleVariables().contains(base) { return ("global", "is stored in the module-level `\(base)`") }
            }
            return ("unknown", "is stored in `\(lhsText)`")
        }
        if let open = src.enclosingOpen(s, from: lo), src.isPunct(open, "("), isCallParen(open, lo: lo) {
            var callee = src.spell(open - 1)
            var j = open - 1
            while j - 2 >= lo, src.isPunct(j - 1, "."), src.isIdentifier(j - 2) { callee = src.spell(j - 2) + "." + callee; j -= 2 }
            // `memchr(p, c, n)` keeps nothing but returns a pointer into `p`: the result is followed as `p` is.
            if CFunctions.derivingPointer.contains(callee), let close = src.closing(open, limit: hi) {
                return pointerUse(j, through: close, function: def).map { ($0.0, "through `\(callee)`'s result, " + $0.1) }
            }
            if CythonRewrite.nonRetaining.contains(callee) { return nil }
            return ("callee", "is passed to `\(callee)`, which might keep it")
        }
        return ("unknown", "is used as `\(name)` in `\(src.tokenText(lo..<hi))`")
    }

    /// `&p` as an argument of an old function: another acquisition into the same variable.
    func isOldCallTarget(_ k: Int) -> Bool {
        guard k > 0, src.isPunct(k - 1, "&") else { return false }
        let lo = src.lines[src.lineOfToken[k]].tokens.lowerBound
        guard let open = src.enclosingOpen(k, from: lo), open > lo, src.isPunct(open, "(") else { return false }
        return CompatRewrite.replacementName(for: src.spell(open - 1)) != nil
    }

    func isCallParen(_ open: Int, lo: Int) -> Bool {
        guard open - 1 >= lo else { return false }
        if src.isIdentifier(open - 1) { return !CythonSource.keywords.contains(src.spell(open - 1)) }
        return src.isPunct(open - 1, ")") || src.isPunct(open - 1, "]")
    }

    // MARK: - Scoped

    static let blockWords: Set<String> = ["if", "elif", "else", "for", "while", "with", "try", "except", "finally"]
    static let freeing: Set<String> = ["PyMem_Free", "PyMem_RawFree", "free", "PyObject_Free"]

    /// An old call as a statement of its own, or as the test of an `if` whose body is the failure branch.
    struct CallSite {
        var name: Int
        var line: Int
        var args: [Range<Int>]
        /// The first line after the call and its failure branch.
        var next: Int
        var isIf: Bool
    }

    func callSite(_ o: Occurrence) -> Result<CallSite, Refusal> {
        guard let c = src.tokenIndex(at: o.nameRange.lowerBound) else { return .failure(Refusal(message: "the call is not found")) }
        let L = src.lineOfToken[c]
        let lineTokens = src.lines[L].tokens
        let first = lineTokens.lowerBound
        guard src.isPunct(c + 1, "("), let close = src.closing(c + 1, limit: lineTokens.upperBound) else {
            return .failure(Refusal(message: "the call's arguments are not found"))
        }
        let args = src.splitArguments((c + 2)..<close)
        guard args.count == 3 else { return .failure(Refusal(message: "the call does not have three arguments")) }
        var next = L + 1
        var isIf = false
        if c == first && close == lineTokens.upperBound - 1 {
            // A call statement.
        } else if src.spell(first) == "if", c == first + 1,
                  let colon = ((close + 1)..<lineTokens.upperBound).first(where: { src.isPunct($0, ":") }),
                  ["", "<0", "==-1", "!=0"].contains(src.tokenText((close + 1)..<colon).replacingOccurrences(of: " ", with: "")) {
            isIf = true
            if colon == lineTokens.upperBound - 1 { next = src.blockEnd(L) }
            if next < src.lines.count, src.lines[next].indent == src.lines[L].indent, ["elif", "else"].contains(src.firstWord(next)) {
                return .failure(Refusal(message: "the `if` of the call has an `\(src.firstWord(next))` branch"))
            }
        } else {
            return .failure(Refusal(message: "not the plain pattern `if \(o.function)(obj, &pointer, &length) < 0:` or a call statement of its own"))
        }
        return .success(CallSite(name: c, line: L, args: args, next: next, isIf: isIf))
    }

    /// The function around line `l` and the blocks between them (innermost first), which must all be plain blocks.
    func enclosing(_ l: Int) -> Result<(def: Int, chain: [Int]), Refusal> {
        var chain: [Int] = []
        var anc = src.parent(l)
        while let a = anc, !src.isFunctionHeader(a) {
            guard src.isHeader(a), CythonRewrite.blockWords.contains(src.firstWord(a)) else {
                return .failure(Refusal(message: "the call is inside `\(src.words(a, 2).joined(separator: " "))`, not in a function body or one of its blocks"))
            }
            chain.append(a)
            anc = src.parent(a)
        }
        guard let def = anc else { return .failure(Refusal(message: "the call is not inside a function")) }
        return .success((def, chain))
    }

    /// Checks the lines that move into a `try` and the `cdef` statements among them at `indent`
    /// (which move before it, their initializers staying).
    func movable(_ lines: Range<Int>, indent: Int) -> Result<(hoisted: [String], removals: [Range<Int>]), Refusal> {
        var hoisted: [String] = []
        var removals: [Range<Int>] = []
        for l in lines {
            let r = src.lines[l].tokens
            if r.contains(where: { ["yield", "lambda"].contains(src.spell($0)) && src.isIdentifier($0) }) {
                return .failure(Refusal(message: "the rest of the block has a `yield` or a `lambda` (line \(src.lines[l].first))"))
            }
            if ["def", "class", "async"].contains(src.firstWord(l)) || (src.firstWord(l) == "cdef" && src.isHeader(l)) {
                return .failure(Refusal(message: "the rest of the block defines a function or a class (line \(src.lines[l].first))"))
            }
            if r.contains(where: { src.lexed.tokens[$0].kind == .literal && src.text.bytes[src.lexed.tokens[$0].start..<src.lexed.tokens[$0].end].contains(0x0A) }) {
                return .failure(Refusal(message: "a string spanning lines (line \(src.lines[l].first)) would change when indented"))
            }
            guard src.firstWord(l) == "cdef" else { continue }
            guard src.lines[l].indent == indent, let ds = src.cdefDeclarators(l) else {
                return .failure(Refusal(message: "a `cdef` statement at line \(src.lines[l].first) cannot move out of the block"))
            }
            if ds.allSatisfy({ $0.assign == nil }) {
                hoisted.append(src.tokenText(r))
                removals.append(src.start(l)..<src.after(l))
            } else if ds.count == 1, let eq = ds[0].assign {
                hoisted.append(src.tokenText(r.lowerBound..<eq))
                removals.append(src.lexed.tokens[r.lowerBound].start..<src.lexed.tokens[ds[0].nameToken].start)
            } else {
                return .failure(Refusal(message: "the `cdef` statement at line \(src.lines[l].first) declares several variables with initial values"))
            }
        }
        if let first = lines.first {
            for n in src.lines[first].first...src.lines[lines.upperBound - 1].last where src.text.lineText(n).prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                return .failure(Refusal(message: "tabs in the indentation (line \(n))"))
            }
        }
        return .success((hoisted, removals))
    }

    /// The text of `lines` one `step` deeper, without the `removals`.
    func indented(_ lines: Range<Int>, step: String, removals: [Range<Int>]) -> [String] {
        guard let first = lines.first else { return [] }
        let start = src.start(first), end = src.end(lines.upperBound - 1)
        var rest = Array(text.bytes[start..<end])
        for r in removals.sorted(by: { $0.lowerBound > $1.lowerBound }) where r.lowerBound >= start && r.lowerBound < end {
            rest.removeSubrange((r.lowerBound - start)..<(min(r.upperBound, end) - start))
        }
        return SourceText.lines(of: SourceText.decode(rest)).map { l in
            l.trimmingCharacters(in: .whitespaces).isEmpty || l == "\r" ? l : step + l
        }
    }

    /// `PyObject_GetBuffer(object, target, flag)`, inside a `try` that raises the old exception again when there is one.
    func acquisition(_ object: String, _ target: String, flag: String, raise: (String, String)?, indent ind: String, step: String) -> [String] {
        if let (exc, message) = raise {
            let literal = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return ["\(ind)try:", "\(ind)\(step)PyObject_GetBuffer(\(object), \(target), \(flag))", "\(ind)except Exception:", "\(ind)\(step)raise \(exc)(\"\(literal)\") from None"]
        }
        return ["\(ind)PyObject_GetBuffer(\(object), \(target), \(flag))"]
    }

    func failureNote(_ raise: (String, String)?, isIf: Bool) -> String {
        var reason: String
        if let (exc, _) = raise {
            reason = "; a failure raises the old \(exc) again (`from None`); unsafe: the traceback no longer shows a call of the old function"
        } else {
            reason = "; unsafe: the cimported declaration is `except -1`, so a failure raises the exporter's exception"
        }
        return reason + (isIf ? " and the old failure branch (dropped) no longer runs" : "")
    }

    /// Why the file cannot hold a view the way the rewrites write it, if it cannot: its own
    /// `PyObject_GetBuffer` must raise on failure (`except -1`) so that no failure goes unchecked,
    /// and its own `Py_buffer` must come with its own functions.
    func viewSupportRefusal() -> Refusal? {
        func declaration(_ name: String) -> Int? {
            src.lexed.tokens.indices.first { k in
                src.isIdentifier(k) && src.spell(k) == name && src.externBlock(of: src.lineOfToken[k]) != nil
            }.map { src.lineOfToken[$0] }
        }
        if let l = declaration("PyObject_GetBuffer"), !src.lines[l].tokens.contains(where: { src.spell($0) == "except" }) {
            return Refusal(message: "the file declares `PyObject_GetBuffer` without an `except` clause (line \(src.lines[l].first)): a failed acquisition would go unchecked")
        }
        if let l = declaration("Py_buffer"), declaration("PyObject_GetBuffer") == nil || declaration("PyBuffer_Release") == nil {
            return Refusal(message: "the file declares its own `Py_buffer` (line \(src.lines[l].first)) but not the functions that take it")
        }
        return nil
    }

    /// The innermost function whose body holds line `l`.
    func function(of l: Int) -> Int? {
        var k: Int? = src.parent(l)
        while let d = k, !src.isFunctionHeader(d) { k = src.parent(d) }
        return k
    }

    /// Names not used in the function nor given to another view of it.
    func freshName(_ base: String, derived: [String] = [], def: Int, taken: inout [Int: Set<String>]) -> String {
        let used = Set(occurrencesOfIdentifiers(in: def..<src.blockEnd(def))).union(taken[def] ?? [])
        var name = base
        var n = 1
        while ([name] + derived.map { name + $0 }).contains(where: used.contains) { name = "\(base)_\(n)"; n += 1 }
        for x in [name] + derived.map({ name + $0 }) { taken[def, default: []].insert(x) }
        return name
    }

    /// The scoped rewrite of one call, or why not.
    func scoped(_ o: Occurrence, flag: String, raise: (String, String)?, useOffsets: [Int], taken: inout [Int: Set<String>]) -> Result<Planned, Refusal> {
        let site: CallSite
        switch callSite(o) { case .success(let s): site = s; case .failure(let r): return .failure(r) }
        let L = site.line, next = site.next, args = site.args
        let def: Int, chain: [Int]
        switch enclosing(L) { case .success(let e): (def, chain) = e; case .failure(let r): return .failure(r) }
        let loopTop = chain.last { ["for", "while"].contains(src.firstWord($0)) }
        let blockHeader = chain.first
        let topStatement = chain.last.map(src.statementHead) ?? L
        // The rest of the block.
        let end = src.restEnd(L)
        // The pointer and the length: `&local`, with casts.
        let pointerArg = src.strippingCasts(args[1]), lengthArg = src.strippingCasts(args[2])
        if let (kind, detail) = argumentEscape(args[1], function: def) {
            return .failure(Refusal(message: "the pointer \(detail)", escape: EscapeSummary(kind: kind, line: text.line(of: o.nameRange.lowerBound)), detail: detail))
        }
        guard pointerArg.count == 2, src.isPunct(pointerArg.lowerBound, "&"), src.isIdentifier(pointerArg.lowerBound + 1) else {
            return .failure(Refusal(message: "the pointer argument is not `&name`"))
        }
        guard lengthArg.count == 2, src.isPunct(lengthArg.lowerBound, "&"), src.isIdentifier(lengthArg.lowerBound + 1) else {
            return .failure(Refusal(message: "the length argument is not `&name`"))
        }
        let pointer = src.spell(pointerArg.lowerBound + 1), length = src.spell(lengthArg.lowerBound + 1)
        let body = (def + 1)..<src.blockEnd(def)
        guard let bodyStart = body.first else { return .failure(Refusal(message: "the function has no body")) }
        let bodyIndent = src.lines[bodyStart].indent
        guard let pDecl = src.localDeclaration(of: pointer, in: body, indent: bodyIndent) else {
            return .failure(Refusal(message: "the pointer `\(pointer)` is not declared with `cdef` in the function"))
        }
        guard let pType = pDecl.declarator.type else { return .failure(Refusal(message: "the pointer `\(pointer)` is not declared as a plain variable")) }
        if let why = viewSupportRefusal() { return .failure(why) }
        let lType = src.localDeclaration(of: length, in: body, indent: bodyIndent)?.declarator.type ?? "Py_ssize_t"
        // Every other use of the pointer: in the rest of the block, only through it.
        for k in occurrences(of: pointer, in: body) where k != pDecl.declarator.nameToken && k != pointerArg.lowerBound + 1 && !isOldCallTarget(k) {
            let l = src.lineOfToken[k]
            let line = src.lines[l].first
            if function(of: l) != def || src.lines[l].tokens.contains(where: { src.spell($0) == "lambda" }) {
                return .failure(Refusal(message: "`\(pointer)` is used in a nested function or a lambda (line \(line))", escape: EscapeSummary(kind: "unknown", line: line),
                                        detail: "is used in a nested function or a lambda"))
            }
            if l >= end {
                let why = pointerUse(k, function: def)
                let escape = EscapeSummary(kind: why?.0 ?? "none", line: line)
                return .failure(Refusal(message: "`\(pointer)` is used after the block of the call (line \(line))", escape: escape, detail: why?.1))
            }
            if l < L {
                if let top = loopTop, l > top {
                    return .failure(Refusal(message: "`\(pointer)` is used before the call in the same loop (line \(line)): it would see the view of the previous iteration, released"))
                }
                continue
            }
            if l < next && l > L { continue }  // the failure branch, dropped
            if let (kind, detail) = pointerUse(k, function: def) {
                return .failure(Refusal(message: "the pointer \(detail)", escape: EscapeSummary(kind: kind, line: line), detail: detail))
            }
        }
        guard end > next else { return .failure(Refusal(message: "nothing follows the call in its block")) }
        let replaced = src.start(L)..<src.end(end - 1)
        if let other = useOffsets.first(where: { $0 != o.nameRange.lowerBound && replaced.contains($0) }) {
            return .failure(Refusal(message: "another use of an old function follows in the same block (line \(text.line(of: other))): its own fix would overlap"))
        }
        let hoisted: [String], removals: [Range<Int>]
        switch movable(next..<end, indent: chain.isEmpty ? src.lines[L].indent : -1) {
        case .success(let m): (hoisted, removals) = m
        case .failure(let r): return .failure(r)
        }
        if src.text.lineText(src.lines[L].first).prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
            return .failure(Refusal(message: "tabs in the indentation (line \(src.lines[L].first))"))
        }
        let view = freshName("view", def: def, taken: &taken)
        let ind = String(repeating: " ", count: src.lines[L].indent)
        let step = String(repeating: " ", count: max(1, src.lines[L].indent - src.lines[src.parent(L) ?? def].indent))
        let inner = ind + step
        var out: [String] = []
        var edits: [Edit] = []
        let declaration = "cdef Py_buffer \(view)"
        if chain.isEmpty {
            out.append(ind + declaration)
        } else {
            edits.append(.insert(String(repeating: " ", count: src.lines[topStatement].indent) + declaration + eol, at: src.start(topStatement)))
        }
        out += hoisted.map { ind + $0 }
        let object = src.source(args[0])
        out += acquisition(object, "&\(view)", flag: flag, raise: raise, indent: ind, step: step)
        out += ["\(ind)try:", "\(inner)\(pointer) = <\(pType)>\(view).buf", "\(inner)\(length) = " + (lType == "Py_ssize_t" ? "\(view).len" : "<\(lType)>\(view).len")]
        out += indented(next..<end, step: step, removals: removals)
        out += ["\(ind)finally:", "\(inner)PyBuffer_Release(&\(view))"]
        var joined = out.joined(separator: eol)
        if text.usesCRLF { joined = joined.replacingOccurrences(of: "\r\r\n", with: "\r\n") }
        edits.append(Edit(range: replaced, replacement: joined))
        let scope: String
        if let h = blockHeader {
            scope = "the rest of the `\(src.firstWord(h))` block (line \(src.lines[h].first)) in a try/finally that releases the view: `\(pointer)` is used only there"
                + (loopTop != nil ? ", so each iteration gets and releases its own view" : "")
        } else {
            scope = "the rest of the function in a try/finally that releases the view: the pointer is valid exactly while the function runs"
        }
        var reason = "`PyObject_GetBuffer(\(object), &\(view), \(flag))` cimported from cpython.buffer, \(scope)"
        if !hoisted.isEmpty { reason += "; the `cdef` declarations that followed the call move before it (a `try` cannot hold them)" }
        reason += failureNote(raise, isIf: site.isIf)
        return .success(Planned(edits: edits, flag: flag, reason: reason))
    }

    // MARK: - Arrays of views

    /// A call filling `&ARRAY[i]` as the first statement of `for i in range(n):`, the pointers
    /// read after the loop: an array of views beside the array, a count of the views acquired,
    /// and the loop with the rest of its block in a try/finally that releases them all. Nil when
    /// the call does not fill an element of an array.
    func arrayInLoop(_ o: Occurrence, flag: String, raise: (String, String)?, useOffsets: [Int], taken: inout [Int: Set<String>]) -> Result<Planned, Refusal>? {
        guard let c = src.tokenIndex(at: o.nameRange.lowerBound), src.isPunct(c + 1, "("),
              let close = src.closing(c + 1, limit: src.lines[src.lineOfToken[c]].tokens.upperBound) else { return nil }
        let rawArgs = src.splitArguments((c + 2)..<close)
        guard rawArgs.count == 3 else { return nil }
        let p = src.strippingCasts(rawArgs[1])
        guard p.count >= 5, src.isPunct(p.lowerBound, "&"), src.isIdentifier(p.lowerBound + 1), src.isPunct(p.lowerBound + 2, "[") else { return nil }
        let shown = src.tokenText((p.lowerBound + 1)..<p.upperBound)
        let L = src.lineOfToken[c]
        guard let F = src.parent(L), ["for", "while"].contains(src.firstWord(F)) else { return nil }
        func refuse(_ why: String, _ kind: String = "unknown") -> Result<Planned, Refusal> {
            .failure(Refusal(message: "the call fills `\(shown)` in a loop and \(why): compat keeps the old borrowed pointers",
                             escape: EscapeSummary(kind: kind, line: text.line(of: o.nameRange.lowerBound)), detail: "is stored in `\(shown)`, in a loop"))
        }
        guard let indexClose = src.closing(p.lowerBound + 2, limit: p.upperBound), indexClose == p.upperBound - 1 else {
            return refuse("is not `&ARRAY[i]` (an array of views needs the element itself)", src.tokenText(p).contains(".") ? "struct-field" : "unknown")
        }
        let site: CallSite
        switch callSite(o) { case .success(let s): site = s; case .failure(let r): return refuse(r.message) }
        let array = src.spell(p.lowerBound + 1)
        let index = src.tokenText((p.lowerBound + 3)..<indexClose)
        // `for i in range(n):`, `for i in range(0, n):` or `for i from 0 <= i < n:`.
        let header = src.lines[F].tokens
        let h = Array(header).map(src.spell)
        var bound: Range<Int>? = nil
        if h.count >= 7, h[0] == "for", h[1] == index, h[2] == "in", h[3] == "range", h[4] == "(", h.last == ":", h[h.count - 2] == ")" {
            let inner = src.splitArguments((header.lowerBound + 5)..<(header.upperBound - 2))
            if inner.count == 1 { bound = inner[0] }
            if inner.count == 2, src.tokenText(inner[0]) == "0" { bound = inner[1] }
        } else if h.count >= 9, h[0] == "for", h[1] == index, h[2] == "from", h[3] == "0", src.op(at: header.lowerBound + 4) == "<=",
                  h[6] == index, h[7] == "<", h.last == ":" {
            bound = (header.lowerBound + 8)..<(header.upperBound - 1)
        }
        guard let n = bound, !n.isEmpty else { return refuse("the loop is not `for \(index) in range(n):`") }
        let nText = src.tokenText(n)
        let simpleBound = (n.count == 1 && [.identifier, .number].contains(src.lexed.tokens[n.lowerBound].kind))
            || (n.count == 4 && src.spell(n.lowerBound) == "len" && src.isPunct(n.lowerBound + 1, "(") && src.isIdentifier(n.lowerBound + 2))
        guard simpleBound else { return refuse("its bound `\(nText)` is not a name, a number or `len(name)`") }
        guard L == F + 1 else { return refuse("is not the first statement of the loop body") }
        let loopEnd = src.blockEnd(F)
        if loopEnd < src.lines.count, src.lines[loopEnd].indent == src.lines[F].indent, src.firstWord(loopEnd) == "else" {
            return refuse("the loop has an `else`")
        }
        let def: Int, chain: [Int]
        switch enclosing(F) { case .success(let e): (def, chain) = e; case .failure(let r): return refuse(r.message) }
        let body = (def + 1)..<src.blockEnd(def)
        let bodyIndent = src.lines[body.lowerBound].indent
        guard let aDecl = src.localDeclaration(of: array, in: body, indent: bodyIndent), let elementType = aDecl.declarator.elementType else {
            return refuse("`\(array)` is not a local array or pointer declared with `cdef`")
        }
        if let why = viewSupportRefusal() { return .failure(why) }
        // The length: `&LENGTHS[i]` or `&n`.
        let lArg = src.strippingCasts(site.args[2])
        let lengthTarget: String, lengthType: String
        if lArg.count == 2, src.isPunct(lArg.lowerBound, "&"), src.isIdentifier(lArg.lowerBound + 1) {
            let name = src.spell(lArg.lowerBound + 1)
            lengthTarget = name
            lengthType = src.localDeclaration(of: name, in: body, indent: bodyIndent)?.declarator.type ?? "Py_ssize_t"
        } else if lArg.count >= 5, src.isPunct(lArg.lowerBound, "&"), src.isIdentifier(lArg.lowerBound + 1), src.isPunct(lArg.lowerBound + 2, "["),
                  src.closing(lArg.lowerBound + 2, limit: lArg.upperBound) == lArg.upperBound - 1,
                  src.tokenText((lArg.lowerBound + 3)..<(lArg.upperBound - 1)) == index,
                  let t = src.localDeclaration(of: src.spell(lArg.lowerBound + 1), in: body, indent: bodyIndent)?.declarator.elementType {
            lengthTarget = src.tokenText((lArg.lowerBound + 1)..<lArg.upperBound)
            lengthType = t
        } else {
            return refuse("the length argument is not `&n` or `&LENGTHS[\(index)]`")
        }
        // Neither the index nor the bound changes in the loop.
        let boundNames = Set(n.filter { src.isIdentifier($0) }.map(src.spell)).subtracting(["len"])
        for l in (F + 1)..<loopEnd {
            let first = src.lines[l].tokens.lowerBound
            if src.isIdentifier(first), [index].contains(src.spell(first)) || boundNames.contains(src.spell(first)),
               src.isAssign(first + 1) || src.op(at: first + 1).hasSuffix("=") && src.op(at: first + 1) != "==" {
                return refuse("`\(src.spell(first))` changes in the loop (line \(src.lines[l].first))")
            }
        }
        let outerLoop = chain.last { ["for", "while"].contains(src.firstWord($0)) }
        let end = src.restEnd(F)
        // The array's elements are only read or written through after the loop; the array itself is only freed.
        for k in occurrences(of: array, in: body) where k != aDecl.declarator.nameToken && k != p.lowerBound + 1 {
            let l = src.lineOfToken[k]
            let lo = src.lines[l].tokens.lowerBound
            if function(of: l) != def || src.lines[l].tokens.contains(where: { src.spell($0) == "lambda" }) {
                return refuse("`\(array)` is used in a nested function or a lambda (line \(src.lines[l].first))")
            }
            if k > lo, src.isPunct(k - 1, "("), src.isPunct(k + 1, ")"), k - 2 >= lo, CythonRewrite.freeing.contains(src.spell(k - 2)) { continue }
            if l >= end { return refuse("`\(array)` is used after the block of the loop (line \(src.lines[l].first))") }
            if l < F {
                if let top = outerLoop, l > top { return refuse("`\(array)` is used before the loop in an outer loop (line \(src.lines[l].first))") }
                if src.isPunct(k + 1, "[") { return refuse("`\(array)` is read before the loop (line \(src.lines[l].first))") }
                continue
            }
            let last = src.isPunct(k + 1, "[") ? src.closing(k + 1, limit: src.lines[l].tokens.upperBound) : nil
            if let (kind, detail) = pointerUse(k, through: last, function: def) {
                let what = last == nil ? "the array `\(array)`" : "an element of `\(array)`"
                return .failure(Refusal(message: "\(what) \(detail)", escape: EscapeSummary(kind: kind, line: src.lines[l].first), detail: detail))
            }
        }
        let replaced = src.start(F)..<src.end(end - 1)
        if let other = useOffsets.first(where: { $0 != o.nameRange.lowerBound && replaced.contains($0) }) {
            return refuse("another use of an old function is in the loop or after it (line \(text.line(of: other)))")
        }
        let hoisted: [String], removals: [Range<Int>]
        switch movable(site.next..<end, indent: chain.isEmpty ? src.lines[F].indent : -1) {
        case .success(let m): (hoisted, removals) = m
        case .failure(let r): return refuse(r.message)
        }
        for n in src.lines[F].first...src.lines[L].last where src.text.lineText(n).prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
            return refuse("tabs in the indentation (line \(n))")
        }
        // The text.
        let views = freshName("views", derived: ["_acquired", "_k"], def: def, taken: &taken)
        let acquired = views + "_acquired", k = views + "_k"
        let ind = String(repeating: " ", count: src.lines[F].indent)
        let step = String(repeating: " ", count: max(1, src.lines[L].indent - src.lines[F].indent))
        let inner = ind + step, loopInner = inner + step
        let declarations = ["cdef Py_buffer *\(views) = NULL", "cdef Py_ssize_t \(acquired) = 0", "cdef Py_ssize_t \(k)"]
        var out: [String] = []
        var edits: [Edit] = []
        let topStatement = chain.last.map(src.statementHead) ?? F
        if chain.isEmpty {
            out += declarations.map { ind + $0 }
        } else {
            let topIndent = String(repeating: " ", count: src.lines[topStatement].indent)
            edits.append(.insert(declarations.map { topIndent + $0 + eol }.joined(), at: src.start(topStatement)))
        }
        out += hoisted.map { ind + $0 }
        out += ["\(ind)\(views) = <Py_buffer *>PyMem_Malloc(<size_t>max(\(nText), 0) * sizeof(Py_buffer))",
                "\(ind)if \(views) == NULL:", "\(inner)raise MemoryError()", "\(ind)\(acquired) = 0", "\(ind)try:"]
        out += indented(F..<(F + 1), step: step, removals: [])
        let object = src.source(site.args[0])
        out += acquisition(object, "&\(views)[\(index)]", flag: flag, raise: raise, indent: loopInner, step: step)
        out += ["\(loopInner)\(acquired) += 1",
                "\(loopInner)\(array)[\(index)] = <\(elementType)>\(views)[\(index)].buf",
                "\(loopInner)\(lengthTarget) = " + (lengthType == "Py_ssize_t" ? "\(views)[\(index)].len" : "<\(lengthType)>\(views)[\(index)].len")]
        out += indented(site.next..<end, step: step, removals: removals)
        out += ["\(ind)finally:", "\(inner)for \(k) in range(\(acquired)):", "\(inner)\(step)PyBuffer_Release(&\(views)[\(k)])",
                "\(inner)PyMem_Free(\(views))", "\(inner)\(views) = NULL"]
        var joined = out.joined(separator: eol)
        if text.usesCRLF { joined = joined.replacingOccurrences(of: "\r\r\n", with: "\r\n") }
        edits.append(Edit(range: replaced, replacement: joined))
        var reason = "an array of views beside `\(array)`: `\(views)` (`PyMem_Malloc` of `\(nText)` `Py_buffer`s), `PyObject_GetBuffer(\(object), &\(views)[\(index)], \(flag))` in the loop and a count of the views acquired; the loop and the rest of its block in a try/finally that releases every view acquired so far (a failure in the middle of the loop included) and frees the array: the pointers in `\(array)` are valid exactly while they are used"
        if !hoisted.isEmpty { reason += "; the `cdef` declarations that followed the loop move before it (a `try` cannot hold them)" }
        reason += failureNote(raise, isIf: site.isIf)
        return .success(Planned(edits: edits, flag: flag, reason: reason, memory: true))
    }

    /// `from cpython.buffer cimport ...`, without the names the file declares itself.
    func cimportEdit(flags: Set<String>) -> Edit? {
        let names = (["PyObject_GetBuffer", "PyBuffer_Release"] + flags.sorted()).filter { !declaresItself($0) }
        guard !names.isEmpty else { return nil }
        return .insert("from cpython.buffer cimport " + names.joined(separator: ", ") + eol, at: src.topOffset())
    }

    /// The file declares `name` (in a `cdef extern` block, or cimports it).
    func declaresItself(_ name: String) -> Bool {
        src.lexed.tokens.indices.contains { k in
            guard src.isIdentifier(k), src.spell(k) == name else { return false }
            let l = src.lineOfToken[k]
            return src.externBlock(of: l) != nil || ["from", "cimport"].contains(src.firstWord(l))
        }
    }

    // MARK: - Declarations

    /// A declaration of an old name goes when nothing can use it any more: in a `.pyx` whose every
    /// use of the name is fixed and whose included files do not use it.
    func declarationOutcome(_ o: Occurrence, occurrences: [Occurrence], fixedOffsets: Set<Int>, pending: inout [String]) -> Result<Void, Refusal> {
        guard let k = src.tokenIndex(at: o.nameRange.lowerBound) else { return .failure(Refusal(message: "the declaration is not found")) }
        let l = src.lineOfToken[k]
        if ["from", "cimport"].contains(src.firstWord(l)) {
            return .failure(Refusal(message: "a cimport of `\(o.function)` is left as it is: it makes no C code unless the name is used"))
        }
        guard src.externBlock(of: l) != nil else { return .failure(Refusal(message: "not in a `cdef extern` block")) }
        switch fileExtension {
        case "pxd":
            return .failure(Refusal(message: "kept: modules that cimport this .pxd may use `\(o.function)`; an unused extern declaration makes no C code, so it builds on Python 3.13"))
        case "pxi":
            return .failure(Refusal(message: "kept: the file that includes this .pxi may use `\(o.function)`; an unused extern declaration makes no C code, so it builds on Python 3.13"))
        default:
            break
        }
        let left = occurrences.filter { $0.function == o.function && [.call, .reference, .shadowing].contains($0.kind) && !fixedOffsets.contains($0.nameRange.lowerBound) }
        if let u = left.first {
            return .failure(Refusal(message: "kept: the \(u.kind.rawValue) of `\(o.function)` at line \(text.line(of: u.nameRange.lowerBound)) is not fixed"))
        }
        var seen = Set<String>()
        var queue = src.includes(folder: folder.isEmpty ? "." : folder)
        var users: [String] = []
        while let inc = queue.first {
            queue.removeFirst()
            guard seen.insert(inc).inserted, seen.count < 64 else { continue }
            guard let bytes = RegularFile.contents(inc) else {
                return .failure(Refusal(message: "kept: the included `\(relative(inc))` cannot be read, so whether it uses `\(o.function)` is unknown"))
            }
            let t = SourceText(bytes: [UInt8](bytes))
            let scan = CythonScanner(names: [o.function]).scan(t)
            if scan.occurrences.contains(where: { [.call, .reference, .shadowing].contains($0.kind) }), !fixedIncludes.contains(inc) { users.append(inc) }
            queue += CythonSource(text: t).includes(folder: (inc as NSString).deletingLastPathComponent)
        }
        if !users.isEmpty {
            for u in users where !pending.contains(u) { pending.append(u) }
            return .failure(Refusal(message: "kept: the included \(users.map { "`\(relative($0))`" }.joined(separator: ", ")) still use\(users.count == 1 ? "s" : "") `\(o.function)` (fixed in the same run, the declaration goes too)"))
        }
        return .success(())
    }

    /// Deletes the declarations, and a `cdef extern` block left empty with its header.
    func declarationRemovals(_ removable: [(Occurrence, Rule)]) -> [Fix] {
        var byLine: [Int: (Occurrence, Rule)] = [:]
        for (o, r) in removable {
            guard let k = src.tokenIndex(at: o.nameRange.lowerBound) else { continue }
            byLine[src.lineOfToken[k]] = (o, r)
        }
        var fixes: [Fix] = []
        for (l, (o, r)) in byLine.sorted(by: { $0.key < $1.key }) {
            var edits = [Edit(range: src.start(l)..<src.after(l), replacement: "")]
            if let h = src.externBlock(of: l), h != l {
                let members = (h + 1)..<src.blockEnd(h)
                if members.allSatisfy({ byLine[$0] != nil }) { edits.append(Edit(range: src.start(h)..<src.after(h), replacement: "")) }
            }
            let pos = text.position(of: o.nameRange.lowerBound)
            fixes.append(Fix(rule: r.id, function: o.function, offset: o.nameRange.lowerBound, line: pos.line, column: pos.column,
                             strategy: .removeDeclaration, safety: .safe,
                             reason: "no use of `\(o.function)` is left in this file or the files it includes once its uses are fixed: the `cdef extern` declaration goes (Cython makes no C code for an unused one, but it names a function Python 3.13 no longer has)",
                             edits: edits, group: "cython-declarations", escape: EscapeSummary(kind: "none", line: pos.line)))
        }
        return fixes
    }
}
