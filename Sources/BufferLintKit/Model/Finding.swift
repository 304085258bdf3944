public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case info, warning, error

    var rank: Int { self == .error ? 2 : self == .warning ? 1 : 0 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// Where a finding in generated code really comes from (a Cython or SWIG source line).
public struct GeneratedOrigin: Sendable, Equatable, Codable {
    public var tool: String
    public var source: String?
    public var line: Int?
}

/// A reported use: an occurrence that a rule turned into something to show.
public struct Finding: Sendable, Equatable, Codable {
    public var rule: String
    public var ruleName: String
    public var function: String
    public var kind: OccurrenceKind
    public var severity: Severity
    /// Path as shown: relative to the current directory when under it.
    public var file: String
    public var line: Int
    public var column: Int
    public var endLine: Int
    public var endColumn: Int
    public var message: String
    public var macro: String?
    public var enclosingFunction: String?
    public var resolution: Resolution
    /// The source line, for text output and fingerprints.
    public var sourceLine: String
    /// The call's text (or the name's), whitespace-normalised: a line-independent identity.
    public var snippet: String
    public var generated: GeneratedOrigin?
    public var fix: FixSummary?
    /// What else the use's code does that a reader should know (a test of the result that is
    /// inverted or can never change): shown after the finding, and in its fix's reason.
    public var notes: [String] = []

    public init(rule: String, ruleName: String, function: String, kind: OccurrenceKind, severity: Severity, file: String,
                line: Int, column: Int, endLine: Int, endColumn: Int, message: String, macro: String? = nil,
                enclosingFunction: String? = nil, resolution: Resolution = .tokens, sourceLine: String = "",
                snippet: String = "", generated: GeneratedOrigin? = nil, fix: FixSummary? = nil) {
        self.rule = rule
        self.ruleName = ruleName
        self.function = function
        self.kind = kind
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.endLine = endLine
        self.endColumn = endColumn
        self.message = message
        self.macro = macro
        self.enclosingFunction = enclosingFunction
        self.resolution = resolution
        self.sourceLine = sourceLine
        self.snippet = snippet
        self.generated = generated
        self.fix = fix
    }

    /// The message with the notes after it, for formats that have only one text.
    public var messageWithNotes: String {
        notes.isEmpty ? message : ([message] + notes.map { "Note: \($0)." }).joined(separator: " ")
    }

    /// The fix's reason says the notes too.
    public func notesInFix() -> Finding {
        guard !notes.isEmpty, var f = fix else { return self }
        f.reason += (f.reason.hasSuffix(".") ? " " : ". ") + notes.map { "Note: \($0)." }.joined(separator: " ")
        var out = self
        out.fix = f
        return out
    }

    /// Sort order of every report: file, line, column, then rule.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        (a.file, a.line, a.column, a.rule, a.kind.rawValue) < (b.file, b.line, b.column, b.rule, b.kind.rawValue)
    }
}

/// Whether a finding can be fixed, how, and how safely (the edits live in `Fix`).
public struct FixSummary: Sendable, Equatable, Codable {
    public enum Safety: String, Sendable, Codable { case safe, unsafe, displayOnly = "display-only" }
    public var strategy: String
    public var safety: Safety
    public var reason: String
    /// Why the strategy was chosen: where the pointer outlives the call, if it does.
    public var escape: EscapeSummary? = nil
}

/// Where the pointer of an old call could outlive a view: `out-param`, `struct-field`, `global`,
/// `returned`, `callee`, `none` (proved not to escape) or `unknown` (not analysed), with the line.
public struct EscapeSummary: Sendable, Equatable, Codable {
    public var kind: String
    public var line: Int
    public init(kind: String, line: Int) {
        self.kind = kind
        self.line = line
    }
}

/// A problem with an input (a path, a file, a configuration): named, never fatal to the run.
public struct InputError: Sendable, Equatable, Codable {
    /// What the problem means for the run.
    public enum Kind: String, Sendable, Codable {
        /// The path could not be read at all (missing, unreadable, not a regular file): the run fails (exit 2).
        case unreadable
        /// The file was read but checked with less than a compiler would see (missing headers, syntax errors).
        case incomplete
        /// Worth saying, changes nothing (a Latin-1 file, NUL bytes read as spaces).
        case note

        public var label: String { self == .note ? "note" : "error" }
        public var failsRun: Bool { self == .unreadable }
    }
    public var file: String
    public var message: String
    public var kind: Kind
    public init(file: String, message: String, kind: Kind = .incomplete) {
        self.file = file
        self.message = message
        self.kind = kind
    }
}

/// What the checks of migrated code (BUF101-BUF106) covered in one file: the functions that name a
/// view or the new functions, and those that could not be analysed, with the reason.
public struct FlowSummary: Sendable, Equatable, Codable {
    public struct Skipped: Sendable, Equatable, Codable {
        /// The file as shown (set when the summaries of a run are added up).
        public var file = ""
        public var function: String
        public var line: Int
        /// The kind of reason (`does not parse`, `computed goto`, ...): what the counts group by.
        public var reason: String
        /// The particulars (the first error, say); may be empty.
        public var detail: String
        public init(function: String, line: Int, reason: String, detail: String = "") {
            self.function = function
            self.line = line
            self.reason = reason
            self.detail = detail
        }
    }
    public var functions = 0
    public var skipped: [Skipped] = []
    public var analysed: Int { functions - skipped.count }
    public init(functions: Int = 0, skipped: [Skipped] = []) {
        self.functions = functions
        self.skipped = skipped
    }
    public mutating func add(_ other: FlowSummary) {
        functions += other.functions
        skipped += other.skipped
    }
    /// Skipped functions per reason, most first.
    public var reasons: [(reason: String, count: Int)] {
        var counts: [String: Int] = [:]
        for s in skipped { counts[s.reason, default: 0] += 1 }
        return counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
    }
    /// `flow: 412 functions, 409 analysed, 3 skipped: computed goto 2, setjmp 1`.
    public var line: String {
        var s = "flow: \(functions) function\(functions == 1 ? "" : "s"), \(analysed) analysed"
        if !skipped.isEmpty { s += ", \(skipped.count) skipped: " + reasons.map { "\($0.reason) \($0.count)" }.joined(separator: ", ") }
        return s
    }
}

public struct RunSummary: Sendable, Equatable {
    public var files = 0
    public var parsed = 0
    public var findings = 0
    public var errors = 0
    /// Files whose parse needed declarations made up for missing headers.
    public var completed = 0
    public var flow = FlowSummary()
}

/// Everything a run produced, in report order.
public struct Report: Sendable {
    public var findings: [Finding] = []
    public var errors: [InputError] = []
    public var warnings: [String] = []
    public var summary = RunSummary()
    /// Project functions that hand out a pointer from an old function, with their caller counts.
    public var wrappers: [WrapperSummary] = []
    /// Per file, the planned fixes (when fixes were asked for).
    public var fixPlans: [FilePlan] = []
    public init() {}
}
