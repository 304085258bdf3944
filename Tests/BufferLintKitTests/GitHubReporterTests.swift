import BufferLintKit
import XCTest

final class GitHubReporterTests: XCTestCase {
    func finding(_ file: String = "src/a.c", line: Int = 3, severity: Severity = .error, message: String = "m", rule: String = "BUF002") -> Finding {
        Finding(rule: rule, ruleName: "as-read-buffer", function: "PyObject_AsReadBuffer", kind: .call, severity: severity, file: file,
                line: line, column: 5, endLine: line, endColumn: 26, message: message, enclosingFunction: "f",
                snippet: "PyObject_AsReadBuffer(o, &p, &n)")
    }

    func render(_ findings: [Finding]) -> String {
        var report = Report()
        report.findings = findings
        return GitHubReporter().render(report, context: ReportContext(toolVersion: "0", rules: []))
    }

    func testEscapesAsTheRunnerExpects() {
        XCTAssertEqual(GitHubReporter.escapeData("50% a\r\nb:c,d"), "50%25 a%0D%0Ab:c,d")
        XCTAssertEqual(GitHubReporter.escapeProperty("50% a\r\nb:c,d"), "50%25 a%0D%0Ab%3Ac%2Cd")
        // '%' first, so an already-escaped sequence in the input is not decoded by the runner.
        XCTAssertEqual(GitHubReporter.escapeData("%0A"), "%250A")
    }

    func testAFileNameOrMessageCannotStartAnotherCommand() throws {
        let hostile = "x.c\n::error file=evil.c::injected,line=1%0A::warning::more\r::notice::cr"
        let out = render([finding(hostile, message: "bad\n::error::injected%0A\r::set-output name=x::y")])
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, 1, out)
        XCTAssertFalse(out.contains("\r"))
        let line = String(lines[0])
        XCTAssertTrue(line.hasPrefix("::error file=x.c%0A%3A%3Aerror file=evil.c%3A%3Ainjected%2Cline=1%250A"), line)
        // The runner ends the properties at the first '::'; the message is the rest, on one line.
        let body = line.dropFirst(2)
        let end = try XCTUnwrap(body.range(of: "::"))
        XCTAssertFalse(body[..<end.lowerBound].contains("::"))
        XCTAssertTrue(body[..<end.lowerBound].hasSuffix(",title=BUF002 as-read-buffer"), line)
        XCTAssertEqual(String(body[end.upperBound...]), "bad%0A::error::injected%250A%0D::set-output name=x::y")
    }

    func testTheLastGuardSplitsCRLFLines() {
        // "\r\n" is one Character: the guard splits at every line feed, or the second line would pass.
        XCTAssertEqual(TerminalText.guardLines("ok\r\n::error::x\r\n  ::warning::y\n"), "ok\r\n\\::error::x\r\n\\  ::warning::y\n")
        XCTAssertEqual(SourceText.lines(of: "a\r\nb\nc"), ["a\r", "b", "c"])
    }

    func testMostImportantAnnotationsComeFirst() {
        let findings = [finding("b.c", line: 1, severity: .info), finding("b.c", line: 9, severity: .warning),
                        finding("a.c", line: 7, severity: .error), finding("a.c", line: 2, severity: .info),
                        finding("c.c", line: 1, severity: .error)]
        let commands = render(findings).split(separator: "\n").map { String($0.prefix { $0 != "," }) }
        XCTAssertEqual(commands, ["::error file=a.c", "::error file=c.c", "::warning file=b.c", "::notice file=a.c", "::notice file=b.c"])
    }

    func testStepSummaryListsEveryFindingBeyondTheLimit() {
        var report = Report()
        report.findings = (1...13).map { finding("a.c", line: $0, severity: .error) } + (1...4).map { finding("b.c", line: $0, severity: .info, rule: "BUF004") }
        report.summary.files = 2
        let md = GitHubReporter.stepSummary(report, context: ReportContext(toolVersion: "0", rules: []))
        XCTAssertTrue(md.contains("| BUF002 | as-read-buffer | 13 |"), md)
        XCTAssertTrue(md.contains("| a.c | 13 | 0 | 0 |"), md)
        XCTAssertTrue(md.contains("| b.c | 0 | 0 | 4 |"), md)
        let parts = md.components(separatedBy: "### Not shown as annotations")
        XCTAssertEqual(parts.count, 2, md)
        let beyond = parts.last!
        // 13 errors: the last 3 are beyond the 10 annotations; 4 notices fit.
        XCTAssertEqual(beyond.components(separatedBy: "\n").filter { $0.hasPrefix("| a.c:") }, ["| a.c:11:5 | error | BUF002 | m |", "| a.c:12:5 | error | BUF002 | m |", "| a.c:13:5 | error | BUF002 | m |"])
        XCTAssertFalse(beyond.contains("b.c:"))
    }

    func testStepSummaryStaysUnderGitHubsLimitAndSaysWhatItLeftOut() {
        var report = Report()
        let long = String(repeating: "a long message ", count: 20)
        report.findings = (1...10_000).map { finding("src/module_\($0 % 3000).c", line: $0, severity: .error, message: long) }
        report.summary.files = 3000
        let md = GitHubReporter.stepSummary(report, context: ReportContext(toolVersion: "0", rules: []))
        XCTAssertLessThanOrEqual(md.utf8.count, GitHubReporter.stepSummaryLimit)
        let listed = md.components(separatedBy: "\n").filter { $0.hasPrefix("| src/module_") && $0.contains(".c:") }.count
        guard let note = md.range(of: #"_([0-9]+) more rows not listed"#, options: .regularExpression) else {
            return XCTFail("the summary says what it left out")
        }
        let omitted = Int(md[note].dropFirst().prefix(while: { $0.isNumber })) ?? -1
        XCTAssertEqual(listed + omitted, 10_000 - 10, "every finding beyond the annotations is listed or counted")
        XCTAssertTrue(md.contains("| BUF002 | as-read-buffer | 10000 |"), "the counts are complete")
    }

    func testStepSummaryCellsCannotBreakTheTable() {
        var report = Report()
        report.findings = (1...11).map { finding("x|y<script>.c", line: $0, message: "a | b\nc") }
        let md = GitHubReporter.stepSummary(report, context: ReportContext(toolVersion: "0", rules: []))
        XCTAssertTrue(md.contains("| x\\|y&lt;script&gt;.c:11:5 | error | BUF002 | a \\| b c |"), md)
        XCTAssertFalse(md.contains("<script>"))
    }
}
