/// The rules as a table, as terminal documentation, and as docs/rules.md.
public enum RuleDocs {
    public static func table(_ rules: [Rule]) -> String {
        let header = ["id", "name", "severity", "fixable", "source"]
        let rows = rules.map { [$0.id, $0.name, $0.severity.rawValue, $0.kind == .oldBuffer ? "yes" : "no", $0.source] }
        let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingTrailingSpaces() + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    static func sections(_ r: Rule) -> [(String, String)] {
        let d = r.documentation
        return [("What it does", d.whatItDoes), ("Why is this bad", d.whyIsThisBad), ("Example", d.example),
                ("Use instead", d.useInstead), ("Fix safety", d.fixSafety),
                ("References", d.references.map { "- \($0)" }.joined(separator: "\n"))]
    }

    public static func explain(_ r: Rule) -> String {
        var out = "\(r.id) \(r.name) (\(r.kind.rawValue), default severity \(r.severity.rawValue))\n"
        if !r.functions.isEmpty { out += "Functions: \(r.functions.joined(separator: ", "))\n" }
        if let d = r.deprecated { out += "Deprecated in Python \(d)\n" }
        if let rm = r.removed { out += "Removed in Python \(rm)\n" }
        out += "Replacement: \(r.replacement)\n"
        for (title, body) in sections(r) where !body.isEmpty {
            out += "\n\(title):\n" + body.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }.joined(separator: "\n")
            if !out.hasSuffix("\n") { out += "\n" }
        }
        return out
    }

    public static func markdown(_ rules: [Rule]) -> String {
        var out = "# Rules\n\nGenerated from `Rules/` by `bufferlint rules --markdown`; do not edit by hand.\n\n"
        out += "| id | name | severity | functions | removed |\n| --- | --- | --- | --- | --- |\n"
        for r in rules {
            out += "| [\(r.id)](#\(r.id.lowercased())-\(r.name)) | \(r.name) | \(r.severity.rawValue) | \(r.functions.map { "`\($0)`" }.joined(separator: ", ")) | \(r.removed ?? "") |\n"
        }
        for r in rules {
            out += "\n## \(r.id) \(r.name)\n\n"
            if !r.functions.isEmpty { out += "Functions: \(r.functions.map { "`\($0)`" }.joined(separator: ", ")). " }
            out += "Replacement: `\(r.replacement)`.\n"
            for (title, body) in sections(r) where !body.isEmpty {
                let isCode = title == "Example" || title == "Use instead"
                out += "\n### \(title)\n\n" + (isCode ? "```c\n\(body.hasSuffix("\n") ? body : body + "\n")```\n" : body.hasSuffix("\n") ? body : body + "\n")
            }
        }
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
