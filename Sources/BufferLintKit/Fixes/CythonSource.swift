import Foundation

/// A Cython file as the fixes see it: logical lines (brackets and backslashes join physical
/// lines; comments are not lines) with their indentation, the blocks they open, and the
/// declarations they make.
struct CythonSource {
    let text: SourceText
    let lexed: LexedFile
    let lines: [Line]
    /// For each token, the index of its logical line.
    let lineOfToken: [Int]

    struct Line {
        var tokens: Range<Int>
        var indent: Int
        /// First and last physical line (1-based).
        var first: Int
        var last: Int
    }

    init(text: SourceText) {
        self.text = text
        var lexed = LexedFile(text: text)
        let raw = CythonScanner.tokenize(text, into: &lexed)
        self.lexed = lexed
        var out: [Line] = []
        var owner = [Int](repeating: 0, count: lexed.tokens.count)
        for l in raw {
            let first = text.line(of: lexed.tokens[l.tokens.lowerBound].start)
            let last = text.line(of: max(lexed.tokens[l.tokens.upperBound - 1].end - 1, lexed.tokens[l.tokens.upperBound - 1].start))
            for k in l.tokens { owner[k] = out.count }
            out.append(Line(tokens: l.tokens, indent: l.indent, first: first, last: last))
        }
        lines = out
        lineOfToken = owner
    }

    var eol: String { text.usesCRLF ? "\r\n" : "\n" }

    func spell(_ k: Int) -> String { lexed.spelling(at: k) }
    func isPunct(_ k: Int, _ p: String) -> Bool { lexed.isPunct(k, p) }
    func isIdentifier(_ k: Int) -> Bool { k >= 0 && k < lexed.tokens.count && lexed.tokens[k].kind == .identifier }

    /// Two punctuation characters written together (`==`, `<=`, `+=`), or the one at `k`.
    func op(at k: Int) -> String {
        guard k >= 0, k < lexed.tokens.count, lexed.tokens[k].kind == .punct else { return "" }
        let s = spell(k)
        if k + 1 < lexed.tokens.count, lexed.tokens[k + 1].kind == .punct, lexed.tokens[k + 1].start == lexed.tokens[k].end,
           "=<>!+-*/%&|^".contains(s), spell(k + 1) == "=" {
            return s + "="
        }
        return s
    }

    /// The operator that ends just before token `k` (`==` when `k - 2`, `k - 1` are `=`, `=`).
    func op(endingBefore k: Int) -> String {
        guard k - 1 >= 0, lexed.tokens[k - 1].kind == .punct else { return "" }
        if k - 2 >= 0, lexed.tokens[k - 2].kind == .punct, lexed.tokens[k - 2].end == lexed.tokens[k - 1].start,
           spell(k - 1) == "=", "=<>!+-*/%&|^".contains(spell(k - 2)) {
            return spell(k - 2) + "="
        }
        return spell(k - 1)
    }

    /// A plain `=` (not `==`, `<=`, `+=`, ...).
    func isAssign(_ k: Int) -> Bool {
        guard isPunct(k, "=") else { return false }
        if k + 1 < lexed.tokens.count, isPunct(k + 1, "="), lexed.tokens[k + 1].start == lexed.tokens[k].end { return false }
        if k > 0, lexed.tokens[k - 1].kind == .punct, lexed.tokens[k - 1].end == lexed.tokens[k].start, "=<>!+-*/%&|^".contains(spell(k - 1)) { return false }
        return true
    }

    func words(_ l: Int, _ n: Int = 3) -> [String] { lines[l].tokens.prefix(n).map(spell) }
    func firstWord(_ l: Int) -> String { spell(lines[l].tokens.lowerBound) }

    /// Offset of the start of the line's first physical line.
    func start(_ l: Int) -> Int { text.lineStarts[lines[l].first - 1] }
    /// Offset of the end of the line's last physical line, before its line break.
    func end(_ l: Int) -> Int {
        let n = lines[l].last
        var e = n < text.lineStarts.count ? text.lineStarts[n] - 1 : text.count
        if e > 0, e - 1 < text.count, text.bytes[e - 1] == 0x0D, e - 1 >= text.lineStarts[n - 1] { e -= 1 }
        return e
    }
    /// Offset just after the line break of the line's last physical line.
    func after(_ l: Int) -> Int {
        let n = lines[l].last
        return n < text.lineStarts.count ? text.lineStarts[n] : text.count
    }

    /// The logical line holding the byte at `offset`.
    func lineIndex(at offset: Int) -> Int? {
        guard let k = tokenIndex(at: offset) else { return nil }
        return lineOfToken[k]
    }

    func tokenIndex(at offset: Int) -> Int? {
        var lo = 0, hi = lexed.tokens.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let t = lexed.tokens[mid]
            if offset < t.start { hi = mid - 1 } else if offset >= t.end { lo = mid + 1 } else { return mid }
        }
        return nil
    }

    /// A line that opens a block: it ends with `:`.
    func isHeader(_ l: Int) -> Bool { isPunct(lines[l].tokens.upperBound - 1, ":") }

    /// The line whose block holds `l` (the nearest earlier line indented less).
    func parent(_ l: Int) -> Int? {
        var k = l - 1
        while k >= 0 {
            if lines[k].indent < lines[l].indent { return k }
            k -= 1
        }
        return nil
    }

    /// The first line after the block `header` opens.
    func blockEnd(_ header: Int) -> Int {
        var k = header + 1
        while k < lines.count, lines[k].indent > lines[header].indent { k += 1 }
        return k
    }

    /// The first line of the compound statement whose clause `l` opens: the `if` of an `elif`/`else`,
    /// the `try` of an `except`/`finally`, the loop of a loop's `else`.
    func statementHead(_ l: Int) -> Int {
        var k = l
        while ["elif", "else", "except", "finally"].contains(firstWord(k)) {
            guard let prev = (0..<k).reversed().first(where: { lines[$0].indent <= lines[k].indent }), lines[prev].indent == lines[k].indent else { break }
            k = prev
        }
        return k
    }

    /// The first line after `l` indented less than `l`: the end of the statements that follow `l` in its block.
    func restEnd(_ l: Int) -> Int {
        var k = l + 1
        while k < lines.count, lines[k].indent >= lines[l].indent { k += 1 }
        return k
    }

    static let notFunctions: Set<String> = ["class", "extern", "struct", "union", "enum", "cppclass", "fused"]

    /// `def`, `cdef`/`cpdef` function or `async def` headers.
    func isFunctionHeader(_ l: Int) -> Bool {
        guard isHeader(l) else { return false }
        let w = words(l, 2)
        if w.first == "def" || (w.first == "async" && w.count > 1 && w[1] == "def") { return true }
        guard w.first == "cdef" || w.first == "cpdef" else { return false }
        if w.count > 1, CythonSource.notFunctions.contains(w[1]) { return false }
        // A `cdef` header with a parameter list: `cdef inline int f(...):`.
        return lines[l].tokens.contains { isPunct($0, "(") }
    }

    /// The text of a line rebuilt from its tokens (comments dropped, any run of white space one space).
    func tokenText(_ range: Range<Int>, replacing: [Int: String] = [:]) -> String {
        var out = ""
        var prevEnd: Int? = nil
        for k in range {
            let t = lexed.tokens[k]
            if let p = prevEnd, t.start > p { out += " " }
            out += replacing[k] ?? spell(k)
            prevEnd = t.end
        }
        return out
    }

    /// The text of tokens `range` as written.
    func source(_ range: Range<Int>) -> String {
        guard !range.isEmpty else { return "" }
        return text.text(lexed.tokens[range.lowerBound].start..<lexed.tokens[range.upperBound - 1].end)
    }

    /// The matching closing bracket of the one at `open`, within `limit`.
    func closing(_ open: Int, limit: Int) -> Int? {
        var depth = 0
        for j in open..<limit where lexed.tokens[j].kind == .punct {
            let s = spell(j)
            if s == "(" || s == "[" || s == "{" { depth += 1 }
            if s == ")" || s == "]" || s == "}" { depth -= 1; if depth == 0 { return j } }
        }
        return nil
    }

    /// The opening bracket that encloses token `k` within `range`.
    func enclosingOpen(_ k: Int, from lower: Int) -> Int? {
        var depth = 0
        var j = k - 1
        while j >= lower {
            if lexed.tokens[j].kind == .punct {
                let s = spell(j)
                if s == ")" || s == "]" || s == "}" { depth += 1 }
                if s == "(" || s == "[" || s == "{" { if depth == 0 { return j }; depth -= 1 }
            }
            j -= 1
        }
        return nil
    }

    /// Splits `range` at the commas outside brackets.
    func splitArguments(_ range: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var depth = 0
        var start = range.lowerBound
        for j in range where lexed.tokens[j].kind == .punct {
            let s = spell(j)
            if s == "(" || s == "[" || s == "{" { depth += 1 }
            if s == ")" || s == "]" || s == "}" { depth -= 1 }
            if s == ",", depth == 0 { out.append(start..<j); start = j + 1 }
        }
        out.append(start..<range.upperBound)
        return out
    }

    /// A Cython cast `<T>` ending at the `>` at `close`: the index of its `<`.
    func castStart(closingAt close: Int, from lower: Int) -> Int? {
        guard isPunct(close, ">") else { return nil }
        var j = close - 1
        while j >= lower {
            let t = lexed.tokens[j]
            if t.kind == .punct && spell(j) == "<" {
                // A cast stands where an operand is expected, never after one.
                if j > lower, isIdentifier(j - 1) && !CythonSource.keywords.contains(spell(j - 1)) { return nil }
                if j > lower, isPunct(j - 1, ")") || isPunct(j - 1, "]") || lexed.tokens[j - 1].kind == .number || lexed.tokens[j - 1].kind == .literal { return nil }
                return j
            }
            guard t.kind == .identifier || (t.kind == .punct && ["*", "&", "[", "]", "?"].contains(spell(j))) || t.kind == .number else { return nil }
            j -= 1
        }
        return nil
    }

    /// Strips leading Cython casts from an expression: `<void **>&x` -> `&x`.
    func strippingCasts(_ r: Range<Int>) -> Range<Int> {
        var r = r
        while r.count > 2, isPunct(r.lowerBound, "<") {
            guard let close = (r.lowerBound + 1..<r.upperBound).first(where: { isPunct($0, ">") }) else { break }
            r = (close + 1)..<r.upperBound
        }
        return r
    }

    static let keywords: Set<String> = ["return", "if", "elif", "while", "and", "or", "not", "in", "is", "assert", "yield", "else", "print", "del", "raise", "with", "for", "lambda"]

    // MARK: - Declarations

    struct Declarator {
        var name: String
        var nameToken: Int
        /// The declared type (`const void *`), nil for arrays and function pointers.
        var type: String?
        /// The `=` of an initializer.
        var assign: Int?
        /// What indexing it gives: `T *` for `T **name` and for `T *name[8]`.
        var elementType: String? = nil
    }

    /// The variables a `cdef` statement line declares (nil for other lines).
    func cdefDeclarators(_ l: Int) -> [Declarator]? {
        let r = lines[l].tokens
        guard spell(r.lowerBound) == "cdef", r.count > 2 else { return nil }
        let second = spell(r.lowerBound + 1)
        if CythonSource.notFunctions.contains(second) || ["inline", "public", "api", "readonly"].contains(second) || isHeader(l) { return nil }
        var out: [Declarator] = []
        var base: String? = nil
        for d in splitArguments((r.lowerBound + 1)..<r.upperBound) {
            let assign = d.first { isAssign($0) }
            let declPart = d.lowerBound..<(assign ?? d.upperBound)
            let bracket = declPart.first { isPunct($0, "[") }
            guard let nameToken = (declPart.lowerBound..<(bracket ?? declPart.upperBound)).last(where: { isIdentifier($0) }) else { return nil }
            let complex = declPart.contains { isPunct($0, "[") || isPunct($0, "(") } || nameToken != declPart.upperBound - 1
            let array = bracket == nameToken + 1 && !declPart.contains { isPunct($0, "(") } && !declPart[(nameToken + 1)...].dropFirst().contains { isPunct($0, "[") }
            var starStart = nameToken
            while starStart > declPart.lowerBound, isPunct(starStart - 1, "*") { starStart -= 1 }
            let stars = String(repeating: "*", count: nameToken - starStart)
            if base == nil {
                guard starStart > declPart.lowerBound else { return nil }
                base = tokenText(declPart.lowerBound..<starStart)
            }
            let type = complex ? nil : base! + (stars.isEmpty ? "" : " " + stars)
            var element: String? = nil
            if array { element = base! + (stars.isEmpty ? "" : " " + stars) }
            if !complex, !stars.isEmpty { element = base! + (stars.count > 1 ? " " + String(stars.dropLast()) : "") }
            out.append(Declarator(name: spell(nameToken), nameToken: nameToken, type: type, assign: assign, elementType: element))
        }
        return out
    }

    /// Where `name` is declared by a `cdef` line among lines `range`, at the indentation `indent`.
    func localDeclaration(of name: String, in range: Range<Int>, indent: Int? = nil) -> (line: Int, declarator: Declarator, count: Int)? {
        for l in range where indent == nil || lines[l].indent == indent! {
            guard let ds = cdefDeclarators(l), let d = ds.first(where: { $0.name == name }) else { continue }
            return (l, d, ds.count)
        }
        return nil
    }

    /// The names of the parameters of the function whose header is `def`.
    func parameters(_ def: Int) -> Set<String> {
        let r = lines[def].tokens
        guard let open = r.first(where: { isPunct($0, "(") }), let close = closing(open, limit: r.upperBound) else { return [] }
        var out = Set<String>()
        for a in splitArguments((open + 1)..<close) {
            let declPart = a.lowerBound..<(a.first { isPunct($0, "=") } ?? a.upperBound)
            if let n = declPart.last(where: { isIdentifier($0) }) { out.insert(spell(n)) }
        }
        return out
    }

    /// Names declared by `cdef` lines (and `global` targets) at module level.
    func moduleVariables() -> Set<String> {
        var out = Set<String>()
        for l in lines.indices where lines[l].indent == 0 {
            for d in cdefDeclarators(l) ?? [] { out.insert(d.name) }
        }
        return out
    }

    /// The `cdef extern` block holding line `l` (its header line), or `l` itself for a one-line `cdef extern` declaration.
    func externBlock(of l: Int) -> Int? {
        if words(l, 2) == ["cdef", "extern"] { return l }
        // Directly in the block: a field of a struct declared there is not a declaration of its own.
        if let p = parent(l), words(p, 2) == ["cdef", "extern"], isHeader(p) { return p }
        return nil
    }

    /// A declaration of an old function, as the declaration of `newName`: the line's tokens
    /// without a leading `cdef extern [from "h"]:`, with the name replaced.
    func signature(declarationAt nameToken: Int, newName: String) -> String? {
        let l = lineOfToken[nameToken]
        var r = lines[l].tokens
        if words(l, 2) == ["cdef", "extern"] {
            // `cdef extern int f(...)` or `cdef extern from "h": int f(...)`.
            if let colon = r.first(where: { isPunct($0, ":") && $0 < nameToken }) { r = (colon + 1)..<r.upperBound } else { r = (r.lowerBound + 2)..<r.upperBound }
        }
        guard externBlock(of: l) != nil, r.contains(nameToken), isPunct(nameToken + 1, "(") else { return nil }
        if spell(r.lowerBound) == "cdef" { r = (r.lowerBound + 1)..<r.upperBound }
        return tokenText(r, replacing: [nameToken: newName])
    }

    // MARK: - Files

    /// The files this one `include`s (as written, resolved against its folder).
    func includes(folder: String) -> [String] {
        var out: [String] = []
        for l in lines.indices where firstWord(l) == "include" {
            let r = lines[l].tokens
            guard r.count == 2, lexed.tokens[r.lowerBound + 1].kind == .literal else { continue }
            let lit = spell(r.lowerBound + 1)
            let name = String(lit.dropFirst().dropLast())
            out.append(((folder as NSString).appendingPathComponent(name) as NSString).standardizingPath)
        }
        return out
    }

    /// The module paths this file cimports `name` from (`from a.b cimport name`).
    func cimportSources(of name: String) -> [String] {
        var out: [String] = []
        for l in lines.indices where firstWord(l) == "from" {
            let r = lines[l].tokens
            guard let c = r.first(where: { spell($0) == "cimport" }), r[(c + 1)...].contains(where: { spell($0) == name }) else { continue }
            out.append(tokenText((r.lowerBound + 1)..<c).replacingOccurrences(of: " ", with: ""))
        }
        return out
    }

    /// Where code can go before everything else: after the leading comments, the module
    /// docstring and the import block at the top.
    func topOffset() -> Int {
        var k = 0
        var afterLast: Int? = nil
        if k < lines.count, lines[k].indent == 0, lines[k].tokens.count == 1, lexed.tokens[lines[k].tokens.lowerBound].kind == .literal {
            afterLast = after(k)
            k += 1
        }
        while k < lines.count, lines[k].indent == 0, ["from", "import", "cimport"].contains(firstWord(k)) {
            afterLast = after(k)
            k += 1
        }
        if let a = afterLast { return a }
        // After the leading comment lines (directives such as `# cython: language_level=3` stay first).
        var n = 1
        while n <= text.lineStarts.count, text.lineText(n).hasPrefix("#") { n += 1 }
        return n <= text.lineStarts.count ? text.lineStarts[n - 1] : text.count
    }
}
