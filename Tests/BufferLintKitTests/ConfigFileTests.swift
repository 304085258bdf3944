import BufferLintKit
import Foundation
import XCTest

final class ConfigFileTests: XCTestCase {
    static let full = """
    include: ["src/**"]
    exclude: vendored
    select: [BUF00]
    ignore: [BUF004]
    severity: {BUF001: warning}
    rules: [my-rules]
    python-include: py/include
    target-python: "3.12"
    include-dirs: [include]
    defines: [WITH_LEGACY=1]
    std: c99
    """

    func testABase60NumberThatOverflowsIsTextNotACrash() throws {
        // Found by Scripts/fuzz.sh (Tests/Fuzz/config/crash-1d8c...): Yams' integer conversion trapped.
        let text = "2:2:2:2:2:22:2:2:2:2:2:2:22"
        XCTAssertEqual(try YAMLDocument.load(text) as? String, text)
        XCTAssertEqual((try YAMLDocument.load("std: 99:99:99:99:99:99:99:99:99:99:99:99") as? [String: Any])?["std"] as? String, "99:99:99:99:99:99:99:99:99:99:99:99")
        XCTAssertThrowsError(try ConfigFile(path: "/nowhere/.bufferlint.yml", bytes: Array(text.utf8))) { e in
            XCTAssertTrue("\(e)".contains("expected a mapping"), "\(e)")
        }
        XCTAssertEqual((try YAMLDocument.load("n: 12") as? [String: Any])?["n"] as? Int, 12)
    }

    func testDiscoveryWalksUpwardsToTheNearestFile() throws {
        let dir = try ScratchFolder("config")
        try dir.write("a/b/c/x.c", "")
        XCTAssertNil(ConfigFile.discover(from: dir.path + "/a/b/c").flatMap { $0.hasPrefix(dir.path) ? $0 : nil })
        let outer = try dir.write("a/.bufferlint.yml", "select: [BUF002]\n")
        XCTAssertEqual(ConfigFile.discover(from: dir.path + "/a/b/c"), outer)
        XCTAssertEqual(ConfigFile.discover(from: dir.path + "/a"), outer)
        let inner = try dir.write("a/b/.bufferlint.yml", "ignore: [BUF001]\n")
        XCTAssertEqual(ConfigFile.discover(from: dir.path + "/a/b/c"), inner)
        XCTAssertEqual(ConfigFile.discover(from: dir.path + "/a"), outer)
    }

    func testFileSettingsAndRelativePaths() throws {
        let dir = try ScratchFolder("config")
        let path = try dir.write(".bufferlint.yml", ConfigFileTests.full)
        let c = try ConfigFile(path: path)
        XCTAssertEqual(c.include, ["src/**"])
        XCTAssertEqual(c.exclude, ["vendored"])
        XCTAssertEqual(c.severity, ["BUF001": .warning])
        XCTAssertEqual(c.rules, [dir.path + "/my-rules"])
        XCTAssertEqual(c.pythonInclude, dir.path + "/py/include")
        XCTAssertEqual(c.includeDirs, [dir.path + "/include"])
        XCTAssertEqual(c.targetPython, PythonVersion(major: 3, minor: 12))
        XCTAssertEqual(c.std, "c99")
    }

    func testCommandLineWinsOverTheFile() throws {
        let dir = try ScratchFolder("config")
        let c = try ConfigFile(path: try dir.write(".bufferlint.yml", ConfigFileTests.full))

        var fromFile = LintOptions()
        c.apply(to: &fromFile, commandLineSet: [])
        XCTAssertEqual(fromFile.select, ["BUF00"])
        XCTAssertEqual(fromFile.ignore, ["BUF004"])
        XCTAssertEqual(fromFile.severityOverrides, ["BUF001": .warning])
        XCTAssertEqual(fromFile.targetPython, PythonVersion(major: 3, minor: 12))
        XCTAssertEqual(fromFile.std, "c99")
        XCTAssertEqual(fromFile.pythonInclude, dir.path + "/py/include")

        var o = LintOptions()
        o.select = ["BUF002"]
        o.ignore = ["BUF003"]
        o.targetPython = PythonVersion(major: 3, minor: 14)
        o.severityOverrides = ["BUF001": .error]
        o.std = "c11"
        o.pythonInclude = "/opt/py"
        o.includeDirs = ["cli-include"]
        o.defines = ["CLI=1"]
        c.apply(to: &o, commandLineSet: ["select", "ignore", "target-python"])
        XCTAssertEqual(o.select, ["BUF002"])
        XCTAssertEqual(o.ignore, ["BUF003"])
        XCTAssertEqual(o.targetPython, PythonVersion(major: 3, minor: 14))
        XCTAssertEqual(o.severityOverrides, ["BUF001": .error])
        XCTAssertEqual(o.std, "c11")
        XCTAssertEqual(o.pythonInclude, "/opt/py")
        // Lists add up, the command line's last (so its -D wins).
        XCTAssertEqual(o.includeDirs, [dir.path + "/include", "cli-include"])
        XCTAssertEqual(o.defines, ["WITH_LEGACY=1", "CLI=1"])
    }

    func testUnknownKeyIsRejectedByName() throws {
        let dir = try ScratchFolder("config")
        let path = try dir.write(".bufferlint.yml", "select: [BUF002]\nexlude: [x]\n")
        XCTAssertThrowsError(try ConfigFile(path: path)) { e in
            let err = e as? ConfigError
            XCTAssertEqual(err?.file, path)
            XCTAssertTrue(err?.message.hasPrefix("unknown key `exlude`") == true, "\(e)")
        }
    }

    func testBadValuesNameFileAndKey() throws {
        let dir = try ScratchFolder("config")
        for (text, expected) in [("target-python: three\n", "key `target-python`"), ("severity: {BUF001: loud}\n", "key `severity.BUF001`"),
                                 ("select: {a: b}\n", "key `select`"), ("select: [unclosed\n", "not valid YAML"), ("- a\n- b\n", "expected a mapping")] {
            let path = try dir.write("c.yml", text)
            XCTAssertThrowsError(try ConfigFile(path: path), text) { e in
                XCTAssertTrue("\(e)".hasPrefix(path + ": ") && "\(e)".contains(expected), "\(e)")
            }
        }
    }
}
