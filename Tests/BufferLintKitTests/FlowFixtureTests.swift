// Runs the real Linter with the BUF1xx rules over every C and C++ file in
// Tests/Fixtures/flow/ and compares the findings with the file's announcements:
// a comment `expect: BUF102` (several ids separated by commas) on the line
// where the finding is expected. Unannounced and missing findings both fail.
import BufferLintKit
import Foundation
import XCTest

final class FlowFixtureTests: XCTestCase {
    static let folder = FixturePaths.testsDir.appendingPathComponent("Fixtures/flow").path
    static let expectPattern = try! NSRegularExpression(pattern: #"expect:\s*(BUF[0-9]+(?:\s*,\s*BUF[0-9]+)*)"#)

    static func fixtures() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".c") || $0.hasSuffix(".cpp") }.sorted()
    }

    /// "line rule" for every announcement of a fixture.
    static func announcements(_ text: String) -> [String] {
        var out: [String] = []
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let ns = String(line) as NSString
            guard let m = expectPattern.firstMatch(in: String(line), range: NSRange(location: 0, length: ns.length)) else { continue }
            for id in ns.substring(with: m.range(at: 1)).split(separator: ",") {
                out.append("\(k + 1) \(id.trimmingCharacters(in: .whitespaces))")
            }
        }
        return out.sorted()
    }

    func lint(_ paths: [String], configure: (inout LintOptions) -> Void = { $0.select = ["BUF10"] }) throws -> Report {
        var o = LintOptions()
        o.paths = paths
        o.jobs = 1
        configure(&o)
        return try Linter(options: o).run()
    }

    /// "line skipped: reason" for every `skipped: REASON` comment.
    static func skips(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { k, line in
            guard let r = line.range(of: "skipped: ") else { return nil }
            let reason = line[r.upperBound...].replacingOccurrences(of: "*/", with: "").trimmingCharacters(in: .whitespaces)
            return "\(k + 1) skipped: \(reason)"
        }
    }

    func testSkippedFunctionsAreCountedAndNamed() throws {
        let path = (FlowFixtureTests.folder as NSString).appendingPathComponent("unparseable.c")
        let report = try lint([path])
        XCTAssertEqual(report.summary.flow.functions, 1)
        XCTAssertEqual(report.summary.flow.analysed, 0)
        XCTAssertEqual(report.summary.flow.line, "flow: 1 function, 0 analysed, 1 skipped: does not parse 1")
        XCTAssertEqual(report.errors.map(\.message), ["flow checks skipped 1 of 1 function (first: `unparseable` at line 6: does not parse, line 10: expected expression); BUF101-BUF106 say nothing there"])
        let text = TextReporter().render(report, context: ReportContext(toolVersion: "0", rules: []))
        XCTAssertTrue(text.hasSuffix("flow: 1 function, 0 analysed, 1 skipped: does not parse 1\n"), text)
    }

    func testAnnouncementsAreRead() {
        XCTAssertEqual(FlowFixtureTests.announcements("a\nf(); // expect: BUF102\ng(); /* expect: BUF103, BUF104 */\n"),
                       ["2 BUF102", "3 BUF103", "3 BUF104"])
    }

    func testEveryFixtureReportsExactlyItsAnnouncements() throws {
        let names = try FlowFixtureTests.fixtures()
        XCTAssertGreaterThanOrEqual(names.count, 5)
        for name in names {
            let path = (FlowFixtureTests.folder as NSString).appendingPathComponent(name)
            let expected = FlowFixtureTests.announcements(try String(contentsOfFile: path, encoding: .utf8))
            let report = try lint([path])
            // A function the checks could not follow is announced `skipped: REASON` on its first line.
            let skipped = report.summary.flow.skipped.map { "\($0.line) skipped: \($0.reason)" }
            XCTAssertEqual(skipped, FlowFixtureTests.skips(try String(contentsOfFile: path, encoding: .utf8)), name)
            XCTAssertEqual(report.errors.map(\.message).filter { !$0.hasPrefix("flow checks skipped") }, [], name)
            XCTAssertEqual(report.errors.count, skipped.isEmpty ? 0 : 1, name)
            let got = report.findings.map { "\($0.line) \($0.rule)" }.sorted()
            XCTAssertEqual(got, expected, "\(name): unannounced \(got.filter { !expected.contains($0) }), missing \(expected.filter { !got.contains($0) })")
        }
    }

    func testFixturesCoverEveryFlowRule() throws {
        var announced = Set<String>()
        for name in try FlowFixtureTests.fixtures() {
            let text = try String(contentsOfFile: (FlowFixtureTests.folder as NSString).appendingPathComponent(name), encoding: .utf8)
            FlowFixtureTests.announcements(text).forEach { announced.insert(String($0.split(separator: " ")[1])) }
        }
        XCTAssertEqual(announced, ["BUF101", "BUF102", "BUF103", "BUF104", "BUF105", "BUF106"])
    }

    func testFindingsCarryRuleSeverityAndPlace() throws {
        let report = try lint([(FlowFixtureTests.folder as NSString).appendingPathComponent("leaks.c")])
        let first = try XCTUnwrap(report.findings.first)
        XCTAssertEqual(first.rule, "BUF102")
        XCTAssertEqual(first.ruleName, "view-not-released")
        XCTAssertEqual(first.severity, .error)
        XCTAssertEqual(first.function, "PyObject_GetBuffer")
        XCTAssertEqual(first.enclosingFunction, "leak_on_return")
        XCTAssertEqual(first.resolution, .syntaxTree)
        XCTAssertTrue(first.sourceLine.contains("PyObject_GetBuffer(obj, &view"), first.sourceLine)
        XCTAssertTrue(first.message.contains("line 13"), first.message)
        let use = try lint([(FlowFixtureTests.folder as NSString).appendingPathComponent("use.c")])
        XCTAssertEqual(Set(use.findings.filter { $0.rule == "BUF101" }.map(\.severity)), [.warning])
    }

    func testSelectionIgnoreAndSeverityOverrides() throws {
        let path = (FlowFixtureTests.folder as NSString).appendingPathComponent("release.c")
        XCTAssertEqual(try lint([path]) { $0.ignore = ["BUF10"] }.findings.map(\.rule), [])
        XCTAssertEqual(try lint([path]) { $0.select = ["BUF102"] }.findings.map(\.rule), [])
        let lowered = try lint([path]) { $0.select = ["BUF103"]; $0.severityOverrides = ["BUF103": .info] }
        XCTAssertFalse(lowered.findings.isEmpty)
        XCTAssertEqual(Set(lowered.findings.map(\.severity)), [.info])
    }

    func testSuppressionCommentSilencesAndIsNotReportedUnused() throws {
        let scratch = try ScratchFolder("flow")
        let body = """
            #include <Python.h>
            static int f(PyObject *obj) {
                Py_buffer view;
                if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)%@
                    return -1;
                return 0;
            }

            """
        let plain = try scratch.write("plain.c", body.replacingOccurrences(of: "%@", with: ""))
        let quiet = try scratch.write("quiet.c", body.replacingOccurrences(of: "%@", with: " // bufferlint: ignore[BUF102]"))
        let other = try scratch.write("other.c", body.replacingOccurrences(of: "%@", with: " // bufferlint: ignore[BUF103]"))
        XCTAssertEqual(try lint([plain]) { _ in }.findings.map(\.rule), ["BUF102"])
        XCTAssertEqual(try lint([quiet]) { _ in }.findings.map(\.rule), [])
        XCTAssertEqual(try lint([other]) { _ in }.findings.map(\.rule).sorted(), ["BUF000", "BUF102"])
    }

    func testFilesWithoutTheNewApiAreNotParsed() throws {
        let scratch = try ScratchFolder("flow")
        let path = try scratch.write("plain.c", "#include <Python.h>\nstatic int f(void) { return 0; }\n")
        let report = try lint([path]) { _ in }
        XCTAssertEqual(report.summary.parsed, 0)
        XCTAssertEqual(report.findings.map(\.rule), [])
    }

    /// The BUF1xx rules' own examples: triggering ones fire exactly at their markers, the others stay silent.
    func testRuleExamples() throws {
        let scratch = try ScratchFolder("flow-examples")
        let rules = try RuleLoader.builtIn().filter { $0.kind == .newApi }
        XCTAssertEqual(rules.map(\.id), ["BUF101", "BUF102", "BUF103", "BUF104", "BUF105", "BUF106"])
        var k = 0
        for r in rules {
            XCTAssertFalse(r.triggering.isEmpty, r.id)
            for example in r.triggering {
                let (clean, markers) = RuleExampleTests.markers(in: example)
                k += 1
                let path = try scratch.write("t\(k).c", RuleExampleTests.prelude + clean)
                let found = try lint([path]) { _ in }.findings
                XCTAssertEqual(found.map { "\($0.rule) \($0.line - 1):\($0.column)" }, markers.map { "\(r.id) \($0.line):\($0.column)" }, "\(r.id):\n\(clean)")
            }
            for example in r.nonTriggering {
                k += 1
                let path = try scratch.write("n\(k).c", RuleExampleTests.prelude + example)
                XCTAssertEqual(try lint([path]) { _ in }.findings.map(\.rule), [], "\(r.id) non-triggering:\n\(example)")
            }
        }
    }
}
