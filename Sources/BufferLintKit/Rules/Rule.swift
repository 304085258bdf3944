/// A rule as written in a `Rules/*.yml` file.
public struct Rule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// One of the old buffer functions: detection, documentation, semantics for fixes.
        case oldBuffer = "old-buffer"
        /// Any other removed or unwanted function: detection and a replacement text only.
        case detectOnly = "detect-only"
        /// A rule about bufferlint's own comments (unused suppressions).
        case meta
        /// A check of code that already uses `PyObject_GetBuffer` / `PyBuffer_Release`.
        case newApi = "new-api"
    }

    public struct Documentation: Sendable, Equatable {
        public var whatItDoes: String
        public var whyIsThisBad: String
        public var example: String
        public var useInstead: String
        public var fixSafety: String
        public var references: [String]
    }

    /// What a fix needs to know about the old function (SEMANTICS.md, checked by tests against the reference).
    public struct Semantics: Sendable, Equatable {
        public var flag: String
        public var pointerType: String
        public var lengthType: String
        public var failure: String
        public var failureException: String?
        public var failureMessage: String?
        public var differences: [String]
        /// What the function returns, where the rule says (tests of the result are read against it).
        public var returns: Returns? = nil
    }

    /// The value a function returns when it succeeds (or answers yes) and when it fails (or answers no).
    public struct Returns: Sendable, Equatable {
        public var success: Int
        public var failure: Int
    }

    public struct Correction: Sendable, Equatable {
        public var before: String
        public var after: String
    }

    public var id: String
    public var name: String
    public var kind: Kind
    public var functions: [String]
    public var severity: Severity
    public var deprecated: String?
    public var removed: String?
    public var message: String
    public var replacement: String
    public var documentation: Documentation
    public var semantics: Semantics?
    public var triggering: [String]
    public var nonTriggering: [String]
    public var corrections: [Correction]
    /// The file the rule came from: `Rules/BUF002-as-read-buffer.yml` or a user folder's file.
    public var source: String
    public var isBuiltIn: Bool

    /// Severity for a use in code compiled for `target`: removed there is an error, deprecated a warning.
    public func severity(forTarget target: PythonVersion) -> Severity {
        guard kind == .oldBuffer || kind == .detectOnly else { return severity }
        if let r = removed.flatMap(PythonVersion.init), target >= r { return .error }
        if let d = deprecated.flatMap(PythonVersion.init), target >= d { return min(severity, .warning) == .info ? .info : .warning }
        return .info
    }

    public func matches(selector s: String) -> Bool {
        s == id || s == name || (!s.isEmpty && id.hasPrefix(s) && s.first?.isUppercase == true)
    }
}

public struct PythonVersion: Sendable, Comparable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public init?(_ s: String) {
        let parts = s.split(separator: ".")
        guard parts.count >= 2, let a = Int(parts[0]), let b = Int(parts[1]) else { return nil }
        major = a
        minor = b
    }

    public static func < (a: PythonVersion, b: PythonVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    public var description: String { "\(major).\(minor)" }

    /// The lowest version a run may target. The fixes use the buffer API of Python 3, and their
    /// claims ("same results and exceptions") hold only there: on Python 2, mmap, array and other
    /// types export only the old protocol.
    public static let lowestTarget = PythonVersion(major: 3, minor: 0)

    /// Why `self` cannot be a target, or nil when it can.
    public var targetRefusal: String? {
        self < PythonVersion.lowestTarget
            ? "Python \(self) is not supported: the fixes need Python 3's buffer API (on Python 2, mmap, array and others export only the old protocol); the lowest target is \(PythonVersion.lowestTarget)"
            : nil
    }
}
