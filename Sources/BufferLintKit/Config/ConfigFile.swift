import Foundation

public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let message: String
    public var description: String { "\(file): \(message)" }
}

/// `.bufferlint.yml`: found from the current folder upwards, or named with `--config`.
/// Unknown keys are errors. Relative paths in it are relative to its folder.
public struct ConfigFile: Sendable {
    public static let fileName = ".bufferlint.yml"
    static let keys: Set<String> = ["include", "exclude", "select", "ignore", "severity", "rules", "python-include",
                                    "compile-commands", "target-python", "include-dirs", "defines", "std"]

    public let path: String
    public var include: [String] = []
    public var exclude: [String] = []
    public var select: [String] = []
    public var ignore: [String] = []
    public var severity: [String: Severity] = [:]
    public var rules: [String] = []
    public var pythonInclude: String?
    public var compileCommands: String?
    public var targetPython: PythonVersion?
    public var includeDirs: [String] = []
    public var defines: [String] = []
    public var std: String?

    public static func discover(from dir: String) -> String? {
        var d = URL(fileURLWithPath: dir).standardizedFileURL
        while true {
            let candidate = d.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = d.deletingLastPathComponent()
            if parent.path == d.path { return nil }
            d = parent
        }
    }

    public init(path: String) throws {
        let bytes: [UInt8]
        switch RegularFile.read(path, limit: 1 << 20) {
        case .success(let b): bytes = b
        case .failure(let problem): throw ConfigError(file: path, message: problem.description)
        }
        try self.init(path: path, bytes: bytes)
    }

    /// The configuration `bytes` say, as if read from `path` (its folder anchors relative paths).
    public init(path: String, bytes: [UInt8]) throws {
        self.path = path
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ConfigError(file: path, message: "cannot be read as UTF-8 text") }
        let node: Any?
        do { node = try YAMLDocument.load(text) } catch let e as YAMLDocument.Problem {
            throw ConfigError(file: path, message: e.description)
        }
        if node == nil { return }
        guard let map = node as? [String: Any] else { throw ConfigError(file: path, message: "expected a mapping of settings") }
        for k in map.keys.sorted() where !ConfigFile.keys.contains(k) {
            throw ConfigError(file: path, message: "unknown key `\(k)`; expected one of \(ConfigFile.keys.sorted().joined(separator: ", "))")
        }
        let base = (path as NSString).deletingLastPathComponent
        func list(_ k: String) throws -> [String] {
            guard let v = map[k] else { return [] }
            if let s = v as? String { return [s] }
            guard let a = v as? [Any], a.allSatisfy({ $0 is String }) else { throw ConfigError(file: path, message: "key `\(k)`: expected a list of strings") }
            return a as! [String]
        }
        func str(_ k: String) throws -> String? {
            guard let v = map[k] else { return nil }
            if let s = v as? String { return s }
            if let i = v as? Int { return String(i) }
            throw ConfigError(file: path, message: "key `\(k)`: expected a string")
        }
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : (base as NSString).appendingPathComponent(p) }
        include = try list("include")
        exclude = try list("exclude")
        select = try list("select")
        ignore = try list("ignore")
        rules = try list("rules").map(absolute)
        includeDirs = try list("include-dirs").map(absolute)
        defines = try list("defines")
        std = try str("std")
        if let v = std, v.isEmpty || v.count > 32 || !v.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" }) {
            throw ConfigError(file: path, message: "key `std`: expected a language standard such as c11 or c++17, got `\(v)`")
        }
        pythonInclude = try str("python-include").map(absolute)
        compileCommands = try str("compile-commands").map(absolute)
        if let t = try str("target-python") {
            guard let v = PythonVersion(t) else { throw ConfigError(file: path, message: "key `target-python`: expected a version such as 3.13, got `\(t)`") }
            if let why = v.targetRefusal { throw ConfigError(file: path, message: "key `target-python`: \(why)") }
            targetPython = v
        }
        if let s = map["severity"] {
            guard let m = s as? [String: Any] else { throw ConfigError(file: path, message: "key `severity`: expected a mapping of rule to error, warning or info") }
            for (rule, v) in m {
                guard let vs = v as? String, let sev = Severity(rawValue: vs) else {
                    throw ConfigError(file: path, message: "key `severity.\(rule)`: expected error, warning or info")
                }
                severity[rule] = sev
            }
        }
    }

    /// The configuration is part of the tree checked: the folders and files it names must lie in
    /// its own folder (or among the system's and Python's headers). The others are dropped here,
    /// each named in a warning.
    func withinProject(_ paths: [String], key: String, warnings: inout [String]) -> [String] {
        let base = (path as NSString).deletingLastPathComponent
        let roots = TrustedRoots([base.isEmpty ? "." : base] + IncludeResolver.defaultSystemDirs)
        return paths.filter { p in
            if roots.contains(p) { return true }
            if let python = PythonHeaders.defaultIncludeDir(), TrustedRoots([python]).contains(p) { return true }
            warnings.append("warning: \(self.path): key `\(key)`: \(p) is outside the project; ignored (pass it on the command line to use it)")
            return false
        }
    }

    /// Settings from this file under those the command line gave.
    public func apply(to o: inout LintOptions, commandLineSet: Set<String>) {
        var warnings: [String] = []
        let rules = withinProject(rules, key: "rules", warnings: &warnings)
        let includeDirs = withinProject(includeDirs, key: "include-dirs", warnings: &warnings)
        let pythonInclude = withinProject(pythonInclude.map { [$0] } ?? [], key: "python-include", warnings: &warnings).first
        let compileCommands = withinProject(compileCommands.map { [$0] } ?? [], key: "compile-commands", warnings: &warnings).first
        o.warnings += warnings
        o.trustedFolders.append((path as NSString).deletingLastPathComponent)
        if !commandLineSet.contains("select") && !select.isEmpty { o.select = select }
        if !commandLineSet.contains("ignore") { o.ignore = ignore + o.ignore }
        for (k, v) in severity where o.severityOverrides[k] == nil { o.severityOverrides[k] = v }
        o.extraRuleDirectories = rules + o.extraRuleDirectories
        if o.pythonInclude == nil { o.pythonInclude = pythonInclude }
        if o.compileCommands == nil { o.compileCommands = compileCommands }
        if !commandLineSet.contains("target-python"), let t = targetPython { o.targetPython = t }
        o.includeDirs = includeDirs + o.includeDirs
        o.defines = defines + o.defines
        if o.std == nil { o.std = std }
        o.includeGlobs = include + o.includeGlobs
        o.excludeGlobs = exclude + o.excludeGlobs
        if o.globRoot == nil, !(include.isEmpty && exclude.isEmpty) {
            o.globRoot = RegularFile.lexicalPath((path as NSString).deletingLastPathComponent, cwd: FileManager.default.currentDirectoryPath)
        }
    }
}
