/// Finds the watched names in Cython sources (`.pyx`, `.pxd`, `.pxi`).
///
/// Cython is Python with C declarations, so the scan is Python-shaped: `#`
/// comments, quoted strings (with `r`/`b`/`u`/`f` prefixes and triple quotes)
/// are skipped, and indentation decides blocks. A name declared inside a
/// `cdef extern from "...":` block (or on a `cdef extern` line) is a
/// `declaration`; any other use is a `call` (followed by `(`) or a `reference`.
/// Runtime conditions such as `if PY_MAJOR_VERSION < 3:` do not matter: the
/// C compiler still sees the call.
public struct CythonScanner {
    public struct Result: Sendable {
        public var occurrences: [Occurrence] = []
        /// `def` / `cdef` / `cpdef` functions with their extent.
        public var functions: [FunctionSpan] = []
        /// The tokens, with `#` comments recorded (suppression comments work as in C).
        public var lexed: LexedFile
    }

    let names: Set<String>

    public init(names: Set<String>) {
        self.names = names
    }

    /// One logical line: its tokens and the indentation of its first token.
    struct Line {
        var tokens: Range<Int>
        var indent: Int
    }

    public func scan(_ text: SourceText) -> Result {
        var lexed = LexedFile(text: text)
        let lines = CythonScanner.tokenize(text, into: &lexed)
        var result = Result(lexed: lexed)
        let toks = lexed.tokens
        func spell(_ i: Int) -> String { lexed.spelling(at: i) }
        func isPunct(_ i: Int, _ p: String) -> Bool { i >= 0 && i < toks.count && toks[i].kind == .punct && spell(i) == p }

        // Blocks that declare external C functions, and function bodies, by indentation.
        var externLines = Set<Int>()
        var functionStack: [(name: String, indent: Int, start: Int)] = []
        var externIndent: Int? = nil
        for (k, line) in lines.enumerated() {
            let words = line.tokens.prefix(4).map(spell)
            let start = toks[line.tokens.lowerBound].start
            while let f = functionStack.last, line.indent <= f.indent {
                functionStack.removeLast()
                result.functions.append(FunctionSpan(name: f.name, bodyRange: f.start..<start))
            }
            if let e = externIndent, line.indent > e {
                externLines.insert(k)
                continue
            }
            externIndent = nil
            if words.count >= 2, words[0] == "cdef" || words[0] == "ctypedef", words[1] == "extern" {
                externLines.insert(k)
                if let last = line.tokens.last, isPunct(last, ":") { externIndent = line.indent }
                continue
            }
            if words.first == "def" || words.first == "cdef" || words.first == "cpdef", !words.contains("class"),
               let last = line.tokens.last, isPunct(last, ":"),
               let open = line.tokens.first(where: { isPunct($0, "(") }), open > line.tokens.lowerBound,
               toks[open - 1].kind == .identifier {
                functionStack.append((spell(open - 1), line.indent, start))
            }
        }
        let end = text.count
        while let f = functionStack.popLast() { result.functions.append(FunctionSpan(name: f.name, bodyRange: f.start..<end)) }

        // `int alias "PyObject_AsWriteBuffer"(...)` in an extern block: the function under another
        // Cython name (Cython emits the string as the C name). The string is the declaration; the
        // alias, wherever else it is used, stands for the function.
        var aliases: [String: String] = [:]
        var aliasDeclarations: [Int: String] = [:]
        for (k, line) in lines.enumerated() where externLines.contains(k) {
            for i in line.tokens where toks[i].kind == .literal && i > line.tokens.lowerBound && toks[i - 1].kind == .identifier
                && i + 1 < line.tokens.upperBound && isPunct(i + 1, "(") {
                let s = spell(i)
                guard let q = s.first, q == "\"" || q == "'", s.count > 2, s.last == q else { continue }
                let cName = String(s.dropFirst().dropLast())
                guard names.contains(cName) else { continue }
                aliases[spell(i - 1)] = cName
                aliasDeclarations[i] = cName
            }
        }

        for (k, line) in lines.enumerated() {
            let first = line.tokens.lowerBound
            let isImport = ["from", "cimport", "import"].contains(spell(first))
            for i in line.tokens where toks[i].kind == .identifier || aliasDeclarations[i] != nil {
                if let cName = aliasDeclarations[i] {
                    var occ = Occurrence(function: cName, kind: .declaration, nameRange: toks[i].start..<toks[i].end)
                    occ.alias = spell(i - 1)
                    result.occurrences.append(occ)
                    continue
                }
                var name = spell(i)
                var alias: String? = nil
                if let cName = aliases[name] {
                    // The alias's own name in its declaration is not a use.
                    if externLines.contains(k), i + 1 < line.tokens.upperBound, aliasDeclarations[i + 1] != nil { continue }
                    alias = name
                    name = cName
                }
                guard names.contains(name) else { continue }
                if i > first, isPunct(i - 1, ".") { continue }  // an attribute of something else
                let range = toks[i].start..<toks[i].end
                var occ = Occurrence(function: name, kind: .reference, nameRange: range)
                occ.alias = alias
                if externLines.contains(k) || isImport {
                    occ.kind = .declaration
                } else if i + 1 < line.tokens.upperBound, isPunct(i + 1, "(") {
                    let defining = i > first && ["def", "cdef", "cpdef"].contains(spell(first))
                        && line.tokens[first..<i].allSatisfy { !isPunct($0, "(") && !isPunct($0, "=") }
                    occ.kind = defining ? .shadowing : .call
                    if let close = CythonScanner.matchingParen(i + 1, limit: line.tokens.upperBound, lexed) {
                        occ.callRange = range.lowerBound..<toks[close].end
                    }
                }
                occ.enclosingFunction = result.functions.filter { $0.bodyRange.contains(range.lowerBound) }
                    .min { $0.bodyRange.count < $1.bodyRange.count }?.name
                result.occurrences.append(occ)
            }
        }
        return result
    }

    static func matchingParen(_ open: Int, limit: Int, _ lexed: LexedFile) -> Int? {
        var depth = 0
        for j in open..<limit where lexed.tokens[j].kind == .punct {
            let s = lexed.spelling(at: j)
            if s == "(" || s == "[" || s == "{" { depth += 1 }
            if s == ")" || s == "]" || s == "}" { depth -= 1; if depth == 0 { return s == ")" ? j : nil } }
        }
        return nil
    }

    static let stringPrefixes: Set<String> = ["r", "b", "u", "f", "br", "rb", "fr", "rf", "c"]

    /// Splits the text into tokens and logical lines (brackets and backslashes join physical lines).
    static func tokenize(_ text: SourceText, into lexed: inout LexedFile) -> [Line] {
        let b = text.bytes
        let n = b.count
        var i = 0
        var lines: [Line] = []
        var depth = 0
        var lineStartToken = 0
        var indent = 0
        var atLineStart = true
        var column = 0
        func isIdentStart(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c >= 0x80 }
        func isIdentChar(_ c: UInt8) -> Bool { isIdentStart(c) || (c >= 0x30 && c <= 0x39) }
        func endLogicalLine() {
            if lexed.tokens.count > lineStartToken { lines.append(Line(tokens: lineStartToken..<lexed.tokens.count, indent: indent)) }
            lineStartToken = lexed.tokens.count
            atLineStart = true
            column = 0
        }
        func add(_ kind: Token.Kind, _ s: Int, _ e: Int) {
            if lexed.tokens.count == lineStartToken { indent = column }
            lexed.tokens.append(Token(kind: kind, start: s, end: e, directive: nil))
            atLineStart = false
        }
        while i < n {
            let c = b[i]
            if c == 0x0A {
                i += 1
                if depth == 0 { endLogicalLine() } else { column = 0 }
                continue
            }
            if c == 0x5C, i + 1 < n, b[i + 1] == 0x0A || b[i + 1] == 0x0D { i += b[i + 1] == 0x0D && i + 2 < n && b[i + 2] == 0x0A ? 3 : 2; continue }
            if c == 0x20 || c == 0x0D || c == 0x0C { i += 1; if atLineStart { column += 1 }; continue }
            if c == 0x09 { i += 1; if atLineStart { column = (column / 8 + 1) * 8 }; continue }
            if c == 0x23 {  // `#` comment
                let s = i
                while i < n && b[i] != 0x0A { i += 1 }
                lexed.comments.append(s..<i)
                continue
            }
            if c == 0x22 || c == 0x27 {
                let e = skipString(b, from: i)
                add(.literal, i, e)
                i = e
                continue
            }
            if isIdentStart(c) {
                var j = i + 1
                while j < n && isIdentChar(b[j]) { j += 1 }
                if j < n, b[j] == 0x22 || b[j] == 0x27, stringPrefixes.contains(String(decoding: b[i..<j], as: UTF8.self).lowercased()) {
                    let e = skipString(b, from: j)
                    add(.literal, i, e)
                    i = e
                    continue
                }
                add(.identifier, i, j)
                i = j
                continue
            }
            if c >= 0x30 && c <= 0x39 {
                var j = i + 1
                while j < n && (isIdentChar(b[j]) || b[j] == 0x2E) { j += 1 }
                add(.number, i, j)
                i = j
                continue
            }
            if c == 0x28 || c == 0x5B || c == 0x7B { depth += 1 }
            if c == 0x29 || c == 0x5D || c == 0x7D { depth = max(0, depth - 1) }
            add(.punct, i, i + 1)
            i += 1
        }
        endLogicalLine()
        return lines
    }

    /// Skips a string starting at its quote: '...', "...", '''...''' or """...""".
    /// An unterminated short string ends at the end of its line.
    static func skipString(_ b: [UInt8], from start: Int) -> Int {
        let q = b[start]
        let n = b.count
        if start + 2 < n, b[start + 1] == q, b[start + 2] == q {
            var i = start + 3
            while i < n {
                if b[i] == 0x5C { i += 2; continue }
                if b[i] == q, i + 2 < n, b[i + 1] == q, b[i + 2] == q { return i + 3 }
                i += 1
            }
            return n
        }
        var i = start + 1
        while i < n {
            if b[i] == 0x5C { i += 2; continue }
            if b[i] == q { return i + 1 }
            if b[i] == 0x0A { return i }
            i += 1
        }
        return n
    }
}
