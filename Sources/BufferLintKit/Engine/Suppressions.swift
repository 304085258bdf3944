import Foundation

/// `bufferlint: ignore[BUF002]` and `bufferlint: ignore` (every rule), written in
/// C comments: after code, for that line only; on a line of its own, for its own
/// lines and the next. `bufferlint: ignore-file[...]` covers the whole file.
public struct Suppression: Sendable, Equatable {
    public enum Scope: Sendable, Equatable { case line, file }
    public let scope: Scope
    /// Rule ids or names; empty means every rule.
    public let rules: [String]
    /// The comment's first and last lines.
    public let line: Int
    public let endLine: Int
    public let column: Int
    /// Code precedes the comment on its line: it covers that line only.
    public let isTrailing: Bool

    public func covers(rule: Rule, line findingLine: Int) -> Bool {
        guard rules.isEmpty || rules.contains(where: { rule.matches(selector: $0) }) else { return false }
        if scope == .file { return true }
        return findingLine >= line && findingLine <= (isTrailing ? endLine : endLine + 1)
    }

    static let pattern = try! NSRegularExpression(pattern: #"bufferlint:\s*(ignore-file|ignore)(?:\[([A-Za-z0-9_,\s-]*)\])?"#)

    public static func find(in lexed: LexedFile) -> [Suppression] {
        var out: [Suppression] = []
        for c in lexed.comments {
            let text = lexed.text.text(c)
            guard text.contains("bufferlint:") else { continue }
            let ns = text as NSString
            for m in pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let scope: Scope = ns.substring(with: m.range(at: 1)) == "ignore-file" ? .file : .line
                var rules: [String] = []
                if m.range(at: 2).location != NSNotFound {
                    rules = ns.substring(with: m.range(at: 2)).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                }
                let prefix = ns.substring(to: m.range.location)
                let at = c.lowerBound + prefix.utf8.count
                let pos = lexed.text.position(of: at)
                let lineStart = lexed.text.lineStarts[lexed.text.line(of: c.lowerBound) - 1]
                let before = lexed.text.bytes[lineStart..<c.lowerBound]
                let trailing = before.contains { $0 != 0x20 && $0 != 0x09 }
                out.append(Suppression(scope: scope, rules: rules, line: pos.line, endLine: lexed.text.line(of: max(c.lowerBound, c.upperBound - 1)),
                                       column: pos.column, isTrailing: trailing))
            }
        }
        return out
    }
}
