import BufferLintKit
import Foundation
import XCTest

/// Tests/Fixtures/detect/compdb: a database with a relative `directory`, an `-I`
/// relative to it, and flags that would load code into the parser.
final class CompilationDatabaseTests: XCTestCase {
    let root = (FixturePaths.detect as NSString).appendingPathComponent("compdb")
    var source: String { (root as NSString).appendingPathComponent("src/uses_db.c") }

    func run(database: Bool) throws -> (Report, Linter) {
        var o = LintOptions()
        o.paths = [source]
        o.jobs = 1
        if database { o.compileCommands = root }
        let linter = try Linter(options: o)
        return (linter.run(), linter)
    }

    func testIncludeFolderFromTheDatabaseDecidesMacrosAndConditions() throws {
        let (report, _) = try run(database: true)
        let seen = report.findings.map { "\($0.line) \($0.rule) \($0.kind.rawValue) \($0.macro ?? "-")" }
        XCTAssertEqual(seen, ["7 BUF002 macro-expansion DB_READ", "9 BUF004 inactive -"])
        XCTAssertFalse(report.warnings.contains { $0.contains("db_macros.h") }, "\(report.warnings)")
    }

    func testWithoutTheDatabaseTheProjectsHeaderIsFoundAllTheSame() throws {
        // The fixture lies in this repository: `"db_macros.h"` is found among its headers, as the
        // database's `-I` finds it (ProjectHeaderTests has the case of a file outside any project).
        let (report, _) = try run(database: false)
        XCTAssertEqual(report.findings.map { "\($0.line) \($0.rule) \($0.kind.rawValue) \($0.macro ?? "-")" },
                       ["7 BUF002 macro-expansion DB_READ", "9 BUF004 inactive -"])
        XCTAssertFalse(report.warnings.contains { $0.contains("db_macros.h") }, "\(report.warnings)")
    }

    func testFlagsThatLoadCodeAreDroppedWithAWarning() throws {
        let (_, linter) = try run(database: true)
        let warning = linter.warnings.first { $0.contains("dropped flags") }
        XCTAssertNotNil(warning, "\(linter.warnings)")
        XCTAssertTrue(warning?.contains("-fplugin=/tmp/evil.so") == true, warning ?? "")
        XCTAssertTrue(warning?.contains("-Xclang -load -Xclang x.so") == true, warning ?? "")
        let db = try CompilationDatabase(path: (root as NSString).appendingPathComponent("compile_commands.json"))
        let args = try XCTUnwrap(db.entry(for: source)).arguments
        XCTAssertFalse(args.contains { $0.contains("evil") || $0.contains("x.so") || $0 == "-load" }, "\(args)")
        XCTAssertTrue(args.contains("-I" + (root as NSString).appendingPathComponent("headers")), "\(args)")
    }

    func testMalformedDatabaseIsAnErrorNamingTheFile() throws {
        let dir = NSTemporaryDirectory() + "bufferlint-baddb-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "[{\"directory\": ".write(toFile: dir + "/compile_commands.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CompilationDatabase(path: dir)) { e in
            XCTAssertTrue("\(e)".contains(dir + "/compile_commands.json"), "\(e)")
        }
    }
}
