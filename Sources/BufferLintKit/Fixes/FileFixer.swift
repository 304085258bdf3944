import Foundation

/// What fixing one file did, as a value: the fixes applied, the uses left and why, the files written.
public struct FileFixOutcome: Sendable {
    public var path: String
    public var applied: [Fix] = []
    public var unfixed: [UnfixedUse] = []
    public var newContents: [UInt8]?
    public var wroteFile = false
    public var wroteHeader: String?
    public var error: String?
}

/// Applies a file's selected fixes and, when asked, writes the result safely.
public enum FileFixer {
    public static func outcome(for plan: FilePlan, unsafe: Bool) -> FileFixOutcome {
        var out = FileFixOutcome(path: plan.path, unfixed: plan.unfixed)
        let chosen = plan.selected(unsafe: unsafe)
        let chosenOffsets = Set(chosen.map(\.offset))
        for f in plan.fixes where !chosenOffsets.contains(f.offset) && f.safety == .unsafe && !f.companion {
            out.unfixed.append(UnfixedUse(rule: f.rule, function: f.function, line: f.line, column: f.column,
                                          reason: "only an unsafe fix exists (\(f.reason)); pass --unsafe-fixes to apply it"))
        }
        guard !chosen.isEmpty else { return out }
        guard let bytes = plan.apply(chosen) else {
            out.error = "planned fixes overlap; nothing was changed"
            return out
        }
        out.applied = chosen
        if bytes != plan.original { out.newContents = bytes }
        return out
    }

    /// Writes the fixed file (and the compat header next to it when missing).
    public static func write(_ outcome: inout FileFixOutcome, plan: FilePlan) {
        guard let bytes = outcome.newContents else { return }
        let dir = (plan.path as NSString).deletingLastPathComponent
        do {
            // The header first: a fixed file that includes a missing header would not build.
            for support in Dictionary(outcome.applied.flatMap(\.supportFiles).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }).values {
                let target = ((dir.isEmpty ? "." : dir) as NSString).appendingPathComponent(support.name)
                if try SafeFileWriter.create(path: target, contents: Array(support.contents.utf8)) { outcome.wroteHeader = target }
            }
            try SafeFileWriter.replace(path: plan.path, expected: plan.original, with: bytes)
            outcome.wroteFile = true
        } catch let e as WriteRefusal {
            // A header made for a file that was not written is taken back.
            if let h = outcome.wroteHeader { unlink(h); outcome.wroteHeader = nil }
            outcome.error = e.message
        } catch {
            outcome.error = "\(error)"
        }
    }
}
