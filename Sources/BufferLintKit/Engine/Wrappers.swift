import Foundation

/// A project function that calls an old buffer function and hands the pointer
/// back through one of its own pointer parameters (or returns it), e.g.
/// `int get(PyObject *o, const void **buf, int *len) { ... PyObject_AsReadBuffer(o, buf, &n) ... }`.
/// Its callers inherit the old function's lifetime problem.
public struct WrapperFunction: Sendable, Equatable, Codable {
    public var name: String
    /// The file's path as given to the scan.
    public var path: String
    /// The path as shown, and the line of the function's name in its definition.
    public var file: String
    public var line: Int
    /// The old function it calls, and the line of that call.
    public var function: String
    public var callLine: Int
}

/// A wrapper and how many calls of it the run found (for the JSON summary).
public struct WrapperSummary: Sendable, Equatable {
    public var name: String
    public var file: String
    public var line: Int
    public var callers: Int
}

/// Finds wrappers in one scanned file, from tokens: one of the call's output
/// arguments (all but the first) is exactly a pointer parameter of the
/// enclosing function, perhaps cast, or `&local` where the function returns `local`.
public enum WrapperDetector {
    public static func find(lexed: LexedFile, functions: [FunctionSpan], occurrences: [Occurrence], path: String, file: String) -> [WrapperFunction] {
        var out: [WrapperFunction] = []
        for o in occurrences where o.kind == .call || o.kind == .guarded {
            guard let call = o.callRange,
                  let fn = functions.filter({ $0.bodyRange.contains(o.nameRange.lowerBound) }).min(by: { $0.bodyRange.count < $1.bodyRange.count }),
                  !out.contains(where: { $0.name == fn.name }),
                  let open = tokenIndex(at: fn.bodyRange.lowerBound, in: lexed) else { continue }
            let (params, paren) = pointerParameters(beforeBody: open, in: lexed)
            guard !params.isEmpty, let paren, paren > 0, let nameTok = tokenIndex(at: o.nameRange.lowerBound, in: lexed) else { continue }
            let args = arguments(ofCallAt: nameTok, end: call.upperBound, in: lexed)
            let returned = returnedNames(in: fn.bodyRange, lexed: lexed)
            let handsOut = args.enumerated().dropFirst().contains { k, arg in
                if let n = bareName(arg, in: lexed) { return params.contains(n) }
                // `&data` as the buffer argument with `return data;` later: the pointer is the function's result.
                if k == 1, arg.count == 2, lexed.isPunct(arg[0], "&"), lexed.tokens[arg[1]].kind == .identifier { return returned.contains(lexed.spelling(at: arg[1])) }
                return false
            }
            guard handsOut else { continue }
            let text = lexed.text
            out.append(WrapperFunction(name: fn.name, path: path, file: file, line: text.line(of: lexed.tokens[paren - 1].start),
                                       function: o.function, callLine: text.line(of: o.nameRange.lowerBound)))
        }
        return out
    }

    static func tokenIndex(at offset: Int, in lexed: LexedFile) -> Int? {
        var lo = 0, hi = lexed.tokens.count
        while lo < hi { let mid = (lo + hi) / 2; if lexed.tokens[mid].start < offset { lo = mid + 1 } else { hi = mid } }
        return lo < lexed.tokens.count && lexed.tokens[lo].start == offset ? lo : nil
    }

    /// Names of the pointer (or array) parameters in `name(params) {`, and the index of that `(`.
    static func pointerParameters(beforeBody open: Int, in lexed: LexedFile) -> (Set<String>, Int?) {
        var close = open - 1
        while close >= 0, lexed.tokens[close].directive != nil || !lexed.isPunct(close, ")") {
            if lexed.isPunct(close, ";") || lexed.isPunct(close, "}") { return ([], nil) }
            close -= 1
        }
        guard close >= 0 else { return ([], nil) }
        var depth = 0
        var k = close
        while k >= 0 {
            if lexed.isPunct(k, ")") { depth += 1 } else if lexed.isPunct(k, "(") { depth -= 1; if depth == 0 { break } }
            k -= 1
        }
        guard k >= 0 else { return ([], nil) }
        var names = Set<String>()
        var current: [Int] = []
        func finish() {
            let isPointer = current.contains { lexed.isPunct($0, "*") || lexed.isPunct($0, "[") }
            if isPointer, let last = current.last(where: { lexed.tokens[$0].kind == .identifier }) { names.insert(lexed.spelling(at: last)) }
            current = []
        }
        var d = 0
        for j in (k + 1)..<close where lexed.tokens[j].directive == nil {
            if lexed.isPunct(j, "(") || lexed.isPunct(j, "[") { d += 1 }
            if lexed.isPunct(j, ")") || lexed.isPunct(j, "]") { d -= 1 }
            if d == 0 && lexed.isPunct(j, ",") { finish(); continue }
            if d == 0 || lexed.isPunct(j, "[") { current.append(j) }
        }
        finish()
        return (names, k)
    }

    /// The argument token lists of the call whose name is token `name`.
    static func arguments(ofCallAt name: Int, end: Int, in lexed: LexedFile) -> [[Int]] {
        var args: [[Int]] = [[]]
        var depth = 0
        var j = name + 1
        while j < lexed.tokens.count, lexed.tokens[j].start < end {
            defer { j += 1 }
            if lexed.tokens[j].directive != nil { continue }
            let s = lexed.tokens[j].kind == .punct ? lexed.spelling(at: j) : ""
            if s == "(" { depth += 1; if depth == 1 { continue } }
            if s == ")" { depth -= 1; if depth == 0 { break } }
            if depth == 1 && s == "," { args.append([]); continue }
            if depth >= 1 { args[args.count - 1].append(j) }
        }
        return args
    }

    /// Names returned as they are (`return data;`, `return (char *)data;`) in a function body.
    static func returnedNames(in body: Range<Int>, lexed: LexedFile) -> Set<String> {
        var out = Set<String>()
        guard var k = tokenIndex(at: body.lowerBound, in: lexed) else { return out }
        while k < lexed.tokens.count, lexed.tokens[k].start < body.upperBound {
            defer { k += 1 }
            guard lexed.tokens[k].kind == .identifier, lexed.spelling(at: k) == "return" else { continue }
            var e = k + 1
            while e < lexed.tokens.count, !lexed.isPunct(e, ";"), e - k < 40 { e += 1 }
            if let n = bareName(Array((k + 1)..<e), in: lexed) { out.insert(n) }
        }
        return out
    }

    /// `buf`, `(const void **)buf`, `(buf)`: the single name an argument is, if any.
    static func bareName(_ arg: [Int], in lexed: LexedFile) -> String? {
        var a = arg
        while a.count > 1, lexed.isPunct(a[0], "(") {
            var depth = 0
            var close: Int? = nil
            for (k, t) in a.enumerated() {
                if lexed.isPunct(t, "(") { depth += 1 } else if lexed.isPunct(t, ")") { depth -= 1; if depth == 0 { close = k; break } }
            }
            guard let c = close else { return nil }
            a = c == a.count - 1 ? Array(a[1..<c]) : Array(a[(c + 1)...])  // `(x)` or a cast `(T *)x`
        }
        guard a.count == 1, lexed.tokens[a[0]].kind == .identifier else { return nil }
        return lexed.spelling(at: a[0])
    }
}

extension Linter {
    /// The second pass over the run's files: each call of a wrapper found in the
    /// first pass is a `wrapper-call` finding. Returns the findings per result index
    /// and the wrappers (callers are counted by the caller).
    func wrapperCalls(contents: [Content], results: [FileResult?]) -> (findings: [Int: [Finding]], summary: [WrapperSummary]) {
        var wrappers: [String: WrapperFunction] = [:]
        for r in results.compactMap({ $0 }) where !r.isGenerated {
            for w in r.wrappers where wrappers[w.name] == nil { wrappers[w.name] = w }
        }
        // Wrappers seen only in generated copies still count.
        for r in results.compactMap({ $0 }) where r.isGenerated {
            for w in r.wrappers where wrappers[w.name] == nil { wrappers[w.name] = w }
        }
        guard !wrappers.isEmpty else { return ([:], []) }
        let filter = Prefilter(names: wrappers.keys)
        var byIndex: [Int: [Finding]] = [:]
        for (k, c) in contents.enumerated() {
            guard let bytes = c.bytes, filter.matches(bytes), !bytes.contains(0) else { continue }
            let found = wrapperCallFindings(path: c.path, bytes: bytes, wrappers: wrappers)
            guard !found.isEmpty else { continue }
            byIndex[k] = found
        }
        let summary = wrappers.values.sorted { ($0.file, $0.line) < ($1.file, $1.line) }
            .map { WrapperSummary(name: $0.name, file: $0.file, line: $0.line, callers: 0) }
        return (byIndex, summary)
    }

    func wrapperCallFindings(path: String, bytes: [UInt8], wrappers: [String: WrapperFunction]) -> [Finding] {
        let text = SourceText(bytes: bytes)
        let language = Language.of(path: path)
        let names = Set(wrappers.keys)
        var lexed: LexedFile
        var occurrences: [Occurrence]
        if language == .cython {
            let scan = CythonScanner(names: names).scan(text)
            lexed = scan.lexed
            occurrences = scan.occurrences
        } else {
            let scan: TokenScanResult
            (lexed, scan) = tokenScan(path: path, text: text, language: language, names: names, flags: compileFlags(entry: database?.entry(for: path)),
                                      prefix: language == .c || language == .cpp ? unityPrefix(of: path) : nil)
            occurrences = scan.occurrences
        }
        let shown = display(path)
        var calls: [Occurrence] = []
        for o in occurrences where o.kind == .call || o.kind == .guarded {
            guard let w = wrappers[o.function], o.enclosingFunction != w.name else { continue }
            calls.append(Occurrence(function: w.function, kind: .wrapperCall, nameRange: o.nameRange, callRange: o.callRange,
                                    macro: w.name, enclosingFunction: o.enclosingFunction))
        }
        guard !calls.isEmpty else { return [] }
        var findings = FindingBuilder(rules: rules, text: text, lexed: lexed, file: shown).findings(for: calls)
            .filter { $0.kind == .wrapperCall }
        for i in findings.indices {
            if let w = findings[i].macro.flatMap({ wrappers[$0] }) {
                findings[i].message += " (`\(w.name)` calls `\(w.function)` at \(w.file):\(w.callLine))"
            }
        }
        if let g = GeneratedFile.detect(path: path, text: text, extraPatterns: options.generatedPatterns) { markOrigins(&findings, of: g, text: text) }
        return findings
    }
}
