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

    /// Writes the fixed file (and the support headers next to it when missing).
    public static func write(_ outcome: inout FileFixOutcome, plan: FilePlan, roots: TrustedRoots? = nil) {
        var outcomes = [outcome]
        write(&outcomes, plans: [plan], roots: roots)
        outcome = outcomes[0]
    }

    /// Writes every fixed file and the support headers they need, all or none: a fix may change
    /// several files (a wrapper and its callers), and a tree where only some of them changed does
    /// not build. Every file is prepared first; when one cannot be, nothing is written, that file
    /// says why and the others say which file stopped them.
    public static func write(_ outcomes: inout [FileFixOutcome], plans: [FilePlan], roots: TrustedRoots?) {
        var staged: [SafeFileWriter.Staged] = []
        var headerOf: [Int: String] = [:]
        var newFiles = Set<String>()
        var failure: (index: Int, refusal: WriteRefusal)? = nil
        stage: for (k, plan) in plans.enumerated() {
            guard let bytes = outcomes[k].newContents else { continue }
            let dir = (plan.path as NSString).deletingLastPathComponent
            do {
                for support in Dictionary(outcomes[k].applied.flatMap(\.supportFiles).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }).values {
                    let target = ((dir.isEmpty ? "." : dir) as NSString).appendingPathComponent(support.name)
                    guard newFiles.insert(IncludeResolver.normalize(target)).inserted else { continue }
                    if let s = try SafeFileWriter.stageNew(path: target, contents: Array(support.contents.utf8), roots: roots) {
                        staged.append(s)
                        headerOf[k] = target
                    }
                }
                staged.append(try SafeFileWriter.stageReplacement(path: plan.path, expected: plan.original, contents: bytes, roots: roots))
            } catch let e as WriteRefusal {
                failure = (k, e)
                break stage
            } catch {
                failure = (k, WriteRefusal(path: plan.path, message: "\(error)"))
                break stage
            }
        }
        var placed = Set<String>()
        if failure == nil {
            let (done, refusal) = SafeFileWriter.commit(staged)
            placed = Set(done)
            if let refusal { failure = (plans.firstIndex { $0.path == refusal.path } ?? headerIndex(refusal.path, headerOf) ?? 0, refusal) }
        } else {
            SafeFileWriter.discard(staged)
        }
        if let (index, refusal) = failure {
            let culprit = refusal.path
            let none = placed.isEmpty ? "; no file was written" : "; files renamed into place before it stay written"
            for k in outcomes.indices where outcomes[k].newContents != nil {
                outcomes[k].wroteFile = placed.contains(plans[k].path)
                outcomes[k].wroteHeader = headerOf[k].flatMap { placed.contains($0) ? $0 : nil }
                if outcomes[k].wroteFile { continue }
                outcomes[k].error = k == index
                    ? (culprit == plans[k].path ? refusal.message : "\(culprit): \(refusal.message)") + none
                    : "not written: \(culprit) could not be written, and a fix is written whole or not at all"
            }
            return
        }
        for k in outcomes.indices where outcomes[k].newContents != nil {
            outcomes[k].wroteFile = true
            outcomes[k].wroteHeader = headerOf[k]
        }
    }

    static func headerIndex(_ path: String, _ headerOf: [Int: String]) -> Int? {
        headerOf.first { $0.value == path }?.key
    }
}

extension FileFixer {
    /// The change `fix` with the same flags would make, as one unified diff in the files' own bytes:
    /// every fixed file, and every support header it would create (`git apply` of it then builds).
    public static func diff(_ plans: [FilePlan], unsafe: Bool, display: (String) -> String) -> [UInt8] {
        var out: [UInt8] = []
        var created = Set<String>()
        for plan in plans.sorted(by: { $0.path < $1.path }) {
            let outcome = FileFixer.outcome(for: plan, unsafe: unsafe)
            guard outcome.newContents != nil else { continue }
            out += UnifiedDiff.bytes(path: display(plan.path), original: plan.original, edits: outcome.applied.flatMap(\.edits))
            let dir = (plan.path as NSString).deletingLastPathComponent
            for support in outcome.applied.flatMap(\.supportFiles).sorted(by: { $0.name < $1.name }) {
                let target = ((dir.isEmpty ? "." : dir) as NSString).appendingPathComponent(support.name)
                var st = stat()
                guard lstat(target, &st) != 0, created.insert(IncludeResolver.normalize(target)).inserted else { continue }
                out += UnifiedDiff.creation(path: display(target), contents: Array(support.contents.utf8))
            }
        }
        return out
    }
}
