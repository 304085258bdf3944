/// A macro as the preprocessor knows it.
public struct MacroDefinition: Sendable {
    public let name: String
    /// Parameter names for a function-like macro, nil for an object-like one.
    public let parameters: [String]?
    public let body: [String]
    public let file: String
    public let line: Int
    /// Defined by the scanned project (not by Python's or the system's headers).
    public let isProject: Bool
    /// Defined in a branch whose condition could not be decided: its value is unknown.
    public let isUncertain: Bool
}

/// The macros in force at one point of a translation unit.
public struct MacroTable: Sendable {
    public var macros: [String: MacroDefinition] = [:]
    /// True when an include could not be found: an undefined name may then come
    /// from that header, so its value is unknown rather than 0.
    public var hasMissingIncludes = false
    public var pythonHeadersLoaded = false
    /// Names that some file of this translation unit defines: where they are not
    /// defined yet, they are absent, whatever header is missing.
    public var definedSomewhere = Set<String>()

    public init() {}

    /// Names the compiler or platform defines (or that only other platforms define):
    /// their absence is known even when some include is missing.
    static let platformNames: Set<String> = [
        "WIN32", "WIN64", "MS_WINDOWS", "MS_WIN32", "MS_WIN64", "MS_WINCE", "MSDOS", "OS2", "PYOS_OS2",
        "RISCOS", "__APPLE__", "__MACH__", "__FreeBSD__", "__OpenBSD__", "__NetBSD__", "__CYGWIN__",
        "__MINGW32__", "__MINGW64__", "_MSC_VER", "__sun", "__hpux", "_AIX", "__BORLANDC__", "__WATCOMC__",
    ]

    func isKnownAbsent(_ name: String) -> Bool {
        if !hasMissingIncludes || definedSomewhere.contains(name) { return true }
        if name.hasPrefix("__") || (name.hasPrefix("_") && name.dropFirst().first?.isUppercase == true) { return true }
        if MacroTable.platformNames.contains(name) { return true }
        if pythonHeadersLoaded && (name.hasPrefix("Py") || name.hasPrefix("PY") || name.hasPrefix("_Py")) { return true }
        return false
    }
}

/// Three-valued truth for preprocessor conditions that cannot always be decided
/// (a macro from a header that is not installed).
public enum Truth: Sendable, Equatable {
    case yes, no, unknown

    static func and(_ a: Truth, _ b: Truth) -> Truth {
        if a == .no || b == .no { return .no }
        if a == .yes && b == .yes { return .yes }
        return .unknown
    }
    static func not(_ a: Truth) -> Truth { a == .yes ? .no : a == .no ? .yes : .unknown }
    static func or(_ a: Truth, _ b: Truth) -> Truth { not(and(not(a), not(b))) }
}

/// Evaluates `#if` / `#elif` expressions against a macro table.
public struct ConditionEvaluator {
    let table: MacroTable
    let isCPlusPlus: Bool
    /// `and`, `or`, `not`, `bitand`, ... are operators: in C++, and in C after `<iso646.h>`.
    let alternativeTokens: Bool

    public init(table: MacroTable, isCPlusPlus: Bool, alternativeTokens: Bool? = nil) {
        self.table = table
        self.isCPlusPlus = isCPlusPlus
        self.alternativeTokens = alternativeTokens ?? isCPlusPlus
    }

    /// The alternative spellings of the operators (C++ [lex.digraph], C's <iso646.h>).
    static let alternatives: [String: String] = [
        "and": "&&", "or": "||", "not": "!", "bitand": "&", "bitor": "|", "xor": "^", "compl": "~", "not_eq": "!=",
    ]

    public func truth(of tokens: [String]) -> Truth {
        let spelled = alternativeTokens ? tokens.map { ConditionEvaluator.alternatives[$0] ?? $0 } : tokens
        let expanded = expand(resolveDefined(spelled), depth: 0, hidden: [])
        var p = Parser(tokens: expanded, table: table, isCPlusPlus: isCPlusPlus)
        guard let v = p.parseTernary(), p.pos == p.tokens.count else { return .unknown }
        guard let value = v else { return .unknown }
        return value != 0 ? .yes : .no
    }

    public func truthOfDefined(_ name: String) -> Truth {
        if let m = table.macros[name] { return m.isUncertain ? .unknown : .yes }
        return table.isKnownAbsent(name) ? .no : .unknown
    }

    /// `defined X` and `defined(X)` become 1, 0 or an unknown marker before expansion.
    func resolveDefined(_ t: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < t.count {
            if t[i] == "defined" {
                var name: String? = nil
                if i + 1 < t.count, t[i + 1] == "(", i + 3 < t.count, t[i + 3] == ")" { name = t[i + 2]; i += 4 }
                else if i + 1 < t.count { name = t[i + 1]; i += 2 } else { i += 1 }
                switch name.map(truthOfDefined) ?? .unknown {
                case .yes: out.append("1")
                case .no: out.append("0")
                case .unknown: out.append(ConditionEvaluator.unknownMarker)
                }
                continue
            }
            out.append(t[i])
            i += 1
        }
        return out
    }

    static let unknownMarker = "\u{1}unknown"

    func expand(_ t: [String], depth: Int, hidden: Set<String>) -> [String] {
        if depth > 32 { return [ConditionEvaluator.unknownMarker] }
        var out: [String] = []
        var i = 0
        while i < t.count {
            let tok = t[i]
            guard let m = table.macros[tok], !hidden.contains(tok) else { out.append(tok); i += 1; continue }
            if m.isUncertain { out.append(ConditionEvaluator.unknownMarker); i += 1; continue }
            if let params = m.parameters {
                guard i + 1 < t.count, t[i + 1] == "(" else { out.append(tok); i += 1; continue }
                // Collect the arguments.
                var args: [[String]] = [[]]
                var depthParen = 0
                var j = i + 2
                while j < t.count {
                    let a = t[j]
                    if a == "(" { depthParen += 1 }
                    if a == ")" { if depthParen == 0 { break }; depthParen -= 1 }
                    if a == "," && depthParen == 0 { args.append([]) } else { args[args.count - 1].append(a) }
                    j += 1
                }
                var body: [String] = []
                for b in m.body {
                    if let k = params.firstIndex(of: b), k < args.count { body += args[k] } else if b == "#" || b == "##" {
                        return [ConditionEvaluator.unknownMarker]
                    } else { body.append(b) }
                }
                out += expand(resolveDefined(body), depth: depth + 1, hidden: hidden.union([tok]))
                i = j + 1
            } else {
                out += expand(resolveDefined(m.body), depth: depth + 1, hidden: hidden.union([tok]))
                i += 1
            }
        }
        return out
    }

    struct Parser {
        let tokens: [String]
        let table: MacroTable
        let isCPlusPlus: Bool
        var pos = 0

        init(tokens: [String], table: MacroTable, isCPlusPlus: Bool) {
            self.tokens = tokens
            self.table = table
            self.isCPlusPlus = isCPlusPlus
        }

        // Each parse returns nil on a syntax error, .some(nil) for an unknown value.
        mutating func parseTernary() -> Int64?? {
            guard let c = parseBinary(0) else { return nil }
            if pos < tokens.count && tokens[pos] == "?" {
                pos += 1
                guard let a = parseTernary(), pos < tokens.count, tokens[pos] == ":" else { return nil }
                pos += 1
                guard let b = parseTernary() else { return nil }
                guard let cv = c else { return (a == b) ? a : .some(nil) }
                return cv != 0 ? a : b
            }
            return c
        }

        static let precedence: [String: Int] = [
            "||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6, "<": 7, ">": 7, "<=": 7, ">=": 7,
            "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
        ]

        mutating func parseBinary(_ minPrec: Int) -> Int64?? {
            guard var lhs = parseUnary() else { return nil }
            while pos < tokens.count, let prec = Parser.precedence[tokens[pos]], prec > minPrec {
                let op = tokens[pos]
                pos += 1
                guard let rhs = parseBinary(prec) else { return nil }
                lhs = Parser.apply(op, lhs, rhs)
            }
            return lhs
        }

        static func apply(_ op: String, _ l: Int64?, _ r: Int64?) -> Int64? {
            if op == "&&" {
                if l == 0 || r == 0 { return 0 }
                guard let l, let r else { return nil }
                return (l != 0 && r != 0) ? 1 : 0
            }
            if op == "||" {
                if let l, l != 0 { return 1 }
                if let r, r != 0 { return 1 }
                guard l != nil, r != nil else { return nil }
                return 0
            }
            guard let l, let r else { return nil }
            switch op {
            case "|": return l | r
            case "^": return l ^ r
            case "&": return l & r
            case "==": return l == r ? 1 : 0
            case "!=": return l != r ? 1 : 0
            case "<": return l < r ? 1 : 0
            case ">": return l > r ? 1 : 0
            case "<=": return l <= r ? 1 : 0
            case ">=": return l >= r ? 1 : 0
            case "<<": return r >= 0 && r < 63 ? l << r : nil
            case ">>": return r >= 0 && r < 63 ? l >> r : nil
            case "+": return l &+ r
            case "-": return l &- r
            case "*": return l &* r
            case "/": return r == 0 ? nil : l / r
            case "%": return r == 0 ? nil : l % r
            default: return nil
            }
        }

        mutating func parseUnary() -> Int64?? {
            guard pos < tokens.count else { return nil }
            let t = tokens[pos]
            switch t {
            case "!": pos += 1; guard let v = parseUnary() else { return nil }; return .some(v.map { $0 == 0 ? 1 : 0 })
            case "-": pos += 1; guard let v = parseUnary() else { return nil }; return .some(v.map { 0 &- $0 })
            case "+": pos += 1; return parseUnary()
            case "~": pos += 1; guard let v = parseUnary() else { return nil }; return .some(v.map { ~$0 })
            case "(":
                pos += 1
                guard let v = parseTernary(), pos < tokens.count, tokens[pos] == ")" else { return nil }
                pos += 1
                return v
            default:
                pos += 1
                if t == ConditionEvaluator.unknownMarker { return .some(nil) }
                if let n = Parser.number(t) { return .some(n) }
                if let c = t.first, c.isLetter || c == "_" {
                    if isCPlusPlus && t == "true" { return .some(1) }
                    if isCPlusPlus && t == "false" { return .some(0) }
                    // A function-like use of an unknown macro: skip its arguments, value unknown.
                    if pos < tokens.count, tokens[pos] == "(" {
                        var depth = 0
                        while pos < tokens.count {
                            if tokens[pos] == "(" { depth += 1 }
                            if tokens[pos] == ")" { depth -= 1; if depth == 0 { pos += 1; break } }
                            pos += 1
                        }
                        return .some(nil)
                    }
                    return table.isKnownAbsent(t) ? .some(0) : .some(nil)
                }
                if t.hasPrefix("'") { return .some(t.count >= 3 ? Int64(t.utf8.dropFirst().first ?? 0) : nil) }
                return nil
            }
        }

        static func number(_ s: String) -> Int64? {
            var t = Substring(s.lowercased())
            while let last = t.last, last == "u" || last == "l" { t = t.dropLast() }
            t = Substring(t.replacingOccurrences(of: "'", with: ""))
            if t.hasPrefix("0x") { return Int64(t.dropFirst(2), radix: 16) ?? UInt64(t.dropFirst(2), radix: 16).map { Int64(bitPattern: $0) } }
            if t.hasPrefix("0b") { return Int64(t.dropFirst(2), radix: 2) }
            if t.count > 1 && t.hasPrefix("0") { return Int64(t.dropFirst(), radix: 8) }
            return Int64(t)
        }
    }
}
