/// The rules in force for a run: selection, severities and the target Python applied.
public struct RuleSet: Sendable {
    public let all: [Rule]
    public let enabled: [Rule]
    public let target: PythonVersion
    let byFunction: [String: Rule]
    let overrides: [String: Severity]

    public init(rules: [Rule], select: [String] = [], ignore: [String] = [], severityOverrides: [String: Severity] = [:],
                target: PythonVersion = PythonVersion(major: 3, minor: 13)) throws {
        for s in select + ignore + Array(severityOverrides.keys) where !rules.contains(where: { $0.matches(selector: s) }) {
            throw ConfigError(file: "<options>", message: "`\(s)` matches no rule id, prefix or name (see `bufferlint rules`)")
        }
        all = rules
        enabled = rules.filter { r in
            (select.isEmpty || select.contains { r.matches(selector: $0) }) && !ignore.contains { r.matches(selector: $0) }
        }
        self.target = target
        var map: [String: Rule] = [:]
        for r in enabled where r.kind == .oldBuffer || r.kind == .detectOnly {
            for f in r.functions where map[f] == nil { map[f] = r }
        }
        byFunction = map
        overrides = severityOverrides
    }

    /// The names the scanners look for.
    public var watchedNames: Set<String> { Set(byFunction.keys) }

    public func rule(forFunction f: String) -> Rule? { byFunction[f] }
    public func rule(id: String) -> Rule? { all.first { $0.id == id } }
    public func isEnabled(_ id: String) -> Bool { enabled.contains { $0.id == id } }

    /// Severity of an occurrence: uses that do not break a build are info.
    public func severity(of rule: Rule, kind: OccurrenceKind) -> Severity {
        switch kind {
        case .inactive, .guarded, .shadowing, .wrapperCall: return .info
        default: break
        }
        if let o = overrides.first(where: { rule.matches(selector: $0.key) })?.value { return o }
        return rule.severity(forTarget: target)
    }

    public func message(of rule: Rule, occurrence o: Occurrence) -> String {
        let f = "`\(o.function)`"
        switch o.kind {
        case .call, .declaration:
            let base = rule.message
            if let alias = o.alias {
                return o.kind == .declaration ? "declaration of \(f) under the Cython name `\(alias)`: remove it; " + base
                    : "`\(alias)` is \(f) under another Cython name; " + lowerFirst(base)
            }
            return o.kind == .declaration ? "declaration of \(f): remove it; " + base : base
        case .reference:
            return (o.alias.map { "`\($0)`, \(f) under another Cython name," } ?? f) + " is referenced here without being called (a function pointer or table entry); " + lowerFirst(rule.message)
        case .macroDefinition:
            return "macro `\(o.macro ?? "?")` uses \(f), so every expansion breaks on Python \(rule.removed ?? "3.13"); " + lowerFirst(rule.message)
        case .macroExpansion:
            return "macro `\(o.macro ?? "?")` expands to a use of \(f); " + lowerFirst(rule.message)
        case .inactive:
            return "\(f) in a branch that is not compiled (`\(o.guardText ?? "#if")` at line \(o.guardLine ?? 0)); this code can be deleted once that configuration is no longer supported"
        case .guarded:
            return "\(f) is compiled only for Pythons that still have it (`\(o.guardText ?? "#if")` at line \(o.guardLine ?? 0)); it can go when support for Python \(target.major).\(target.minor - 1) and older is dropped"
        case .shadowing:
            return "this project defines its own \(f), shadowing the removed API; uses resolve to this definition"
        case .wrapperCall:
            return "calls `\(o.macro ?? "?")`, which hands out a pointer from \(f): the pointer's lifetime hazard reaches this call"
        }
    }

    private func lowerFirst(_ s: String) -> String { s.prefix(1).lowercased() + s.dropFirst() }
}
