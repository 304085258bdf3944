import Foundation

/// SARIF 2.1.0, as read by GitHub code scanning and other SARIF viewers: one run,
/// the rules with their documentation, results with repository-relative
/// locations, line-independent `partialFingerprints`, and fixes when a finding has edits.
public struct SARIFReporter: Reporter {
    public static let identifier = "sarif"
    public static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    /// Where the tool is documented (`tool.driver.informationUri`).
    public static let informationURI = "https://github.com/bufferlint/bufferlint"
    /// The key under `partialFingerprints`; the value is `Fingerprint.hash`.
    public static let fingerprintKey = "bufferlint/v1"
    static let sourceRootId = "%SRCROOT%"

    public init() {}

    public func render(_ report: Report, context: ReportContext) -> String {
        let rules = context.rules
        let ruleIndex = Dictionary(rules.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let fingerprints = Fingerprint.of(report.findings)
        let lineHashes = SARIFReporter.lineHashes(report.findings)
        let fixes = FixIndex(report.fixPlans, unsafe: context.unsafeFixes)
        let results = zip(report.findings.indices, fingerprints).map { k, fp in
            let f = report.findings[k]
            return SARIFReporter.result(f, fingerprint: fp, lineHash: lineHashes[k], ruleIndex: ruleIndex[f.rule], root: context.sourceRoot,
                                        fixes: fixes.fixes(for: f, root: context.sourceRoot))
        }
        let notifications: [JSONValue] = report.errors.map { e in
            .object([
                ("level", .string("warning")),
                ("message", .object([("text", .string(e.message))])),
                ("locations", .array([.object([("physicalLocation", .object([
                    ("artifactLocation", SARIFReporter.artifactLocation(e.file, root: context.sourceRoot)),
                ]))])])),
            ])
        }
        let run: JSONValue = .object([
            ("tool", .object([("driver", .object([
                ("name", .string("bufferlint")),
                ("version", .string(context.toolVersion)),
                ("semanticVersion", .string(context.toolVersion)),
                ("informationUri", .string(SARIFReporter.informationURI)),
                ("rules", .array(rules.map(SARIFReporter.descriptor))),
            ]))])),
            ("invocations", .array([.object([
                ("executionSuccessful", .bool(true)),
                ("toolExecutionNotifications", .array(notifications)),
            ])])),
            ("originalUriBaseIds", .object([
                (SARIFReporter.sourceRootId, .object([("uri", .string(SARIFReporter.directoryURI(context.sourceRoot)))])),
            ])),
            ("columnKind", .string("utf16CodeUnits")),
            ("results", .array(results)),
        ])
        return JSONValue.object([
            ("$schema", .string(SARIFReporter.schemaURI)),
            ("version", .string("2.1.0")),
            ("runs", .array([run])),
        ]).serialized() + "\n"
    }

    public static func level(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    static func descriptor(_ r: Rule) -> JSONValue {
        let short = r.message.split(separator: ";", maxSplits: 1).first.map(String.init) ?? r.message
        let full = [r.documentation.whatItDoes, r.documentation.whyIsThisBad]
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.joined(separator: "\n\n")
        var fields: [(String, JSONValue)] = [
            ("id", .string(r.id)),
            ("name", .string(r.name)),
            ("shortDescription", .object([("text", .string(short))])),
            ("fullDescription", .object([("text", .string(bounded(full.isEmpty ? short : full, limit: fullDescriptionLimit)))])),
            ("help", .object([("text", .string(RuleDocs.explain(r))), ("markdown", .string(helpMarkdown(r)))])),
        ]
        if let uri = r.documentation.references.first(where: { $0.hasPrefix("https://") && !$0.contains(" ") }) {
            fields.append(("helpUri", .string(uri)))
        }
        fields.append(("defaultConfiguration", .object([("level", .string(level(r.severity)))])))
        fields.append(("properties", .object([
            ("tags", .array(["python-c-api", "buffer-protocol", r.kind.rawValue].map { .string($0) })),
            // GitHub code scanning's properties: how often a result is right, and how it ranks it.
            ("precision", .string(r.kind == .newApi ? "high" : "very-high")),
            ("problem.severity", .string(r.severity == .error ? "error" : r.severity == .warning ? "warning" : "recommendation")),
        ])))
        return .object(fields)
    }

    /// The rule's documentation sections as Markdown, for `help.markdown`.
    static func helpMarkdown(_ r: Rule) -> String {
        var out = "**\(r.id) \(r.name)**"
        if !r.functions.isEmpty { out += ": " + r.functions.map { "`\($0)`" }.joined(separator: ", ") }
        out += "\n\nReplacement: `\(r.replacement)`\n"
        for (title, body) in RuleDocs.sections(r) where !body.isEmpty {
            let text = body.hasSuffix("\n") ? body : body + "\n"
            let isCode = title == "Example" || title == "Use instead"
            out += "\n## \(title)\n\n" + (isCode ? "```c\n\(text)```\n" : text)
        }
        return out
    }

    /// GitHub code scanning matches alerts across uploads by `partialFingerprints.primaryLocationLineHash`
    /// only, in its documented form `<16 hex digits>:<n>`: a hash of the rule and the line's text
    /// (white space collapsed; not its number, so lines added above change nothing), and which of
    /// the equal ones in the file it is, from 1. The upload action keeps a value it finds.
    static func lineHashes(_ findings: [Finding]) -> [String] {
        var seen: [String: Int] = [:]
        return findings.map { f in
            let text = f.sourceLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
            let hash = String(SHA256.hex([f.rule, text].joined(separator: "\u{0}")).prefix(16))
            let key = f.file + "\u{0}" + hash
            seen[key, default: 0] += 1
            return "\(hash):\(seen[key]!)"
        }
    }

    /// GitHub's limit for a rule's `fullDescription` (longer ones are cut off or refused).
    static let fullDescriptionLimit = 1024

    /// `text` within `limit` characters, cut at a word with an ellipsis when it is longer.
    static func bounded(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        var cut = String(text.prefix(limit - 1))
        if let space = cut.lastIndex(where: { $0 == " " || $0 == "\n" }), cut.distance(from: cut.startIndex, to: space) > limit / 2 {
            cut = String(cut[..<space])
        }
        return cut + "…"
    }

    static func result(_ f: Finding, fingerprint: Fingerprint, lineHash: String? = nil, ruleIndex: Int?, root: String, fixes: [JSONValue] = []) -> JSONValue {
        let startColumn = utf16Column(f.column, in: f.sourceLine)
        let endColumn = f.endLine == f.line ? utf16Column(f.endColumn, in: f.sourceLine) : f.endColumn
        var region: [(String, JSONValue)] = [
            ("startLine", .int(f.line)),
            ("startColumn", .int(startColumn)),
            ("endLine", .int(f.endLine)),
            ("endColumn", .int(max(endColumn, f.endLine == f.line ? startColumn : 1))),
        ]
        if !f.sourceLine.isEmpty { region.append(("snippet", .object([("text", .string(f.sourceLine))]))) }
        var location: [(String, JSONValue)] = [
            ("physicalLocation", .object([
                ("artifactLocation", artifactLocation(f.file, root: root)),
                ("region", .object(region)),
            ])),
        ]
        if let fn = f.enclosingFunction {
            location.append(("logicalLocations", .array([.object([("name", .string(fn)), ("kind", .string("function"))])])))
        }
        var fields: [(String, JSONValue)] = [("ruleId", .string(f.rule))]
        if let ruleIndex { fields.append(("ruleIndex", .int(ruleIndex))) }
        fields += [
            ("level", .string(level(f.severity))),
            ("message", .object([("text", .string(f.messageWithNotes))])),
            ("locations", .array([.object(location)])),
            ("partialFingerprints", .object([(fingerprintKey, .string(fingerprint.hash))]
                + (lineHash.map { [("primaryLocationLineHash", JSONValue.string($0))] } ?? []))),
        ]
        if !fixes.isEmpty { fields.append(("fixes", .array(fixes))) }
        var properties: [(String, JSONValue)] = [
            ("kind", .string(f.kind.rawValue)),
            ("function", .string(f.function)),
            ("resolution", .string(f.resolution.rawValue)),
        ]
        if let m = f.macro { properties.append(("macro", .string(m))) }
        if let fix = f.fix {
            properties.append(("fix", .object([("strategy", .string(fix.strategy)), ("safety", .string(fix.safety.rawValue)),
                                               ("reason", .string(fix.reason))])))
        }
        fields.append(("properties", .object(properties)))
        return .object(fields)
    }

    /// SARIF `fixes` from the planned fixes of a run (`LintOptions.planFixes`): the fix that `fix`
    /// with the same flags applies to the use, its edits as `replacements` (a deleted region and
    /// the inserted text). Findings without planned edits get none.
    struct FixIndex {
        struct Key: Hashable { var path: String; var line: Int; var column: Int; var rule: String }
        var byUse: [Key: [(fix: Fix, text: SourceText)]] = [:]

        init(_ plans: [FilePlan], unsafe: Bool) {
            for plan in plans where plan.generatedBy == nil {
                let text = SourceText(bytes: plan.original)
                let path = FixIndex.absolute(plan.path)
                for fix in plan.selected(unsafe: unsafe) where !fix.edits.isEmpty && !fix.companion {
                    let key = Key(path: path, line: fix.line, column: fix.column, rule: fix.rule)
                    byUse[key, default: []].append((fix, text))
                }
            }
        }

        func fixes(for f: Finding, root: String) -> [JSONValue] {
            let planned = byUse[Key(path: FixIndex.absolute(f.file), line: f.line, column: f.column, rule: f.rule)] ?? []
            return planned.map { FixIndex.encode($0.fix, text: $0.text, location: artifactLocation(f.file, root: root)) }
        }

        static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

        static func encode(_ fix: Fix, text: SourceText, location: JSONValue) -> JSONValue {
            let replacements: [JSONValue] = fix.edits.sorted { $0.range.lowerBound < $1.range.lowerBound }.map { edit in
                let start = text.position(of: edit.range.lowerBound)
                let end = text.position(of: edit.range.upperBound)
                return .object([
                    ("deletedRegion", .object([
                        ("startLine", .int(start.line)),
                        ("startColumn", .int(utf16Column(start.column, in: text.lineText(start.line)))),
                        ("endLine", .int(end.line)),
                        ("endColumn", .int(utf16Column(end.column, in: text.lineText(end.line)))),
                    ])),
                    ("insertedContent", .object([("text", .string(edit.replacement))])),
                ])
            }
            var description = "\(fix.strategy.rawValue) fix (\(fix.safety.rawValue)): \(fix.reason)"
            if !fix.supportFiles.isEmpty {
                description += " Needs \(fix.supportFiles.map(\.name).joined(separator: ", ")) next to the file (bufferlint fix writes it)."
            }
            return .object([
                ("description", .object([("text", .string(description))])),
                ("artifactChanges", .array([.object([
                    ("artifactLocation", location),
                    ("replacements", .array(replacements)),
                ])])),
            ])
        }
    }

    static func artifactLocation(_ file: String, root: String) -> JSONValue {
        if file.hasPrefix("/") {
            return .object([("uri", .string("file://" + percentEncoded(file)))])
        }
        return .object([("uri", .string(percentEncoded(file))), ("uriBaseId", .string(sourceRootId))])
    }

    static func directoryURI(_ dir: String) -> String {
        let d = dir.hasSuffix("/") ? dir : dir + "/"
        return "file://" + percentEncoded(d)
    }

    /// RFC 3986 path encoding; ':' is encoded too, so a relative path never reads as a scheme.
    static func percentEncoded(_ path: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/!$&'()*+,;=@".utf8)
        var out = ""
        for b in path.utf8 {
            if allowed.contains(b) { out.unicodeScalars.append(Unicode.Scalar(b)) } else { out += String(format: "%%%02X", b) }
        }
        return out
    }

    /// Columns are counted in bytes; SARIF (and GitHub) count UTF-16 code units.
    static func utf16Column(_ byteColumn: Int, in line: String) -> Int {
        let bytes = Array(line.utf8)
        guard byteColumn > 1, !bytes.isEmpty else { return byteColumn }
        let prefix = min(byteColumn - 1, bytes.count)
        let extra = byteColumn - 1 - prefix
        return (String(decoding: bytes[..<prefix], as: UTF8.self).utf16.count) + extra + 1
    }
}
