import BufferLintKit
import Foundation
import XCTest

/// Every output format compared with a file under `Tests/Golden/`, for a real run
/// of the `Linter` over `Tests/Fixtures/golden/`. The version and the checkout's
/// path are replaced by `{{VERSION}}` and `{{ROOT}}`. To rewrite the golden files
/// after an intended change: `BUFFERLINT_UPDATE_GOLDEN=1 swift test --filter ReporterGoldenTests`.
final class ReporterGoldenTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let goldenDir = packageRoot + "/Tests/Golden"
    static let update = ProcessInfo.processInfo.environment["BUFFERLINT_UPDATE_GOLDEN"] == "1"

    var savedDirectory = ""

    override func setUp() {
        savedDirectory = FileManager.default.currentDirectoryPath
        // Paths in reports are relative to the current folder: make it the package root.
        FileManager.default.changeCurrentDirectoryPath(Self.packageRoot)
    }

    override func tearDown() {
        FileManager.default.changeCurrentDirectoryPath(savedDirectory)
    }

    func fixtureRun(planFixes: Bool = false) throws -> (Report, ReportContext) {
        var options = LintOptions()
        options.paths = ["Tests/Fixtures/golden"]
        options.jobs = 1
        options.planFixes = planFixes
        let linter = try Linter(options: options)
        let report = linter.run()
        XCTAssertFalse(report.findings.isEmpty, "the fixture must produce findings")
        return (report, ReportContext(toolVersion: Linter.version, rules: linter.rules.all, colour: false, sourceRoot: Self.packageRoot))
    }

    func placeholders(_ s: String) -> String {
        s.replacingOccurrences(of: Self.packageRoot, with: "{{ROOT}}")
            .replacingOccurrences(of: "\"\(Linter.version)\"", with: "\"{{VERSION}}\"")
    }

    func assertGolden(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = Self.goldenDir + "/" + name
        let text = placeholders(actual)
        if Self.update {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            XCTFail("missing golden file \(path); run with BUFFERLINT_UPDATE_GOLDEN=1 to create it", file: file, line: line)
            return
        }
        if text != expected {
            let a = text.components(separatedBy: "\n"), e = expected.components(separatedBy: "\n")
            let k = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
            XCTFail("\(name) differs from the golden file at line \(k + 1):\n  expected: \(k < e.count ? e[k] : "<end>")\n  actual:   \(k < a.count ? a[k] : "<end>")\n(BUFFERLINT_UPDATE_GOLDEN=1 rewrites it)", file: file, line: line)
        }
    }

    func render(_ id: String) throws -> String {
        // `check --format sarif` plans fixes (SARIF carries their edits); the other formats do not.
        let (report, context) = try fixtureRun(planFixes: id == SARIFReporter.identifier)
        let reporter = try XCTUnwrap(Reporters.reporter(named: id), "no reporter '\(id)'")
        return reporter.render(report, context: context)
    }

    func testText() throws { try assertGolden(try render("text"), "report.txt") }
    func testJSON() throws { try assertGolden(try render("json"), "report.json") }
    func testSARIF() throws { try assertGolden(try render("sarif"), "report.sarif") }
    func testGitHub() throws { try assertGolden(try render("github"), "report.github.txt") }
    func testGitLab() throws { try assertGolden(try render("gitlab"), "report.gitlab.json") }

    func testGitHubStepSummary() throws {
        let (report, context) = try fixtureRun()
        try assertGolden(GitHubReporter.stepSummary(report, context: context), "report.github-summary.md")
    }

    func testEveryFormatHasAGoldenTest() {
        let covered: Set<String> = ["text", "json", "sarif", "github", "gitlab"]
        XCTAssertEqual(Set(Reporters.identifiers), covered, "a new format needs a golden test here")
    }

    /// The structured formats are valid JSON, so a broken escape cannot hide in a golden file.
    func testStructuredFormatsParse() throws {
        for id in ["json", "sarif", "gitlab"] {
            let text = try render(id)
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(text.utf8)), "\(id) output is not JSON")
        }
    }
}
