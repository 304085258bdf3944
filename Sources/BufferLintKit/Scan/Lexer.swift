/// A C/C++ token as far as bufferlint needs it: identifiers, numbers and
/// punctuation, with comments, string and character literals skipped over
/// (never split into identifiers), and preprocessor directives marked.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case identifier, number, punct, literal }
    public let kind: Kind
    public let start: Int
    public let end: Int
    /// Index into `LexedFile.directives` when the token belongs to a directive line.
    public let directive: Int?
}

public struct Directive: Sendable {
    public enum Kind: String, Sendable {
        case `if`, ifdef, ifndef, elif, elifdef, elifndef, `else`, endif, define, undef, include, includeNext = "include_next", other
    }
    public let kind: Kind
    /// Offset of the `#` (or `%#` in SWIG files).
    public let start: Int
    /// Offset just past the directive (before the final newline).
    public let end: Int
    /// Tokens after the directive name: `tokens` indices.
    public var tokenRange: Range<Int>
    /// For SWIG `%#if` lines: a directive passed through to the compiler.
    public let swigPassthrough: Bool
    /// For SWIG `%include <header>` / `%import` lines: a header SWIG's own preprocessor reads.
    public var swigInclude = false
}

public struct LexedFile: Sendable {
    public let text: SourceText
    public var tokens: [Token] = []
    public var directives: [Directive] = []
    /// Byte ranges of comments, for suppression comments.
    public var comments: [Range<Int>] = []

    public func spelling(_ t: Token) -> String {
        // Nearly every token is ASCII: decode it directly, without validation.
        let bytes = text.bytes[t.start..<t.end]
        if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return text.text(t.start..<t.end)
    }
    public func spelling(at i: Int) -> String { spelling(tokens[i]) }
    /// The identifiers written in a byte range, in order (repeats kept).
    public func identifiers(in range: Range<Int>) -> [String] {
        var lo = 0, hi = tokens.count
        while lo < hi { let mid = (lo + hi) / 2; if tokens[mid].start < range.lowerBound { lo = mid + 1 } else { hi = mid } }
        var out: [String] = []
        while lo < tokens.count, tokens[lo].start < range.upperBound {
            if tokens[lo].kind == .identifier { out.append(spelling(tokens[lo])) }
            lo += 1
        }
        return out
    }
    public func isPunct(_ i: Int, _ p: String) -> Bool {
        i >= 0 && i < tokens.count && tokens[i].kind == .punct && spelling(tokens[i]) == p
    }
}

public enum LexerDialect: Sendable { case c, swig }

/// A byte-level lexer. It never fails: malformed input (an unterminated
/// comment or string) ends the token at the end of the line or file.
public struct Lexer {
    public static func lex(_ text: SourceText, dialect: LexerDialect = .c) -> LexedFile {
        var out = LexedFile(text: text)
        let b = text.bytes
        let n = b.count
        out.tokens.reserveCapacity(n / 6)
        var i = 0
        var atLineStart = true
        var currentDirective: Int? = nil

        @inline(__always) func isIdentStart(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c >= 0x80
        }
        @inline(__always) func isIdentChar(_ c: UInt8) -> Bool { isIdentStart(c) || (c >= 0x30 && c <= 0x39) }

        func finishDirective() {
            if let d = currentDirective {
                out.directives[d].tokenRange = out.directives[d].tokenRange.lowerBound..<out.tokens.count
                currentDirective = nil
            }
        }

        while i < n {
            let c = b[i]
            // Line continuation: backslash-newline joins lines, also inside directives.
            if c == 0x5C, i + 1 < n, b[i + 1] == 0x0A || (b[i + 1] == 0x0D && i + 2 < n && b[i + 2] == 0x0A) {
                i += b[i + 1] == 0x0A ? 2 : 3
                continue
            }
            if c == 0x0A {
                finishDirective()
                atLineStart = true
                i += 1
                continue
            }
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0C || c == 0x0B { i += 1; continue }
            // Comments.
            if c == 0x2F, i + 1 < n, b[i + 1] == 0x2F {
                let commentStart = i
                defer { out.comments.append(commentStart..<i) }
                while i < n && b[i] != 0x0A {
                    if b[i] == 0x5C, i + 1 < n, b[i + 1] == 0x0A { i += 2; continue }
                    i += 1
                }
                continue
            }
            if c == 0x2F, i + 1 < n, b[i + 1] == 0x2A {
                let commentStart = i
                defer { out.comments.append(commentStart..<i) }
                i += 2
                while i < n && !(b[i] == 0x2A && i + 1 < n && b[i + 1] == 0x2F) { i += 1 }
                i = min(n, i + 2)
                continue
            }
            // Directive start: `#` first on a line (or `%#` in SWIG).
            if atLineStart && currentDirective == nil && (c == 0x23 || (dialect == .swig && c == 0x25 && i + 1 < n && b[i + 1] == 0x23)) {
                let hashStart = i
                let swig = c == 0x25
                i += swig ? 2 : 1
                while i < n && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
                var nameEnd = i
                while nameEnd < n && isIdentChar(b[nameEnd]) { nameEnd += 1 }
                let name = String(decoding: b[i..<nameEnd], as: UTF8.self)
                let kind = Directive.Kind(rawValue: name) ?? .other
                i = nameEnd
                // The end offset is fixed up lazily below; record the line's end now.
                var e = i
                while e < n {
                    if b[e] == 0x0A {
                        if e > 0 && b[e - 1] == 0x5C { e += 1; continue }
                        if e > 1 && b[e - 1] == 0x0D && b[e - 2] == 0x5C { e += 1; continue }
                        break
                    }
                    e += 1
                }
                out.directives.append(Directive(kind: kind, start: hashStart, end: e, tokenRange: out.tokens.count..<out.tokens.count, swigPassthrough: swig))
                currentDirective = out.directives.count - 1
                atLineStart = false
                if kind == .include || kind == .includeNext {
                    // `<path>` is one literal token.
                    while i < n && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
                    if i < n && b[i] == 0x3C {
                        var j = i + 1
                        while j < n && b[j] != 0x3E && b[j] != 0x0A { j += 1 }
                        out.tokens.append(Token(kind: .literal, start: i, end: min(n, j + 1), directive: currentDirective))
                        i = min(n, j + 1)
                    }
                }
                continue
            }
            atLineStart = false
            if isIdentStart(c) {
                var j = i + 1
                while j < n && isIdentChar(b[j]) { j += 1 }
                // Encoding prefixes and raw strings: L"..", u8"..", R"x(..)x".
                if j < n && (b[j] == 0x22 || b[j] == 0x27) {
                    let prefix = String(decoding: b[i..<j], as: UTF8.self)
                    if ["L", "u", "U", "u8", "R", "LR", "uR", "UR", "u8R"].contains(prefix) {
                        let raw = prefix.hasSuffix("R") && b[j] == 0x22
                        let end = raw ? skipRawString(b, from: j) : skipQuoted(b, from: j)
                        out.tokens.append(Token(kind: .literal, start: i, end: end, directive: currentDirective))
                        i = end
                        continue
                    }
                }
                out.tokens.append(Token(kind: .identifier, start: i, end: j, directive: currentDirective))
                i = j
                continue
            }
            if c >= 0x30 && c <= 0x39 || (c == 0x2E && i + 1 < n && b[i + 1] >= 0x30 && b[i + 1] <= 0x39) {
                var j = i + 1
                while j < n {
                    let d = b[j]
                    if isIdentChar(d) || d == 0x2E { j += 1; continue }
                    if (d == 0x2B || d == 0x2D), b[j - 1] == 0x65 || b[j - 1] == 0x45 || b[j - 1] == 0x70 || b[j - 1] == 0x50 { j += 1; continue }
                    if d == 0x27, j + 1 < n, isIdentChar(b[j + 1]) { j += 1; continue } // C++14 digit separator
                    break
                }
                out.tokens.append(Token(kind: .number, start: i, end: j, directive: currentDirective))
                i = j
                continue
            }
            if c == 0x22 || c == 0x27 {
                let end = skipQuoted(b, from: i)
                out.tokens.append(Token(kind: .literal, start: i, end: end, directive: currentDirective))
                i = end
                continue
            }
            // Punctuation: the multi-character operators that matter for scanning.
            let len = punctLength(b, i)
            out.tokens.append(Token(kind: .punct, start: i, end: i + len, directive: currentDirective))
            i += len
        }
        finishDirective()
        return out
    }

    /// Skips a "..." or '...' literal; an unterminated one ends at the end of its line.
    static func skipQuoted(_ b: [UInt8], from start: Int) -> Int {
        let q = b[start]
        var i = start + 1
        while i < b.count {
            let c = b[i]
            if c == 0x5C { i += 2; continue }
            if c == q { return i + 1 }
            if c == 0x0A { return i }
            i += 1
        }
        return b.count
    }

    static func skipRawString(_ b: [UInt8], from quote: Int) -> Int {
        var i = quote + 1
        var delim: [UInt8] = []
        while i < b.count && b[i] != 0x28 && delim.count < 16 { delim.append(b[i]); i += 1 }
        let close: [UInt8] = [0x29] + delim + [0x22]
        while i < b.count {
            if b[i] == 0x29, i + close.count <= b.count, Array(b[i..<i + close.count]) == close { return i + close.count }
            i += 1
        }
        return b.count
    }

    static let threeChar: [[UInt8]] = ["<<=", ">>=", "...", "->*"].map { Array($0.utf8) }
    static let twoChar: [[UInt8]] = ["##", "->", "::", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--",
                                     "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "%{", "%}"].map { Array($0.utf8) }

    static func punctLength(_ b: [UInt8], _ i: Int) -> Int {
        let n = b.count
        // Most punctuation is a single character: only these can start a longer operator.
        switch b[i] {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "?"), UInt8(ascii: "~"):
            return 1
        default:
            break
        }
        if i + 2 < n { for p in threeChar where b[i] == p[0] && b[i + 1] == p[1] && b[i + 2] == p[2] { return 3 } }
        if i + 1 < n { for p in twoChar where b[i] == p[0] && b[i + 1] == p[1] { return 2 } }
        return 1
    }
}
