import Foundation

public struct RuleFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let key: String?
    public let problem: String
    public var description: String { "\(file): " + (key.map { "key `\($0)`: " } ?? "") + problem }
}

/// Reads rule files (`*.yml`) strictly: unknown keys, missing keys and wrong
/// types are errors that name the file, the key and what was expected.
public enum RuleLoader {
    static let topKeys: Set<String> = ["id", "name", "kind", "functions", "severity", "deprecated", "removed", "message",
                                       "replacement", "semantics", "docs", "examples"]
    static let semanticsKeys: Set<String> = ["flag", "pointer-type", "length-type", "failure", "failure-exception",
                                             "failure-message", "differences", "returns"]
    static let docsKeys: Set<String> = ["what-it-does", "why-is-this-bad", "example", "use-instead", "fix-safety", "references"]
    static let exampleKeys: Set<String> = ["triggering", "non-triggering", "corrections"]

    /// The built-in rules, from the copy embedded in the binary.
    public static func builtIn() throws -> [Rule] {
        try EmbeddedRules.files.sorted { $0.name < $1.name }.filter { $0.name.hasSuffix(".yml") }.map {
            try parse($0.contents, source: "Rules/\($0.name)", builtIn: true)
        }
    }

    /// Every `*.yml` of a folder, in name order.
    public static func load(directory: String) throws -> [Rule] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw RuleFileError(file: directory, key: nil, problem: "is not a folder of rule files")
        }
        let names = try fm.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
        return try names.map { name in
            let path = (directory as NSString).appendingPathComponent(name)
            let bytes: [UInt8]
            switch RegularFile.read(path, limit: 1 << 20) {
            case .success(let b): bytes = b
            case .failure(let problem): throw RuleFileError(file: path, key: nil, problem: problem.description)
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw RuleFileError(file: path, key: nil, problem: "cannot be read as UTF-8 text")
            }
            return try parse(text, source: path, builtIn: false)
        }
    }

    /// All rules of a run: the built-in ones and those of extra folders; ids must be unique.
    public static func rules(extraDirectories: [String]) throws -> [Rule] {
        var rules = try builtIn()
        for d in extraDirectories { rules += try load(directory: d) }
        var seen: [String: String] = [:]
        for r in rules {
            if let other = seen[r.id] {
                throw RuleFileError(file: r.source, key: "id", problem: "duplicate id `\(r.id)`, already defined in \(other)")
            }
            seen[r.id] = r.source
        }
        return rules
    }

    public static func parse(_ text: String, source: String, builtIn: Bool) throws -> Rule {
        let node: Any?
        do { node = try YAMLDocument.load(text) } catch let e as YAMLDocument.Problem {
            throw RuleFileError(file: source, key: nil, problem: e.description)
        }
        guard let map = node as? [String: Any] else {
            throw RuleFileError(file: source, key: nil, problem: "expected a mapping of rule keys at the top level")
        }
        var r = Reader(map: map, file: source, prefix: "")
        try r.rejectUnknown(topKeys)
        let id = try r.string("id")
        guard id.range(of: "^[A-Z][A-Z0-9_-]*[0-9]+$", options: .regularExpression) != nil else {
            throw RuleFileError(file: source, key: "id", problem: "expected an id of capitals and digits such as `BUF002` or `ACME001`, got `\(id)`")
        }
        let kindText = try r.optionalString("kind") ?? "detect-only"
        guard let kind = Rule.Kind(rawValue: kindText) else {
            throw RuleFileError(file: source, key: "kind", problem: "expected one of \(Rule.Kind.allCases.map(\.rawValue).joined(separator: ", ")), got `\(kindText)`")
        }
        let name = try r.optionalString("name") ?? id.lowercased()
        guard name.range(of: "^[a-z][a-z0-9-]*$", options: .regularExpression) != nil else {
            throw RuleFileError(file: source, key: "name", problem: "expected a kebab-case name, got `\(name)`")
        }
        let functions = try r.stringList("functions")
        if kind != .meta && functions.isEmpty {
            throw RuleFileError(file: source, key: "functions", problem: "expected at least one function name")
        }
        for f in functions where f.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) == nil {
            throw RuleFileError(file: source, key: "functions", problem: "expected C identifiers, got `\(f)`")
        }
        let sevText = try r.optionalString("severity") ?? "error"
        guard let severity = Severity(rawValue: sevText) else {
            throw RuleFileError(file: source, key: "severity", problem: "expected error, warning or info, got `\(sevText)`")
        }
        let deprecated = try r.optionalString("deprecated")
        let removed = try r.optionalString("removed")
        for (k, v) in [("deprecated", deprecated), ("removed", removed)] where v != nil && PythonVersion(v!) == nil {
            throw RuleFileError(file: source, key: k, problem: "expected a Python version such as \"3.13\", got `\(v!)`")
        }
        if kind == .detectOnly && deprecated == nil && removed == nil {
            throw RuleFileError(file: source, key: "removed", problem: "a detect-only rule needs `removed` or `deprecated` (a Python version)")
        }
        let replacement = try r.string("replacement")
        let message = try r.optionalString("message")
            ?? "`\(functions.first ?? id)` is " + (removed.map { "removed in Python \($0)" } ?? "deprecated since Python \(deprecated ?? "?")") + "; use \(replacement)"

        var docs = Rule.Documentation(whatItDoes: "", whyIsThisBad: "", example: "", useInstead: "", fixSafety: "", references: [])
        if let d = try r.optionalMap("docs") {
            var dr = Reader(map: d, file: source, prefix: "docs.")
            try dr.rejectUnknown(docsKeys)
            docs = Rule.Documentation(whatItDoes: try dr.optionalString("what-it-does") ?? "", whyIsThisBad: try dr.optionalString("why-is-this-bad") ?? "",
                                      example: try dr.optionalString("example") ?? "", useInstead: try dr.optionalString("use-instead") ?? "",
                                      fixSafety: try dr.optionalString("fix-safety") ?? "", references: try dr.stringList("references"))
        } else if kind == .oldBuffer || kind == .newApi {
            throw RuleFileError(file: source, key: "docs", problem: "expected the documentation sections (what-it-does, why-is-this-bad, example, use-instead, fix-safety, references)")
        }
        var semantics: Rule.Semantics? = nil
        if let s = try r.optionalMap("semantics") {
            var sr = Reader(map: s, file: source, prefix: "semantics.")
            try sr.rejectUnknown(semanticsKeys)
            semantics = Rule.Semantics(flag: try sr.string("flag"), pointerType: try sr.string("pointer-type"),
                                       lengthType: try sr.optionalString("length-type") ?? "Py_ssize_t", failure: try sr.string("failure"),
                                       failureException: try sr.optionalString("failure-exception"), failureMessage: try sr.optionalString("failure-message"),
                                       differences: try sr.stringList("differences"), returns: try sr.returns("returns"))
        } else if kind == .oldBuffer {
            throw RuleFileError(file: source, key: "semantics", problem: "an old-buffer rule needs its semantics (flag, pointer-type, failure)")
        }
        var triggering: [String] = [], nonTriggering: [String] = [], corrections: [Rule.Correction] = []
        if let e = try r.optionalMap("examples") {
            var er = Reader(map: e, file: source, prefix: "examples.")
            try er.rejectUnknown(exampleKeys)
            triggering = try er.stringList("triggering")
            nonTriggering = try er.stringList("non-triggering")
            guard let list = e["corrections"] as? [Any] ?? (e["corrections"] == nil ? [] : nil) else {
                throw RuleFileError(file: source, key: "examples.corrections", problem: "expected a list of {before, after}")
            }
            for item in list {
                guard let m = item as? [String: Any] else {
                    throw RuleFileError(file: source, key: "examples.corrections", problem: "expected a list of {before, after}")
                }
                var cr = Reader(map: m, file: source, prefix: "examples.corrections.")
                try cr.rejectUnknown(["before", "after"])
                corrections.append(.init(before: try cr.string("before"), after: try cr.string("after")))
            }
        }
        return Rule(id: id, name: name, kind: kind, functions: functions, severity: severity, deprecated: deprecated, removed: removed,
                    message: message, replacement: replacement, documentation: docs, semantics: semantics, triggering: triggering,
                    nonTriggering: nonTriggering, corrections: corrections, source: source, isBuiltIn: builtIn)
    }

    struct Reader {
        let map: [String: Any]
        let file: String
        let prefix: String

        func rejectUnknown(_ allowed: Set<String>) throws {
            for k in map.keys.sorted() where !allowed.contains(k) {
                throw RuleFileError(file: file, key: prefix + k, problem: "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
        }
        func string(_ k: String) throws -> String {
            guard let v = try optionalString(k) else { throw RuleFileError(file: file, key: prefix + k, problem: "missing; expected a string") }
            return v
        }
        func optionalString(_ k: String) throws -> String? {
            guard let v = map[k] else { return nil }
            if let s = v as? String { return s }
            if let i = v as? Int { return String(i) }
            throw RuleFileError(file: file, key: prefix + k, problem: "expected a string")
        }
        func stringList(_ k: String) throws -> [String] {
            guard let v = map[k] else { return [] }
            if let s = v as? String { return [s] }
            guard let a = v as? [Any] else { throw RuleFileError(file: file, key: prefix + k, problem: "expected a list of strings") }
            return try a.map {
                guard let s = $0 as? String else { throw RuleFileError(file: file, key: prefix + k, problem: "expected a list of strings") }
                return s
            }
        }
        /// `{success: 0, failure: -1}`: the two values a function returns.
        func returns(_ k: String) throws -> Rule.Returns? {
            guard let m = try optionalMap(k) else { return nil }
            let problem = "expected {success: N, failure: N} with two different integers"
            guard Set(m.keys) == ["success", "failure"], let s = Reader.integer(m["success"]), let f = Reader.integer(m["failure"]), s != f else {
                throw RuleFileError(file: file, key: prefix + k, problem: problem)
            }
            return Rule.Returns(success: s, failure: f)
        }
        static func integer(_ v: Any?) -> Int? {
            if let i = v as? Int { return i }
            return (v as? String).flatMap { Int($0) }
        }
        func optionalMap(_ k: String) throws -> [String: Any]? {
            guard let v = map[k] else { return nil }
            guard let m = v as? [String: Any] else { throw RuleFileError(file: file, key: prefix + k, problem: "expected a mapping") }
            return m
        }
    }
}
