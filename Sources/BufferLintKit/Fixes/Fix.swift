import Foundation

/// One change to a file: the bytes in `range` become `replacement` (an insertion when the range is empty).
public struct Edit: Sendable, Equatable, Hashable {
    public var range: Range<Int>
    public var replacement: String

    public init(range: Range<Int>, replacement: String) {
        self.range = range
        self.replacement = replacement
    }

    public static func insert(_ text: String, at offset: Int) -> Edit { Edit(range: offset..<offset, replacement: text) }
}

/// How a use is rewritten.
public enum FixStrategy: String, Sendable {
    /// The name becomes the reference function from `bufferlint_compat.h`: the old behaviour, exactly.
    case compat
    /// `PyObject_GetBuffer` into a `Py_buffer` held until every exit of the function.
    case scoped
    /// `PyObject_CheckReadBuffer` becomes `PyObject_CheckBuffer`: an approximation.
    case checkBuffer = "check-buffer"
    /// A Cython `cdef extern` declaration of an old function that nothing uses any more is deleted.
    case removeDeclaration = "remove-declaration"
}

/// A file written next to a fixed file when it is not there yet (the compat header).
public struct SupportFile: Sendable, Equatable {
    public var name: String
    public var contents: String
}

/// A planned fix for one finding: edits with a strategy, a safety and the reason for both.
public struct Fix: Sendable, Equatable {
    public var rule: String
    public var function: String
    /// Offset of the name of the use it fixes (the occurrence's `nameRange.lowerBound`).
    public var offset: Int
    public var line: Int
    public var column: Int
    public var strategy: FixStrategy
    public var safety: FixSummary.Safety
    public var reason: String
    public var edits: [Edit]
    /// Fixes with the same group share edits (the scoped fixes of one function) and are applied together.
    public var group: String?
    public var supportFiles: [SupportFile] = []
    /// Where the pointer outlives the call (`none` when it provably does not), which decided the strategy.
    public var escape: EscapeSummary? = nil
    /// A wrapper that is not `static` and gains a parameter: its calls and prototypes in the other
    /// scanned files must change with it (`CrossFileWrappers`), or this fix is withdrawn.
    public var externWrapper: String? = nil
    /// Part of the fix of a use in another file (the calls and prototypes of its wrapper), not a fix of a use here.
    public var companion = false

    public var summary: FixSummary { FixSummary(strategy: strategy.rawValue, safety: safety, reason: reason, escape: escape) }
}

/// A use that gets no fix, and why.
public struct UnfixedUse: Sendable, Equatable {
    public var rule: String
    public var function: String
    public var line: Int
    public var column: Int
    public var reason: String
}

/// Everything planned for one file: the fixes (at most one preferred per use, with alternatives) and the uses left alone.
public struct FilePlan: Sendable {
    public var path: String
    /// The bytes the plan was made from: a write is refused if the file no longer has them.
    public var original: [UInt8]
    public var fixes: [Fix] = []
    public var unfixed: [UnfixedUse] = []
    /// A file another tool generates (Cython, SWIG): it is never edited.
    public var generatedBy: String?
    /// Files whose fixes in the same run change this plan: the `.pxi` files a Cython file includes
    /// that still use an old name it declares (the declaration goes when they are fixed too).
    public var dependsOnFixesOf: [String] = []

    public init(path: String, original: [UInt8]) {
        self.path = path
        self.original = original
    }

    /// The fixes to apply: per use, the unsafe alternative when unsafe fixes are allowed and one exists,
    /// else the safe one; a group is taken whole or not at all.
    public func selected(unsafe: Bool) -> [Fix] {
        var byOffset: [Int: Fix] = [:]
        for f in fixes where f.safety == .safe || (unsafe && f.safety == .unsafe) {
            if let old = byOffset[f.offset], !(unsafe && f.safety == .unsafe && old.safety == .safe) { continue }
            byOffset[f.offset] = f
        }
        return byOffset.values.sorted { $0.offset < $1.offset }
    }

    /// The file's bytes after `fixes`, or nil when two fixes overlap (a planning error, never half-applied).
    public func apply(_ fixes: [Fix]) -> [UInt8]? {
        EditApplier.apply(fixes.flatMap(\.edits), to: original)
    }
}

/// Applies edits back to front. Identical edits (shared by fixes of one group) count once; insertions
/// at the same offset keep their order; overlapping replacements are refused.
public enum EditApplier {
    public static func normalized(_ edits: [Edit]) -> [Edit]? {
        var seen = Set<Edit>()
        var unique: [Edit] = []
        for e in edits where !seen.contains(e) {
            seen.insert(e)
            unique.append(e)
        }
        // Stable sort by start; insertions before a replacement starting at the same offset.
        let sorted = unique.enumerated().sorted {
            ($0.element.range.lowerBound, $0.element.range.isEmpty ? 0 : 1, $0.offset) < ($1.element.range.lowerBound, $1.element.range.isEmpty ? 0 : 1, $1.offset)
        }.map(\.element)
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.range.upperBound > b.range.lowerBound {
            return nil
        }
        for (a, b) in zip(sorted, sorted.dropFirst()) where !a.range.isEmpty && !b.range.isEmpty && a.range.lowerBound == b.range.lowerBound {
            return nil
        }
        return sorted
    }

    public static func apply(_ edits: [Edit], to bytes: [UInt8]) -> [UInt8]? {
        guard let sorted = normalized(edits), sorted.allSatisfy({ $0.range.lowerBound >= 0 && $0.range.upperBound <= bytes.count }) else { return nil }
        var out = bytes
        for e in sorted.reversed() {
            out.replaceSubrange(e.range, with: Array(e.replacement.utf8))
        }
        return out
    }
}

extension Rule.Semantics {
    /// `PyErr_SetString(PyExc_T, "message")` when the old function raised its own exception on failure
    /// (AsWriteBuffer's TypeError) instead of passing on the exporter's; nil otherwise.
    var oldErrorCall: String? {
        guard let exc = failureException, !["exporter", "none", ""].contains(exc), let message = failureMessage else { return nil }
        let literal = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "PyErr_SetString(PyExc_\(exc), \"\(literal)\")"
    }

    /// An acquisition expression that fails with the old function's own exception, when it had one.
    func raisingOldError(_ acquire: String) -> String {
        oldErrorCall.map { "(\(acquire) < 0 ? (\($0), -1) : 0)" } ?? acquire
    }
}

extension RuleSet {
    /// The uses a fix can be planned for: those of enabled old-buffer rules, with their rule, except
    /// those `leftAlone` names (suppressed by a comment, or accepted by the baseline).
    func fixableUses(_ occurrences: [Occurrence], leftAlone: Set<Int> = []) -> [(Occurrence, Rule)] {
        occurrences.compactMap { o in
            guard let r = rule(forFunction: o.function), r.kind == .oldBuffer, isEnabled(r.id), !leftAlone.contains(o.nameRange.lowerBound) else { return nil }
            return (o, r)
        }
    }
}

extension FilePlan {
    /// Gives each finding the fix `fix` applies to it, by default or with `--unsafe-fixes`.
    func annotate(_ findings: inout [Finding], unsafe: Bool = false) {
        var byUse: [String: FixSummary] = [:]
        for f in selected(unsafe: unsafe) where byUse["\(f.line):\(f.column):\(f.function)"] == nil { byUse["\(f.line):\(f.column):\(f.function)"] = f.summary }
        for k in findings.indices {
            if let s = byUse["\(findings[k].line):\(findings[k].column):\(findings[k].function)"] { findings[k].fix = s }
        }
    }

    /// Records a use that gets no fix, and why.
    mutating func leave(_ o: Occurrence, _ r: Rule, in text: SourceText, because why: String) {
        let p = text.position(of: o.nameRange.lowerBound)
        unfixed.append(UnfixedUse(rule: r.id, function: o.function, line: p.line, column: p.column, reason: why))
    }
}
