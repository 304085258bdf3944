// Runs the real Linter over every C, C++, SWIG and Cython file in Tests/Fixtures/detect/ and
// compares its findings with the expectations the file announces in comments. Each folder of
// Tests/Fixtures/detect/projects/ is a small project (its root holds `.bufferlint.yml`), checked
// once as a folder and once a file at a time, as pre-commit passes changed files: both runs
// must report what its files announce.
//
// Syntax, inside a `//` or `/* */` comment (Cython: `#`):
//
//     expect: RULE KIND [col=N] [error|warning|info] [in=FUNCTION] [macro=NAME] [note=KIND]
//     expect@+N: ...   expect@-N: ...
//
// Without an offset the expectation is for the comment's own line when code
// precedes the comment there, otherwise for the nearest line above that is not
// itself an expectation. `@+N` / `@-N` count from the comment's line (use them
// inside `#define` bodies, where a trailing `//` would end the continuation).
// `in=` checks the enclosing function (`in=-` means none). `note=never`, `note=always` or
// `note=inverted` is the note the finding carries on a test of the call's result; a finding
// announced without `note=` must carry none.
//
// Per-file settings, anywhere in the file:
//
//     fixture: no-python-headers     Python's include folder is an empty folder
//     fixture: target=3.12           the Python the code is checked for
//     fixture: include=DIR           an include folder, relative to the fixture
//     fixture: define=NAME=VALUE     a -D definition
//     fixture: no-syntax-tree        tokens only, without libclang
//
// Every finding must be announced and every announcement found; a file without
// any expectation must produce no finding at all.
import BufferLintKit
import Foundation
import XCTest

struct FixtureExpectation: CustomStringConvertible, Equatable {
    var line: Int
    var rule: String
    var kind: String
    var column: Int?
    var severity: String?
    var function: String?
    var macro: String?
    /// `note=never`, `note=always` (a test of the result no value changes), `note=inverted`;
    /// without it the finding must have no note.
    var note: String?
    /// Where the announcement is written.
    var sourceLine: Int

    var description: String {
        var s = "line \(line): \(rule) \(kind)"
        if let column { s += " col=\(column)" }
        if let severity { s += " \(severity)" }
        if let function { s += " in=\(function)" }
        if let macro { s += " macro=\(macro)" }
        if let note { s += " note=\(note)" }
        return s
    }

    func matches(_ f: Finding) -> Bool {
        f.line == line && f.rule == rule && f.kind.rawValue == kind
            && (column == nil || column == f.column)
            && (severity == nil || severity == f.severity.rawValue)
            && (function == nil || function == (f.enclosingFunction ?? "-"))
            && (macro == nil || macro == f.macro)
            && FixtureExpectation.noteKinds(f.notes) == (note.map { [$0] } ?? [])
    }

    static let noteSigns = ["never": "is never true", "always": "is always true", "inverted": "when the call"]

    static func noteKinds(_ notes: [String]) -> [String] {
        notes.map { n in noteSigns.first { n.contains($0.value) }?.key ?? n }
    }
}

struct FixtureFile {
    var expectations: [FixtureExpectation] = []
    var settings: [String] = []

    static let expectPattern = try! NSRegularExpression(pattern: #"(//|/\*|#)\s*expect(@[+-][0-9]+)?:\s*(.*?)\s*(\*/.*)?$"#)
    static let settingPattern = try! NSRegularExpression(pattern: #"(//|/\*|#)\s*fixture:\s*(.*?)\s*(\*/.*)?$"#)

    /// Reads the announcements of a fixture; malformed ones are errors naming the line.
    static func parse(_ text: String, file: String) throws -> FixtureFile {
        var out = FixtureFile()
        // By scalars: a Character would hold "\r\n" as one.
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        var expectOnly = Set<Int>()
        var pending: [(Int, NSTextCheckingResult, String)] = []
        for (k, line) in lines.enumerated() {
            let ns = line as NSString
            let whole = NSRange(location: 0, length: ns.length)
            if let m = settingPattern.firstMatch(in: line, range: whole) {
                out.settings.append(ns.substring(with: m.range(at: 2)))
            }
            guard let m = expectPattern.firstMatch(in: line, range: whole) else { continue }
            let before = ns.substring(to: m.range.location).trimmingCharacters(in: .whitespaces)
            if before.isEmpty { expectOnly.insert(k + 1) }
            pending.append((k + 1, m, line))
        }
        for (lineNo, m, line) in pending {
            let ns = line as NSString
            let before = ns.substring(to: m.range.location).trimmingCharacters(in: .whitespaces)
            var target: Int
            if m.range(at: 2).location != NSNotFound {
                let offset = Int(ns.substring(with: m.range(at: 2)).dropFirst())!
                target = lineNo + offset
            } else if !before.isEmpty {
                target = lineNo
            } else {
                target = lineNo - 1
                while target > 0 && expectOnly.contains(target) { target -= 1 }
            }
            let words = ns.substring(with: m.range(at: 3)).split(separator: " ").map(String.init)
            guard words.count >= 2 else { throw FixtureSyntaxError(file: file, line: lineNo, problem: "expected `expect: RULE KIND ...`") }
            var e = FixtureExpectation(line: target, rule: words[0], kind: words[1], sourceLine: lineNo)
            guard OccurrenceKind(rawValue: e.kind) != nil else {
                throw FixtureSyntaxError(file: file, line: lineNo, problem: "unknown kind `\(e.kind)`")
            }
            for w in words.dropFirst(2) {
                if w.hasPrefix("col="), let c = Int(w.dropFirst(4)) { e.column = c }
                else if Severity(rawValue: w) != nil { e.severity = w }
                else if w.hasPrefix("in=") { e.function = String(w.dropFirst(3)) }
                else if w.hasPrefix("macro=") { e.macro = String(w.dropFirst(6)) }
                else if w.hasPrefix("note="), FixtureExpectation.noteSigns[String(w.dropFirst(5))] != nil { e.note = String(w.dropFirst(5)) }
                else { throw FixtureSyntaxError(file: file, line: lineNo, problem: "unknown field `\(w)`") }
            }
            out.expectations.append(e)
        }
        return out
    }
}

struct FixtureSyntaxError: Error, CustomStringConvertible {
    var file: String
    var line: Int
    var problem: String
    var description: String { "\(file):\(line): \(problem)" }
}

enum FixturePaths {
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let packageDir = testsDir.deletingLastPathComponent()
    static let detect = testsDir.appendingPathComponent("Fixtures/detect").path

    /// An empty folder, standing for a Python install without headers.
    static let emptyPythonInclude: String = {
        let d = NSTemporaryDirectory() + "bufferlint-empty-python-\(getpid())"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()
}

final class FixtureTests: XCTestCase {
    func fixtureFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: FixturePaths.detect)
            .filter { FixtureTests.extensions.contains(($0 as NSString).pathExtension) }
            .sorted()
    }

    static let extensions: Set<String> = ["c", "cpp", "i", "pyx"]
    static let projectExtensions: Set<String> = ["c", "cpp", "h", "hpp", "i", "pyx", "pxd"]

    func lint(_ name: String, settings: [String]) throws -> Report {
        let path = (FixturePaths.detect as NSString).appendingPathComponent(name)
        var o = LintOptions()
        o.paths = [path]
        o.jobs = 1
        for s in settings {
            if s == "no-python-headers" { o.pythonInclude = FixturePaths.emptyPythonInclude }
            else if s == "no-syntax-tree" { o.useSyntaxTree = false }
            else if s.hasPrefix("target="), let v = PythonVersion(String(s.dropFirst(7))) { o.targetPython = v }
            else if s.hasPrefix("include=") { o.includeDirs.append((FixturePaths.detect as NSString).appendingPathComponent(String(s.dropFirst(8)))) }
            else if s.hasPrefix("define=") { o.defines.append(String(s.dropFirst(7))) }
            else { throw FixtureSyntaxError(file: name, line: 0, problem: "unknown setting `fixture: \(s)`") }
        }
        return try Linter(options: o).run()
    }

    /// The mismatch between announced and reported findings, as a readable diff ("" when they agree).
    static func difference(expected: [FixtureExpectation], found: [Finding]) -> String {
        var missing = expected
        var unexpected: [Finding] = []
        for f in found {
            if let k = missing.firstIndex(where: { $0.matches(f) }) { missing.remove(at: k) } else { unexpected.append(f) }
        }
        var lines: [String] = []
        for e in missing { lines.append("- \(e)   (announced at line \(e.sourceLine), not reported)") }
        for f in unexpected {
            lines.append("+ line \(f.line): \(f.rule) \(f.kind.rawValue) col=\(f.column) \(f.severity.rawValue) in=\(f.enclosingFunction ?? "-")"
                + FixtureExpectation.noteKinds(f.notes).map { " note=\($0)" }.joined()
                + (f.macro.map { " macro=\($0)" } ?? "") + "   (reported, not announced): \(f.sourceLine.trimmingCharacters(in: .whitespaces))")
        }
        return lines.sorted { $0.dropFirst(7).prefix(6) < $1.dropFirst(7).prefix(6) }.joined(separator: "\n")
    }

    func testEveryFixtureReportsExactlyWhatItAnnounces() throws {
        let files = try fixtureFiles()
        XCTAssertGreaterThanOrEqual(files.count, 10, "fixtures missing from \(FixturePaths.detect)")
        var total = 0
        for name in files {
            let path = (FixturePaths.detect as NSString).appendingPathComponent(name)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let fixture = try FixtureFile.parse(text, file: name)
            let report = try lint(name, settings: fixture.settings)
            total += fixture.expectations.count
            let diff = FixtureTests.difference(expected: fixture.expectations, found: report.findings)
            XCTAssert(diff.isEmpty, "\(name): findings differ from the announcements (- announced only, + reported only):\n\(diff)")
        }
        XCTAssertGreaterThan(total, 40)
    }

    /// The files of a project fixture (relative paths) with their announcements.
    func projectFiles(_ root: String) throws -> [(String, FixtureFile)] {
        let e = FileManager.default.enumerator(atPath: root)
        var out: [(String, FixtureFile)] = []
        while let rel = e?.nextObject() as? String {
            guard !rel.hasPrefix("."), FixtureTests.projectExtensions.contains((rel as NSString).pathExtension) else { continue }
            let text = try String(contentsOfFile: (root as NSString).appendingPathComponent(rel), encoding: .utf8)
            out.append((rel, try FixtureFile.parse(text, file: rel)))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// What a run reported, per file of the project, as the runner compares it.
    static func byFile(_ findings: [Finding], root: String) -> [String: [Finding]] {
        var out: [String: [Finding]] = [:]
        var seen = Set<String>()
        for f in findings {
            let abs = ((f.file.hasPrefix("/") ? f.file : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(f.file)) as NSString).standardizingPath
            let rel = abs.hasPrefix(root + "/") ? String(abs.dropFirst(root.count + 1)) : abs
            // A part reported by its includer's run and by its own counts once.
            guard seen.insert("\(rel):\(f.line):\(f.column):\(f.rule):\(f.kind.rawValue)").inserted else { continue }
            out[rel, default: []].append(f)
        }
        return out
    }

    func testEveryProjectReportsWhatItAnnouncesAsAFolderAndAFileAtATime() throws {
        let projects = (FixturePaths.detect as NSString).appendingPathComponent("projects")
        let names = try FileManager.default.contentsOfDirectory(atPath: projects).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertFalse(names.isEmpty, "no project fixture in \(projects)")
        for name in names {
            let root = ((projects as NSString).appendingPathComponent(name) as NSString).standardizingPath
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/.bufferlint.yml"), "\(name): a project fixture's root holds .bufferlint.yml")
            let files = try projectFiles(root)
            XCTAssertGreaterThanOrEqual(files.count, 3, name)
            var folder = LintOptions()
            folder.paths = [root]
            folder.jobs = 1
            let whole = FixtureTests.byFile(try Linter(options: folder).run().findings, root: root)
            var oneByOne: [Finding] = []
            for (rel, _) in files {
                var o = LintOptions()
                o.paths = [(root as NSString).appendingPathComponent(rel)]
                o.jobs = 1
                oneByOne += try Linter(options: o).run().findings
            }
            let single = FixtureTests.byFile(oneByOne, root: root)
            for (how, found) in [("as a folder", whole), ("a file at a time", single)] {
                for (rel, fixture) in files {
                    let diff = FixtureTests.difference(expected: fixture.expectations, found: found[rel] ?? [])
                    XCTAssert(diff.isEmpty, "\(name)/\(rel), checked \(how): findings differ from the announcements:\n\(diff)")
                }
                let unknown = Set(found.keys).subtracting(files.map(\.0))
                XCTAssertEqual(unknown, [], "\(name), checked \(how): findings in files outside the project")
            }
        }
    }

    /// Where a use is, and its fingerprint, do not depend on whether libclang placed it: a run
    /// whose headers resolve and one that reads tokens only report the same columns (end columns
    /// one past the last character, as SARIF counts them) and the same identities (baselines,
    /// GitLab and SARIF results stay matched).
    func testColumnsAndFingerprintsAreTheSameWithAndWithoutTheTree() throws {
        var compared = 0
        for name in try fixtureFiles() where ["c", "cpp"].contains((name as NSString).pathExtension) {
            let text = try String(contentsOfFile: (FixturePaths.detect as NSString).appendingPathComponent(name), encoding: .utf8)
            let settings = try FixtureFile.parse(text, file: name).settings.filter { $0 != "no-syntax-tree" }
            let tree = try lint(name, settings: settings).findings
            let tokens = try lint(name, settings: settings + ["no-syntax-tree"]).findings
            func key(_ f: Finding) -> String { "\(f.line):\(f.column) \(f.rule)" }
            let byKey = Dictionary(tokens.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
            let common = tree.filter { byKey[key($0)] != nil }
            for f in common {
                let t = byKey[key(f)]!
                XCTAssertEqual("\(f.endLine):\(f.endColumn)", "\(t.endLine):\(t.endColumn)", "\(name) \(key(f)): end differs with the tree and without")
            }
            let a = Fingerprint.of(common), b = Fingerprint.of(common.map { byKey[key($0)]! })
            for (x, y) in zip(a, b) where x.hash != y.hash {
                XCTFail("\(name): fingerprint differs with the tree and without: \(x.function) `\(x.snippet)` / \(y.function) `\(y.snippet)`")
            }
            compared += common.count
        }
        XCTAssertGreaterThan(compared, 40)
    }

    func testFixturesCoverEveryKind() throws {
        var kinds = Set<String>()
        for name in try fixtureFiles() {
            let text = try String(contentsOfFile: (FixturePaths.detect as NSString).appendingPathComponent(name), encoding: .utf8)
            kinds.formUnion(try FixtureFile.parse(text, file: name).expectations.map(\.kind))
        }
        let needed = Set(OccurrenceKind.allCases.map(\.rawValue))
        XCTAssertEqual(needed.subtracting(kinds), [], "kinds without a fixture")
    }

    func testMissingPythonHeadersGiveOneWarning() throws {
        var o = LintOptions()
        o.paths = [(FixturePaths.detect as NSString).appendingPathComponent("no_python_headers.c")]
        o.pythonInclude = FixturePaths.emptyPythonInclude
        let report = try Linter(options: o).run()
        XCTAssertEqual(report.warnings.count, 1, "\(report.warnings)")
        let warning = report.warnings.first ?? ""
        XCTAssertTrue(warning.contains("'Python.h' from ") && warning.contains("no_python_headers.c:3"), warning)
        XCTAssertEqual(report.findings.filter { $0.kind == .call }.count, 2)
    }

    func testRunnerSeesMissingAndUnexpectedFindings() throws {
        XCTAssertEqual(try FixtureFile.parse("a\r\nb; // expect: BUF002 call\r\n", file: "crlf.c").expectations.map(\.line), [2])
        let text = """
        int a = f(); // expect: BUF002 call
        // expect: BUF001 reference col=3
        // expect@-2: BUF004 call in=main
        #define M \\
            x /* expect@+1: BUF003 macro-definition */
        """
        let fx = try FixtureFile.parse(text, file: "inline.c")
        XCTAssertEqual(fx.expectations.map(\.line), [1, 1, 1, 6])
        XCTAssertEqual(fx.expectations[1].column, 3)
        XCTAssertEqual(fx.expectations[2].function, "main")
        let found = [Finding(rule: "BUF002", ruleName: "as-read-buffer", function: "PyObject_AsReadBuffer", kind: .call, severity: .error,
                             file: "inline.c", line: 1, column: 9, endLine: 1, endColumn: 12, message: "m"),
                     Finding(rule: "BUF003", ruleName: "as-write-buffer", function: "PyObject_AsWriteBuffer", kind: .call, severity: .error,
                             file: "inline.c", line: 9, column: 1, endLine: 9, endColumn: 2, message: "m")]
        let diff = FixtureTests.difference(expected: fx.expectations, found: found)
        XCTAssertTrue(diff.contains("- line 1: BUF001 reference col=3"), diff)
        XCTAssertTrue(diff.contains("+ line 9: BUF003 call"), diff)
        XCTAssertFalse(diff.contains("BUF002"), diff)
        XCTAssertThrowsError(try FixtureFile.parse("x; // expect: BUF002 calls\n", file: "bad.c")) { e in
            XCTAssertEqual((e as? FixtureSyntaxError)?.description, "bad.c:1: unknown kind `calls`")
        }
    }
}
