import Foundation

/// A problem with a baseline file: always names the file.
public struct BaselineError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var problem: String
    public var description: String { "baseline \(file): \(problem)" }
}

/// The findings a project has accepted for now. `--baseline` reports only findings
/// not in it; matching is by `Fingerprint` (never by line), so unrelated edits keep
/// old findings matched. The file is sorted JSON with one entry per line.
public struct Baseline: Equatable, Sendable {
    public static let formatVersion = 1
    public private(set) var entries: [Fingerprint]

    public init(entries: [Fingerprint]) {
        self.entries = entries.sorted()
    }

    public init(findings: [Finding]) {
        self.init(entries: Fingerprint.of(findings.sorted(by: Finding.reportOrder)))
    }

    /// What comparing a run with the baseline gives.
    public struct Comparison {
        /// The report with only the findings that are not in the baseline.
        public var report: Report
        /// Entries whose finding no longer exists (in the files this run covered).
        public var stale: [Fingerprint]
    }

    /// Keeps the new findings; `covers` says whether this run checked a file, so a run
    /// over some files does not call the other files' entries stale.
    public func compare(_ report: Report, covers: (String) -> Bool = { _ in true }) -> Comparison {
        let fingerprints = Fingerprint.of(report.findings)
        let known = Set(entries)
        var kept = report
        kept.findings = zip(report.findings, fingerprints).filter { !known.contains($0.1) }.map(\.0)
        kept.summary.findings = kept.findings.count
        let current = Set(fingerprints)
        let stale = entries.filter { !current.contains($0) && covers($0.file) }
        return Comparison(report: kept, stale: stale)
    }

    // MARK: - File

    public func serialized() -> String {
        var out = "{\n  \"version\": \(Baseline.formatVersion),\n  \"fingerprint\": "
        JSONValue.escape(Fingerprint.version, into: &out)
        out += ",\n  \"findings\": ["
        for (k, e) in entries.enumerated() {
            out += (k == 0 ? "\n    " : ",\n    ") + JSONValue.object([
                ("file", .string(e.file)), ("rule", .string(e.rule)), ("function", .string(e.function)),
                ("snippet", .string(e.snippet)), ("index", .int(e.index)), ("hash", .string(e.hash)),
            ]).serialized(pretty: false)
        }
        out += entries.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
        return out
    }

    public static func parse(_ data: Data, file: String) throws -> Baseline {
        func bad(_ problem: String) -> BaselineError { BaselineError(file: file, problem: problem) }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data) } catch {
            throw bad("not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "parse error")); rewrite it with --write-baseline")
        }
        guard let top = json as? [String: Any] else { throw bad("expected a JSON object with \"version\" and \"findings\"") }
        guard let version = top["version"] as? Int else { throw bad("no \"version\" number") }
        guard version == formatVersion else { throw bad("version \(version) is not supported (expected \(formatVersion))") }
        if let scheme = top["fingerprint"] as? String, scheme != Fingerprint.version {
            throw bad("written with fingerprints '\(scheme)', this bufferlint uses '\(Fingerprint.version)'; rewrite it with --write-baseline")
        }
        guard let list = top["findings"] as? [Any] else { throw bad("no \"findings\" array") }
        var entries: [Fingerprint] = []
        for (k, item) in list.enumerated() {
            guard let o = item as? [String: Any] else { throw bad("finding \(k + 1) is not an object") }
            func text(_ key: String) throws -> String {
                guard let v = o[key] as? String else { throw bad("finding \(k + 1) has no string \"\(key)\"") }
                return v
            }
            guard let index = o["index"] as? Int, index >= 0 else { throw bad("finding \(k + 1) has no \"index\" (a number >= 0)") }
            entries.append(Fingerprint(rule: try text("rule"), file: try text("file"), function: try text("function"),
                                       snippet: try text("snippet"), index: index))
        }
        return Baseline(entries: entries)
    }

    public static func load(path: String) throws -> Baseline {
        guard FileManager.default.fileExists(atPath: path) else {
            throw BaselineError(file: path, problem: "no such file; create it with --write-baseline \(path)")
        }
        guard let data = RegularFile.contents(path, limit: 1 << 30) else {
            throw BaselineError(file: path, problem: "cannot read it (permission denied?)")
        }
        return try parse(data, file: path)
    }

    /// Writes to a temporary file in the same folder, then renames it over `path`, so a
    /// reader never sees half a baseline.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let temp = (dir as NSString).appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        guard FileManager.default.createFile(atPath: temp, contents: Data(serialized().utf8)) else {
            throw BaselineError(file: path, problem: "cannot write a temporary file in \(dir)")
        }
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temp)
            throw BaselineError(file: path, problem: "cannot replace it: \(reason)")
        }
    }
}

extension Baseline {
    /// Whether a finding's file lies in one of the paths a run was given (no paths: the current folder).
    public static func coverage(of paths: [String]) -> (String) -> Bool {
        let roots = (paths.isEmpty ? ["."] : paths).map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        return { file in
            let f = URL(fileURLWithPath: file).standardizedFileURL.path
            return roots.contains { f == $0 || f.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
        }
    }
}
