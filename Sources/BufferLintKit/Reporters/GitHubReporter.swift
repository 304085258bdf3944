/// GitHub Actions workflow commands, one annotation per finding:
/// `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=T::message`.
/// GitHub shows only `annotationLimit` annotations of each level per step, so the
/// most important come first; `stepSummary` lists what is beyond that.
public struct GitHubReporter: Reporter {
    public static let identifier = "github"
    public static let annotationLimit = 10

    public init() {}

    public func render(_ report: Report, context: ReportContext) -> String {
        var out = ""
        for f in GitHubReporter.annotationOrder(report.findings) {
            let startColumn = SARIFReporter.utf16Column(f.column, in: f.sourceLine)
            let endColumn = f.endLine == f.line ? SARIFReporter.utf16Column(f.endColumn, in: f.sourceLine) : f.endColumn
            out += GitHubReporter.command(GitHubReporter.command(for: f.severity), properties: [
                ("file", f.file), ("line", String(f.line)), ("col", String(startColumn)),
                ("endLine", String(f.endLine)), ("endColumn", String(endColumn)), ("title", "\(f.rule) \(f.ruleName)"),
            ], message: f.messageWithNotes) + "\n"
        }
        for e in report.errors {
            let note = e.kind == .note
            out += GitHubReporter.command(note ? "notice" : "warning",
                                          properties: [("file", e.file), ("title", note ? "bufferlint note" : "bufferlint could not check this file")],
                                          message: e.message) + "\n"
        }
        return out
    }

    public static func command(for s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "notice"
        }
    }

    /// Errors, then warnings, then notices; by file, line and column within each.
    public static func annotationOrder(_ findings: [Finding]) -> [Finding] {
        findings.enumerated().sorted { a, b in
            if a.element.severity != b.element.severity { return a.element.severity > b.element.severity }
            if Finding.reportOrder(a.element, b.element) { return true }
            if Finding.reportOrder(b.element, a.element) { return false }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// One workflow command line, with the runner's escaping: a value can never end the
    /// command early or start another one.
    public static func command(_ name: String, properties: [(String, String)], message: String) -> String {
        let props = properties.map { "\($0.0)=\(escapeProperty($0.1))" }.joined(separator: ",")
        return "::\(name)\(props.isEmpty ? "" : " " + props)::\(escapeData(message))"
    }

    public static func escapeData(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default:
                // Other controls (ESC and the rest) would act on the log viewer: shown, not decoded, by the runner.
                if TerminalText.needsEscape(u) { out += "%" + TerminalText.hex(u.value, width: 2).uppercased() } else { out.unicodeScalars.append(u) }
            }
        }
        return out.replacingOccurrences(of: "##[", with: "##%5B")
    }

    public static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// Markdown for `$GITHUB_STEP_SUMMARY`: counts by rule and by file, and every
    /// finding that falls beyond the per-level annotation limit.
    public static func stepSummary(_ report: Report, context: ReportContext) -> String {
        let findings = report.findings
        var out = "## bufferlint\n\n"
        let bySeverity = Dictionary(grouping: findings, by: \.severity)
        let counts = [Severity.error, .warning, .info].map { s in "\(bySeverity[s]?.count ?? 0) \(s == .info ? "notice" : s.rawValue)\((bySeverity[s]?.count ?? 0) == 1 ? "" : "s")" }
        let files = Set(findings.map(\.file)).count
        out += "\(findings.count) finding\(findings.count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s") (\(counts.joined(separator: ", "))), \(report.summary.files) file\(report.summary.files == 1 ? "" : "s") checked.\n"
        if findings.isEmpty && report.errors.isEmpty { return out }

        if !findings.isEmpty {
            let names = Dictionary(findings.map { ($0.rule, $0.ruleName) }, uniquingKeysWith: { a, _ in a })
            let byRule = Dictionary(grouping: findings, by: \.rule)
            out += "\n### By rule\n\n| rule | name | findings |\n| --- | --- | ---: |\n"
            for rule in byRule.keys.sorted() {
                out += "| \(cell(rule)) | \(cell(names[rule] ?? "")) | \(byRule[rule]!.count) |\n"
            }
            let byFile = Dictionary(grouping: findings, by: \.file)
            out += "\n### By file\n\n| file | errors | warnings | notices |\n| --- | ---: | ---: | ---: |\n"
            addRows(byFile.keys.sorted().map { file in
                let g = Dictionary(grouping: byFile[file]!, by: \.severity)
                return "| \(cell(file)) | \(g[.error]?.count ?? 0) | \(g[.warning]?.count ?? 0) | \(g[.info]?.count ?? 0) |\n"
            }, to: &out)
        }

        var shown: [Severity: Int] = [:]
        var beyond: [Finding] = []
        for f in annotationOrder(findings) {
            shown[f.severity, default: 0] += 1
            if shown[f.severity]! > annotationLimit { beyond.append(f) }
        }
        if !beyond.isEmpty {
            out += "\n### Not shown as annotations\n\nGitHub shows at most \(annotationLimit) annotations of each level per step; these \(beyond.count) are the rest.\n\n"
            out += "| location | level | rule | message |\n| --- | --- | --- | --- |\n"
            addRows(beyond.map { f in "| \(cell("\(f.file):\(f.line):\(f.column)")) | \(command(for: f.severity)) | \(cell(f.rule)) | \(cell(f.message)) |\n" }, to: &out)
        }
        if !report.errors.isEmpty {
            out += "\n### Files that could not be checked\n\n| file | problem |\n| --- | --- |\n"
            addRows(report.errors.map { e in "| \(cell(e.file)) | \(cell(e.message)) |\n" }, to: &out)
        }
        return out
    }

    /// GitHub drops a step summary over 1 MiB whole; the summary stays under this many bytes.
    public static let stepSummaryLimit = 1_000_000
    /// Room kept for the tables and notes after the one being written.
    static let stepSummaryReserve = 16_384

    /// Appends table rows while the summary stays within its limit, then says how many were left out.
    static func addRows(_ rows: [String], to out: inout String) {
        var size = out.utf8.count
        for (k, row) in rows.enumerated() {
            let n = row.utf8.count
            if size + n > stepSummaryLimit - stepSummaryReserve {
                out += "\n_\(rows.count - k) more row\(rows.count - k == 1 ? "" : "s") not listed: GitHub keeps at most 1 MiB of a step summary; "
                    + "the JSON or SARIF output (`--format json`, `--format sarif`) has every finding._\n"
                return
            }
            out += row
            size += n
        }
    }

    /// A Markdown table cell: no line breaks, no column separators, no HTML.
    static func cell(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(c)
            }
        }
        return out
    }
}
