/// The JSON contract: `{"version": 1, "findings": [...], "summary": {...}}`.
/// Keys are only ever added, never renamed.
public struct JSONReporter: Reporter {
    public static let identifier = "json"
    public init() {}

    public func render(_ report: Report, context: ReportContext) -> String {
        JSONValue.object([
            ("version", .int(1)),
            ("findings", .array(report.findings.map(JSONReporter.encode))),
            ("errors", .array(report.errors.map { .object([("file", .string($0.file)), ("message", .string($0.message))]) })),
            ("summary", .object([
                ("files", .int(report.summary.files)),
                ("parsed", .int(report.summary.parsed)),
                ("findings", .int(report.summary.findings)),
                ("errors", .int(report.summary.errors)),
                ("completed", .int(report.summary.completed)),
                ("flow", .object([
                    ("functions", .int(report.summary.flow.functions)),
                    ("analysed", .int(report.summary.flow.analysed)),
                    ("skipped", .int(report.summary.flow.skipped.count)),
                    ("reasons", .object(report.summary.flow.reasons.map { ($0.reason, .int($0.count)) })),
                    ("functionsSkipped", .array(report.summary.flow.skipped.map { s in
                        .object([("file", .string(s.file)), ("function", .string(s.function)), ("line", .int(s.line)), ("reason", .string(s.reason)), ("detail", .string(s.detail))])
                    })),
                ])),
                ("wrappers", .array(report.wrappers.map { w in
                    .object([("name", .string(w.name)), ("file", .string(w.file)), ("line", .int(w.line)), ("callers", .int(w.callers))])
                })),
            ])),
        ]).serialized() + "\n"
    }

    public static func encode(_ f: Finding) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("rule", .string(f.rule)),
            ("function", .string(f.function)),
            ("kind", .string(f.kind.rawValue)),
            ("severity", .string(f.severity.rawValue)),
            ("file", .string(f.file)),
            ("line", .int(f.line)),
            ("column", .int(f.column)),
            ("endLine", .int(f.endLine)),
            ("endColumn", .int(f.endColumn)),
            ("message", .string(f.message)),
            ("macro", .optional(f.macro)),
            ("enclosingFunction", .optional(f.enclosingFunction)),
            ("name", .string(f.ruleName)),
            ("resolution", .string(f.resolution.rawValue)),
        ]
        if !f.notes.isEmpty { fields.append(("notes", .array(f.notes.map { .string($0) }))) }
        if let g = f.generated {
            fields.append(("generated", .object([("tool", .string(g.tool)), ("source", .optional(g.source)), ("line", .optional(g.line))])))
        }
        if let fix = f.fix {
            var fixFields: [(String, JSONValue)] = [("strategy", .string(fix.strategy)), ("safety", .string(fix.safety.rawValue)), ("reason", .string(fix.reason))]
            if let e = fix.escape { fixFields.append(("escape", .object([("kind", .string(e.kind)), ("line", .int(e.line))]))) }
            fields.append(("fix", .object(fixFields)))
        } else {
            fields.append(("fix", .null))
        }
        return .object(fields)
    }
}
