@testable import BufferLintKit
import Foundation
import XCTest

final class SARIFReporterTests: XCTestCase {
    func render(_ f: Finding) throws -> [String: Any] {
        var report = Report()
        report.findings = [f]
        let text = SARIFReporter().render(report, context: ReportContext(toolVersion: "9.9", rules: try RuleLoader.rules(extraDirectories: []), sourceRoot: "/src root"))
        let top = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let run = try XCTUnwrap((top["runs"] as? [[String: Any]])?.first)
        return try XCTUnwrap((run["results"] as? [[String: Any]])?.first)
    }

    func finding(file: String, line: String = "x = PyObject_AsReadBuffer(o, &p, &n);", column: Int = 5) -> Finding {
        Finding(rule: "BUF002", ruleName: "as-read-buffer", function: "PyObject_AsReadBuffer", kind: .call, severity: .warning, file: file,
                line: 4, column: column, endLine: 4, endColumn: column + 33, message: "m", sourceLine: line, snippet: "PyObject_AsReadBuffer(o, &p, &n)")
    }

    func testLocationsAreRelativeToTheSourceRootAndEncoded() throws {
        let result = try render(finding(file: "src/a b%:c.c"))
        let loc = try XCTUnwrap(((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]))
        let artifact = try XCTUnwrap(loc["artifactLocation"] as? [String: Any])
        XCTAssertEqual(artifact["uri"] as? String, "src/a%20b%25%3Ac.c")
        XCTAssertEqual(artifact["uriBaseId"] as? String, "%SRCROOT%")
        XCTAssertEqual(result["level"] as? String, "warning")
        XCTAssertNil(result["fixes"], "no edits, no fixes")
        let abs = try render(finding(file: "/usr/include/x.h"))
        let absLoc = try XCTUnwrap(((abs["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])
        XCTAssertEqual(absLoc["uri"] as? String, "file:///usr/include/x.h")
        XCTAssertNil(absLoc["uriBaseId"])
    }

    func testColumnsAreUTF16CodeUnits() throws {
        // "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
        let line = "/*é😀*/ PyObject_AsReadBuffer(o, &p, &n);"
        let byteColumn = Array("/*é😀*/ ".utf8).count + 1
        let result = try render(finding(file: "a.c", line: line, column: byteColumn))
        let region = try XCTUnwrap(((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])
        XCTAssertEqual(region["startColumn"] as? Int, "/*é😀*/ ".utf16.count + 1)
        XCTAssertEqual(region["endColumn"] as? Int, "/*é😀*/ ".utf16.count + 1 + 33)
    }

    func testGitHubsLineHashIsEmittedBesideTheFingerprint() throws {
        var report = Report()
        let f = finding(file: "a.c")
        var moved = f
        moved.line = 40  // the same line of code, after lines were added above it
        report.findings = [f, finding(file: "a.c", line: "y  =  PyObject_AsReadBuffer(o, &p, &n);"), f]
        let hashes = SARIFReporter.lineHashes(report.findings)
        XCTAssertEqual(hashes.count, 3)
        for h in hashes { XCTAssertNotNil(h.range(of: #"^[0-9a-f]{16}:[0-9]+$"#, options: .regularExpression), h) }
        XCTAssertEqual(hashes[0].prefix(16), hashes[2].prefix(16))
        XCTAssertEqual([hashes[0].suffix(2), hashes[2].suffix(2)], [":1", ":2"], "equal lines are counted")
        XCTAssertNotEqual(hashes[0].prefix(16), hashes[1].prefix(16))
        XCTAssertEqual(SARIFReporter.lineHashes([moved]), [hashes[0]], "the line number is not part of it")
        let result = try render(f)
        let partial = try XCTUnwrap(result["partialFingerprints"] as? [String: String])
        XCTAssertEqual(Set(partial.keys), [SARIFReporter.fingerprintKey, "primaryLocationLineHash"])
    }

    func testRulesCarryGitHubsPropertiesAndShortEnoughDescriptions() throws {
        var report = Report()
        report.findings = []
        let text = SARIFReporter().render(report, context: ReportContext(toolVersion: "9.9", rules: try RuleLoader.rules(extraDirectories: [])))
        let top = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let driver = try XCTUnwrap((((top["runs"] as? [[String: Any]])?.first?["tool"] as? [String: Any])?["driver"] as? [String: Any]))
        let rules = try XCTUnwrap(driver["rules"] as? [[String: Any]])
        XCTAssertGreaterThan(rules.count, 5)
        for r in rules {
            let props = try XCTUnwrap(r["properties"] as? [String: Any])
            XCTAssertTrue(["very-high", "high"].contains(props["precision"] as? String ?? ""), "\(r["id"] ?? "")")
            XCTAssertTrue(["error", "warning", "recommendation"].contains(props["problem.severity"] as? String ?? ""))
            let full = try XCTUnwrap((r["fullDescription"] as? [String: Any])?["text"] as? String)
            XCTAssertLessThanOrEqual(full.count, 1024)
        }
        let long = String(repeating: "word ", count: 400)
        let cut = SARIFReporter.bounded(long, limit: 1024)
        XCTAssertLessThanOrEqual(cut.count, 1024)
        XCTAssertTrue(cut.hasSuffix("…") && cut.hasPrefix("word word"))
        XCTAssertEqual(SARIFReporter.bounded("short", limit: 1024), "short")
    }

    func testRuleIndexPointsAtTheRule() throws {
        let rules = try RuleLoader.rules(extraDirectories: [])
        let result = try render(finding(file: "a.c"))
        let index = try XCTUnwrap(result["ruleIndex"] as? Int)
        XCTAssertEqual(rules[index].id, "BUF002")
    }
}

/// SARIF `fixes` say the same as the fix engine: applying a result's replacements to the
/// fixture gives the same text as applying the planned edits.
final class SARIFFixesTests: XCTestCase {
    func testReplacementsReproduceThePlannedEdits() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        var options = LintOptions()
        options.paths = [root + "/Tests/Fixtures/golden/legacy.c"]
        options.planFixes = true
        options.jobs = 1
        let linter = try Linter(options: options)
        let report = linter.run()
        let plan = try XCTUnwrap(report.fixPlans.first)
        let text = SARIFReporter().render(report, context: ReportContext(toolVersion: "0", rules: linter.rules.all, sourceRoot: root))
        let log = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let results = try XCTUnwrap(((log["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
        let source = SourceText(bytes: plan.original)
        var checked = 0
        for result in results {
            let fixes = result["fixes"] as? [[String: Any]] ?? []
            let region = try XCTUnwrap((((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any]))
            let line = try XCTUnwrap(region["startLine"] as? Int), column = try XCTUnwrap(region["startColumn"] as? Int)
            let planned = plan.fixes.filter { $0.line == line && $0.column == column && !$0.edits.isEmpty }
            XCTAssertEqual(fixes.count, planned.count, "line \(line)")
            for (sarifFix, fix) in zip(fixes, planned) {
                let change = try XCTUnwrap((sarifFix["artifactChanges"] as? [[String: Any]])?.first)
                let replacements = try XCTUnwrap(change["replacements"] as? [[String: Any]])
                let edits: [Edit] = try replacements.map { r in
                    let d = try XCTUnwrap(r["deletedRegion"] as? [String: Int])
                    let start = source.offset(line: d["startLine"]!, column: d["startColumn"]!)
                    let end = source.offset(line: d["endLine"]!, column: d["endColumn"]!)
                    return Edit(range: start..<end, replacement: try XCTUnwrap((r["insertedContent"] as? [String: String])?["text"]))
                }
                XCTAssertEqual(apply(edits, to: plan.original), apply(fix.edits, to: plan.original), "line \(line)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0, "the fixture should have fixes")
    }

    func apply(_ edits: [Edit], to bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        for e in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            out.replaceSubrange(e.range, with: Array(e.replacement.utf8))
        }
        return out
    }
}
