import BufferLintKit
import Foundation
import XCTest

final class BaselineTests: XCTestCase {
    func finding(_ line: Int, function: String? = "checksum", snippet: String = "PyObject_AsReadBuffer(obj, &p, &n)", file: String = "src/m.c") -> Finding {
        Finding(rule: "BUF002", ruleName: "as-read-buffer", function: "PyObject_AsReadBuffer", kind: .call, severity: .error, file: file,
                line: line, column: 9, endLine: line, endColumn: 40, message: "m", enclosingFunction: function, snippet: snippet)
    }

    func report(_ findings: [Finding]) -> Report {
        var r = Report()
        r.findings = findings.sorted(by: Finding.reportOrder)
        r.summary.findings = findings.count
        return r
    }

    func tempDir() throws -> String {
        let d = NSTemporaryDirectory() + "bufferlint-baseline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
        return d
    }

    func testSHA256KnownAnswers() {
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testFingerprintsSurviveLinesMovingAndCountEqualCalls() {
        let before = Fingerprint.of([finding(10), finding(20), finding(30, function: "other")])
        let after = Fingerprint.of([finding(14), finding(24), finding(34, function: "other")])
        XCTAssertEqual(before, after)
        XCTAssertEqual(before.map(\.hash), after.map(\.hash))
        XCTAssertEqual(before.map(\.index), [0, 1, 0])
        XCTAssertEqual(Set(before.map(\.hash)).count, 3, "equal calls are told apart by their index")
        XCTAssertNotEqual(Fingerprint.of([finding(10, file: "src/n.c")])[0].hash, before[0].hash)
        XCTAssertNotEqual(Fingerprint.of([finding(10, snippet: "PyObject_AsReadBuffer(x, &p, &n)")])[0].hash, before[0].hash)
    }

    func testOnlyNewFindingsAreReportedAndGoneOnesAreStale() {
        let baseline = Baseline(findings: [finding(10), finding(30, function: "gone")])
        let now = report([finding(15), finding(25, snippet: "PyObject_AsReadBuffer(buf, &p, &n)")])
        let c = baseline.compare(now)
        XCTAssertEqual(c.report.findings.map(\.line), [25])
        XCTAssertEqual(c.report.summary.findings, 1)
        XCTAssertEqual(c.stale.map(\.function), ["gone"])
        // A second identical call is new even though the first is known.
        XCTAssertEqual(baseline.compare(report([finding(15), finding(16)])).report.findings.map(\.line), [16])
    }

    func testStaleEntriesOnlyForFilesTheRunCovered() {
        let baseline = Baseline(findings: [finding(10, file: "src/m.c"), finding(10, file: "other/n.c")])
        let c = baseline.compare(report([finding(10, file: "src/m.c")]), covers: Baseline.coverage(of: ["src/m.c"]))
        XCTAssertEqual(c.stale, [])
        let all = baseline.compare(report([finding(10, file: "src/m.c")]), covers: Baseline.coverage(of: []))
        XCTAssertEqual(all.stale.map(\.file), ["other/n.c"])
    }

    func testFileIsSortedOneEntryPerLineAndRoundTrips() throws {
        let b = Baseline(findings: [finding(30, file: "z.c"), finding(10, file: "a.c"), finding(20, function: nil, file: "a.c")])
        let text = b.serialized()
        let entryLines = text.split(separator: "\n").filter { $0.hasPrefix("    {") }
        XCTAssertEqual(entryLines.count, 3)
        XCTAssertTrue(entryLines[0].contains("\"file\":\"a.c\"") && entryLines[0].contains("\"function\":\"\""), text)
        XCTAssertTrue(entryLines[2].contains("\"file\":\"z.c\""), text)
        XCTAssertEqual(try Baseline.parse(Data(text.utf8), file: "b.json"), b)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(text.utf8)))
        XCTAssertEqual(try Baseline.parse(Data(Baseline(entries: []).serialized().utf8), file: "e.json").entries, [])
    }

    func testMalformedBaselinesNameTheFileAndTheProblem() {
        let cases: [(String, String)] = [
            ("{", "not valid JSON"),
            ("[]", "expected a JSON object"),
            ("{\"version\": 2, \"findings\": []}", "version 2 is not supported"),
            ("{\"version\": 1}", "no \"findings\" array"),
            ("{\"version\": 1, \"findings\": [{\"rule\": \"BUF002\"}]}", "finding 1 has no \"index\""),
            ("{\"version\": 1, \"findings\": [{\"rule\": \"BUF002\", \"index\": 0, \"file\": \"a.c\", \"function\": \"\"}]}", "finding 1 has no string \"snippet\""),
            ("{\"version\": 1, \"fingerprint\": \"other-9\", \"findings\": []}", "written with fingerprints 'other-9'"),
        ]
        for (text, problem) in cases {
            XCTAssertThrowsError(try Baseline.parse(Data(text.utf8), file: "ci/base.json"), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("baseline ci/base.json: "), message)
                XCTAssertTrue(message.contains(problem), "\(message) should say \(problem)")
            }
        }
        XCTAssertThrowsError(try Baseline.load(path: "/nonexistent/base.json")) { XCTAssertTrue("\($0)".contains("/nonexistent/base.json: no such file")) }
    }

    func testWriteReplacesTheFileAndLeavesNoTemporaryFile() throws {
        let dir = try tempDir()
        let path = dir + "/base.json"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        let b = Baseline(findings: [finding(1)])
        try b.write(to: path)
        XCTAssertEqual(try Baseline.load(path: path), b)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["base.json"])
        XCTAssertThrowsError(try b.write(to: dir + "/missing/base.json")) { XCTAssertTrue("\($0)".contains("missing/base.json")) }
    }
}
