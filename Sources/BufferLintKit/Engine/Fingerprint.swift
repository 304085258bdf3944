/// A finding's identity that survives unrelated edits: the rule, the file, the
/// enclosing function, the whitespace-normalised call text, and which of the
/// equal ones it is (in report order). Line numbers are deliberately left out,
/// so lines added above a finding do not change it.
public struct Fingerprint: Sendable, Hashable, Comparable {
    public var rule: String
    public var file: String
    public var function: String
    public var snippet: String
    public var index: Int

    public init(rule: String, file: String, function: String, snippet: String, index: Int) {
        self.rule = rule
        self.file = file
        self.function = function
        self.snippet = snippet
        self.index = index
    }

    /// 32 hex digits of the SHA-256 of the fields, NUL-separated so no two field lists hash alike.
    public var hash: String {
        String(SHA256.hex([Fingerprint.version, rule, file, function, snippet, String(index)].joined(separator: "\u{0}")).prefix(32))
    }

    /// Changes only if the way fingerprints are computed changes (baselines then need rewriting).
    public static let version = "bufferlint-fingerprint-1"

    public static func < (a: Fingerprint, b: Fingerprint) -> Bool {
        (a.file, a.rule, a.function, a.snippet, a.index) < (b.file, b.rule, b.function, b.snippet, b.index)
    }

    /// One fingerprint per finding, in the same order. Findings must be in report order,
    /// so the index among equal ones counts from the top of the file.
    public static func of(_ findings: [Finding]) -> [Fingerprint] {
        var seen: [[String]: Int] = [:]
        return findings.map { f in
            let function = f.enclosingFunction ?? ""
            let key = [f.rule, f.file, function, f.snippet]
            let index = seen[key, default: 0]
            seen[key] = index + 1
            return Fingerprint(rule: f.rule, file: f.file, function: function, snippet: f.snippet, index: index)
        }
    }
}
