/// GitLab's Code Quality report (`artifacts:reports:codequality`): a JSON array of
/// issues with description, check_name, fingerprint, severity and location.
public struct GitLabReporter: Reporter {
    public static let identifier = "gitlab"
    public init() {}

    public func render(_ report: Report, context: ReportContext) -> String {
        let issues = zip(report.findings, Fingerprint.of(report.findings)).map { f, fp in
            JSONValue.object([
                ("description", .string("\(f.rule) \(f.messageWithNotes)")),
                ("check_name", .string(f.rule)),
                ("fingerprint", .string(fp.hash)),
                ("severity", .string(GitLabReporter.severity(f.severity))),
                ("location", .object([
                    ("path", .string(f.file)),
                    ("lines", .object([("begin", .int(f.line)), ("end", .int(max(f.endLine, f.line)))])),
                ])),
            ])
        }
        return JSONValue.array(issues).serialized() + "\n"
    }

    /// GitLab's scale is info, minor, major, critical, blocker. A removed API (error) breaks the
    /// build on the target Python: critical; a deprecated one: major; the rest: info.
    public static func severity(_ s: Severity) -> String {
        switch s {
        case .error: return "critical"
        case .warning: return "major"
        case .info: return "info"
        }
    }
}
