import Foundation

/// What a reporter may need besides the findings.
public struct ReportContext: Sendable {
    public var toolVersion: String
    public var rules: [Rule]
    /// Colour escapes in text output (only on a terminal, never with NO_COLOR).
    public var colour: Bool
    /// The folder relative paths are relative to (SARIF's `%SRCROOT%`): the current one by default.
    public var sourceRoot: String
    /// Text output adds what the checks covered (`--statistics`).
    public var statistics = false
    /// SARIF carries the fixes `fix --unsafe-fixes` applies, not `fix`'s.
    public var unsafeFixes = false
    public init(toolVersion: String, rules: [Rule], colour: Bool = false, sourceRoot: String? = nil) {
        self.toolVersion = toolVersion
        self.rules = rules
        self.colour = colour
        self.sourceRoot = sourceRoot ?? FileManager.default.currentDirectoryPath
    }
}

/// Turns a report into one output format. Each format is one type behind this protocol.
public protocol Reporter: Sendable {
    /// The `--format` value.
    static var identifier: String { get }
    func render(_ report: Report, context: ReportContext) -> String
}

public enum Reporters {
    public static let all: [any Reporter] = [TextReporter(), JSONReporter(), SARIFReporter(), GitHubReporter(), GitLabReporter()]

    public static var identifiers: [String] { all.map { type(of: $0).identifier } }

    public static func reporter(named id: String) -> (any Reporter)? {
        all.first { type(of: $0).identifier == id }
    }
}
