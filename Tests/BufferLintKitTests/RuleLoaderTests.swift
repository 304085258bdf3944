import BufferLintKit
import Foundation
import XCTest

final class RuleLoaderTests: XCTestCase {
    static let rulesDir = FixturePaths.packageDir.appendingPathComponent("Rules").path

    func testEmbeddedCopyEqualsRulesFolderByteForByte() throws {
        let fm = FileManager.default
        var onDisk: [String] = try fm.contentsOfDirectory(atPath: RuleLoaderTests.rulesDir).filter { $0.hasSuffix(".yml") }
        onDisk += try fm.contentsOfDirectory(atPath: RuleLoaderTests.rulesDir + "/support").filter { $0.hasSuffix(".h") || $0.hasSuffix(".hpp") }.map { "support/" + $0 }
        XCTAssertEqual(EmbeddedRules.files.map(\.name).sorted(), onDisk.sorted(), "run python3 Scripts/embed-rules.py")
        for file in EmbeddedRules.files {
            let data = try XCTUnwrap(fm.contents(atPath: RuleLoaderTests.rulesDir + "/" + file.name), file.name)
            XCTAssertEqual([UInt8](file.contents.utf8), [UInt8](data), "\(file.name) differs from Rules/: run python3 Scripts/embed-rules.py")
        }
    }

    func testBuiltInRules() throws {
        let rules = try RuleLoader.builtIn()
        XCTAssertEqual(Array(rules.map(\.id).prefix(5)), ["BUF000", "BUF001", "BUF002", "BUF003", "BUF004"])
        XCTAssertEqual(rules.filter { $0.kind == .oldBuffer }.map(\.id), ["BUF001", "BUF002", "BUF003", "BUF004"])
        XCTAssertEqual(Set(rules.map(\.id)).count, rules.count)
        XCTAssertEqual(rules.first { $0.id == "BUF002" }?.functions, ["PyObject_AsReadBuffer"])
        XCTAssertEqual(rules.first { $0.id == "BUF003" }?.semantics?.flag, "PyBUF_WRITABLE")
    }

    // MARK: - A folder of the user's own rules

    static let evalRule = """
    id: ACME001
    name: eval-call-object
    kind: detect-only
    functions: [PyEval_CallObject]
    removed: "3.13"
    replacement: "PyObject_CallObject(callable, args)"
    """

    func testUserRuleIsPickedUpAndFires() throws {
        let dir = try ScratchFolder("userrules")
        try dir.write("rules/acme.yml", RuleLoaderTests.evalRule)
        try dir.write("src/m.c", """
        #include <Python.h>
        static PyObject *f(PyObject *c, PyObject *a) {
            return PyEval_CallObject(c, a);
        }
        """)
        let report = try dir.lint(["src"]) { $0.extraRuleDirectories = [dir.path + "/rules"] }
        XCTAssertEqual(report.findings.map { "\($0.line):\($0.column) \($0.rule) \($0.kind.rawValue) \($0.severity.rawValue)" }, ["3:12 ACME001 call error"])
        XCTAssertTrue(report.findings.first?.message.contains("PyObject_CallObject(callable, args)") == true)
        // Without the folder the same file is clean.
        XCTAssertEqual(try dir.lint(["src"]).findings.count, 0)
    }

    func loadError(_ files: [String: String]) throws -> RuleFileError? {
        let dir = try ScratchFolder("badrules")
        for (name, text) in files { try dir.write(name, text) }
        do {
            _ = try RuleLoader.rules(extraDirectories: [dir.path])
            return nil
        } catch let e as RuleFileError {
            XCTAssertTrue(e.file.hasPrefix(dir.path) || e.file.hasPrefix("Rules/"), "error names \(e.file)")
            return e
        }
    }

    func testBrokenRuleFilesNameTheFileAndKey() throws {
        let bad = try XCTUnwrap(loadError(["a.yml": "id: [unclosed\n"]))
        XCTAssertTrue(bad.file.hasSuffix("/a.yml"), bad.description)
        XCTAssertTrue(bad.problem.contains("not valid YAML"), bad.description)

        let noReplacement = try XCTUnwrap(loadError(["b.yml": RuleLoaderTests.evalRule.replacingOccurrences(of: "replacement: \"PyObject_CallObject(callable, args)\"", with: "")]))
        XCTAssertTrue(noReplacement.file.hasSuffix("/b.yml"))
        XCTAssertEqual(noReplacement.key, "replacement")
        XCTAssertTrue(noReplacement.description.contains("b.yml: key `replacement`: missing"), noReplacement.description)

        let unknown = try XCTUnwrap(loadError(["c.yml": RuleLoaderTests.evalRule + "\nseverty: warning\n"]))
        XCTAssertEqual(unknown.key, "severty")
        XCTAssertTrue(unknown.description.hasSuffix("c.yml: key `severty`: unknown key; expected one of deprecated, docs, examples, functions, id, kind, message, name, removed, replacement, semantics, severity"), unknown.description)

        let nested = try XCTUnwrap(loadError(["d.yml": RuleLoaderTests.evalRule + "\ndocs:\n  what-it-does: x\n  rationale: y\n"]))
        XCTAssertEqual(nested.key, "docs.rationale")

        let duplicate = try XCTUnwrap(loadError(["e1.yml": RuleLoaderTests.evalRule, "e2.yml": RuleLoaderTests.evalRule]))
        XCTAssertEqual(duplicate.key, "id")
        XCTAssertTrue(duplicate.file.hasSuffix("/e2.yml") && duplicate.problem.contains("e1.yml"), duplicate.description)

        let builtInId = try XCTUnwrap(loadError(["f.yml": RuleLoaderTests.evalRule.replacingOccurrences(of: "ACME001", with: "BUF002")]))
        XCTAssertTrue(builtInId.problem.contains("duplicate id `BUF002`") && builtInId.problem.contains("Rules/BUF002"), builtInId.description)

        let wrongType = try XCTUnwrap(loadError(["g.yml": RuleLoaderTests.evalRule.replacingOccurrences(of: "[PyEval_CallObject]", with: "{a: 1}")]))
        XCTAssertEqual(wrongType.key, "functions")
    }

    func testMissingRuleFolderIsAnError() {
        XCTAssertThrowsError(try RuleLoader.rules(extraDirectories: ["/nonexistent/rules"])) { e in
            XCTAssertEqual((e as? RuleFileError)?.file, "/nonexistent/rules")
        }
    }

    // MARK: - Selection, severities, target Python

    static let source = """
    #include <Python.h>
    static int f(PyObject *o, const void **p, const char **s, Py_ssize_t *n) {
        return PyObject_AsReadBuffer(o, p, n) + PyObject_AsCharBuffer(o, s, n) + PyObject_CheckReadBuffer(o);
    }
    """

    func rulesFired(_ configure: (inout LintOptions) -> Void) throws -> [String] {
        let dir = try ScratchFolder("select")
        try dir.write("m.c", RuleLoaderTests.source)
        return try dir.lint(["m.c"], configure: configure).findings.map { "\($0.rule) \($0.severity.rawValue)" }
    }

    func testSelectAndIgnoreByIdPrefixAndName() throws {
        XCTAssertEqual(try rulesFired { _ in }, ["BUF002 error", "BUF001 error", "BUF004 error"])
        XCTAssertEqual(try rulesFired { $0.select = ["BUF002"] }, ["BUF002 error"])
        XCTAssertEqual(try rulesFired { $0.select = ["as-char-buffer"] }, ["BUF001 error"])
        XCTAssertEqual(try rulesFired { $0.select = ["BUF00"] }, ["BUF002 error", "BUF001 error", "BUF004 error"])
        XCTAssertEqual(try rulesFired { $0.ignore = ["BUF004", "as-read-buffer"] }, ["BUF001 error"])
        XCTAssertEqual(try rulesFired { $0.select = ["BUF00"]; $0.ignore = ["BUF001"] }, ["BUF002 error", "BUF004 error"])
        XCTAssertThrowsError(try rulesFired { $0.select = ["BUF9"] }) { e in
            XCTAssertTrue("\(e)".contains("`BUF9` matches no rule"), "\(e)")
        }
    }

    func testSeverityOverride() throws {
        XCTAssertEqual(try rulesFired { $0.severityOverrides = ["BUF004": .info, "as-char-buffer": .warning] },
                       ["BUF002 error", "BUF001 warning", "BUF004 info"])
    }

    func testTargetPythonDecidesBetweenDeprecatedAndRemoved() throws {
        XCTAssertEqual(try rulesFired { $0.targetPython = PythonVersion(major: 3, minor: 12); $0.select = ["BUF002"] }, ["BUF002 warning"])
        XCTAssertEqual(try rulesFired { $0.targetPython = PythonVersion(major: 3, minor: 13); $0.select = ["BUF002"] }, ["BUF002 error"])
        let rule = try XCTUnwrap(RuleLoader.builtIn().first { $0.id == "BUF002" })
        XCTAssertEqual(rule.severity(forTarget: PythonVersion(major: 2, minor: 7)), .info)
        XCTAssertEqual(rule.severity(forTarget: PythonVersion(major: 3, minor: 14)), .error)
    }
}
