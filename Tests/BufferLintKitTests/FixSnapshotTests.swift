import BufferLintKit
import Foundation
import XCTest

/// Byte-exact snapshots of what bufferlint says and changes, for every fixture folder, the fix
/// corpus and every rule's examples: the diff `check --diff` prints, the one `--unsafe-fixes` adds
/// to, and the JSON findings of `check --format json`. Any change to a fix strategy shows up here
/// as a reviewed change of these files (`BUFFERLINT_UPDATE_SNAPSHOTS=1 swift test --filter
/// FixSnapshotTests` rewrites them after an intended change; `git diff Tests/Snapshots` is the review).
final class FixSnapshotTests: XCTestCase {
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let packageRoot = testsDir.deletingLastPathComponent().path
    static let snapshots = testsDir.appendingPathComponent("Snapshots").path
    static let update = ProcessInfo.processInfo.environment["BUFFERLINT_UPDATE_SNAPSHOTS"] == "1"

    /// The folders checked as one project each (a fix may span their files).
    static var units: [(name: String, path: String)] {
        var out: [(String, String)] = []
        for top in ["detect", "flow", "golden"] { out.append(("fixtures-\(top)", testsDir.appendingPathComponent("Fixtures/\(top)").path)) }
        let real = testsDir.appendingPathComponent("Fixtures/real").path
        for sub in ((try? FileManager.default.contentsOfDirectory(atPath: real)) ?? []).sorted() {
            out.append(("fixtures-real-\(sub)", (real as NSString).appendingPathComponent(sub)))
        }
        out.append(("fix-corpus", testsDir.appendingPathComponent("FixCorpus").path))
        return out
    }

    /// Paths as a reader of the snapshot sees them: from the package root, or from the scratch folder.
    static func relative(_ bytes: [UInt8], strip prefixes: [String]) -> [UInt8] {
        var text = bytes
        for p in prefixes {
            let needle = Array((p.hasSuffix("/") ? p : p + "/").utf8)
            text = replacing(needle, in: text)
        }
        return text
    }

    static func replacing(_ needle: [UInt8], in hay: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty, hay.count >= needle.count else { return hay }
        var out: [UInt8] = []
        out.reserveCapacity(hay.count)
        var i = 0
        while i < hay.count {
            if i + needle.count <= hay.count, hay[i] == needle[0], Array(hay[i..<(i + needle.count)]) == needle {
                i += needle.count
            } else {
                out.append(hay[i]); i += 1
            }
        }
        return out
    }

    func lint(_ path: String, keepEdits: Bool) throws -> (Report, Linter) {
        var o = LintOptions()
        o.paths = [path]
        o.jobs = 2
        o.cacheDirectory = nil
        o.planFixes = true
        o.keepFixEdits = keepEdits
        let linter = try Linter(options: o)
        return (linter.run(), linter)
    }

    /// The three snapshots of one folder, paths made relative by `strip`.
    func snapshots(of path: String, strip: [String]) throws -> [(suffix: String, bytes: [UInt8])] {
        let (fixing, linter) = try lint(path, keepEdits: true)
        let safe = FileFixer.diff(fixing.fixPlans, unsafe: false, display: linter.display)
        let unsafe = FileFixer.diff(fixing.fixPlans, unsafe: true, display: linter.display)
        let (checking, checker) = try lint(path, keepEdits: false)
        let json = JSONReporter().render(checking, context: ReportContext(toolVersion: Linter.version, rules: checker.rules.all, colour: false))
        return [("diff", safe), ("unsafe.diff", unsafe), ("json", Array(json.utf8))].map { ($0.0, FixSnapshotTests.relative($0.1, strip: strip)) }
    }

    func assertSnapshot(_ actual: [UInt8], _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = (FixSnapshotTests.snapshots as NSString).appendingPathComponent(name)
        if FixSnapshotTests.update {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(actual).write(to: URL(fileURLWithPath: path))
            return
        }
        guard let expected = FileManager.default.contents(atPath: path) else {
            XCTFail("missing snapshot \(name); run with BUFFERLINT_UPDATE_SNAPSHOTS=1 to create it", file: file, line: line)
            return
        }
        if [UInt8](expected) != actual {
            let e = SourceText.decode([UInt8](expected)).split(separator: "\n", omittingEmptySubsequences: false)
            let a = SourceText.decode(actual).split(separator: "\n", omittingEmptySubsequences: false)
            let k = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
            XCTFail("\(name) differs from its snapshot at line \(k + 1) (or in bytes the line view hides):\n  expected: \(k < e.count ? String(e[k]) : "<end>")\n  actual:   \(k < a.count ? String(a[k]) : "<end>")\n(BUFFERLINT_UPDATE_SNAPSHOTS=1 rewrites it)", file: file, line: line)
        }
    }

    func testEveryFixtureFolderAndTheFixCorpus() throws {
        for unit in FixSnapshotTests.units {
            for (suffix, bytes) in try snapshots(of: unit.path, strip: [FixSnapshotTests.packageRoot]) {
                try assertSnapshot(bytes, "\(unit.name).\(suffix)")
            }
        }
    }

    /// Every rule's triggering examples and correction inputs, each a file of one folder.
    func testEveryRuleExample() throws {
        let scratch = try ScratchFolder("snapshot-examples")
        for rule in try RuleLoader.builtIn() {
            for (k, example) in rule.triggering.enumerated() {
                try scratch.write("\(rule.id)-example-\(k + 1).c", RuleExampleTests.prelude + RuleExampleTests.markers(in: example).0)
            }
            for (k, c) in rule.corrections.enumerated() {
                try scratch.write("\(rule.id)-correction-\(k + 1).c", RuleExampleTests.prelude + c.before)
            }
        }
        for (suffix, bytes) in try snapshots(of: scratch.path, strip: [scratch.path, FixSnapshotTests.packageRoot]) {
            try assertSnapshot(bytes, "rule-examples.\(suffix)")
        }
    }

    /// A snapshot folder lists exactly the snapshots the tests write: none is stale.
    func testNoStaleSnapshots() throws {
        let expected = Set(FixSnapshotTests.units.map(\.name) + ["rule-examples"]).flatMap { n in ["diff", "unsafe.diff", "json"].map { "\(n).\($0)" } }
        let present = try FileManager.default.contentsOfDirectory(atPath: FixSnapshotTests.snapshots).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(Set(present), Set(expected))
    }
}
