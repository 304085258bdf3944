// Real extension code: Cython sources, SWIG interfaces, generated files and
// wrappers. Each folder of Tests/Fixtures/real/ is checked as one run; its
// files announce the findings they must produce in line comments (`//` in C,
// C++ and SWIG files, `#` in Cython files):
//
//     expect: RULE KIND [error|warning|info] [macro=NAME] [gen=TOOL:SOURCE:LINE]
//     expect@-N: ...      (for the line N above)
//
// Several announcements for one line are separated by `;`. `gen=` checks the
// generated origin (SOURCE is compared by file name, `-` means none); a
// finding without `gen=` must not carry one. Every finding must be announced.
@testable import BufferLintKit
import Foundation
import XCTest

struct RealCodeExpectation: Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var rule: String
    var kind: String
    var severity: String?
    var macro: String?
    var generated: String?

    var description: String {
        "\(file):\(line) \(rule) \(kind)" + (severity.map { " \($0)" } ?? "") + (macro.map { " macro=\($0)" } ?? "")
            + (generated.map { " gen=\($0)" } ?? "")
    }

    func matches(_ f: Finding) -> Bool {
        guard (f.file as NSString).lastPathComponent == file, f.line == line, f.rule == rule, f.kind.rawValue == kind,
              severity == nil || severity == f.severity.rawValue, macro == nil || macro == f.macro else { return false }
        let origin = f.generated.map { g in
            "\(g.tool):\(g.source.map { ($0 as NSString).lastPathComponent } ?? "-"):\(g.line.map(String.init) ?? "-")"
        }
        return origin == generated
    }

    static let pattern = try! NSRegularExpression(pattern: #"expect(@-[0-9]+)?:\s*([^;]+)"#)

    static func parse(file path: String) throws -> [RealCodeExpectation] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let cython = ["pyx", "pxd", "pxi"].contains((path as NSString).pathExtension)
        let marker = cython ? "# expect" : "// expect"
        var out: [RealCodeExpectation] = []
        for (k, line) in text.components(separatedBy: "\n").enumerated() {
            guard let at = line.range(of: marker) else { continue }
            let tail = String(line[at.lowerBound...].dropFirst(marker.count - "expect".count))
            for m in pattern.matches(in: tail, range: NSRange(tail.startIndex..., in: tail)) {
                let ns = tail as NSString
                let offset = m.range(at: 1).location == NSNotFound ? 0 : Int(ns.substring(with: m.range(at: 1)).dropFirst(2))!
                let words = ns.substring(with: m.range(at: 2)).split(separator: " ").map(String.init)
                guard words.count >= 2 else { throw NSError(domain: "fixture", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(path):\(k + 1): bad expectation"]) }
                var e = RealCodeExpectation(file: (path as NSString).lastPathComponent, line: k + 1 - offset, rule: words[0], kind: words[1])
                for w in words.dropFirst(2) {
                    if ["error", "warning", "info"].contains(w) { e.severity = w }
                    else if w.hasPrefix("macro=") { e.macro = String(w.dropFirst(6)) }
                    else if w.hasPrefix("gen=") { e.generated = String(w.dropFirst(4)) }
                }
                out.append(e)
            }
        }
        return out
    }
}

final class RealCodeTests: XCTestCase {
    static let root = FixturePaths.testsDir.appendingPathComponent("Fixtures/real").path

    func run(_ folder: String, configure: (inout LintOptions) -> Void = { _ in }) throws -> Report {
        var o = LintOptions()
        o.paths = [(RealCodeTests.root as NSString).appendingPathComponent(folder)]
        o.jobs = 1
        configure(&o)
        return try Linter(options: o).run()
    }

    func checkFolder(_ folder: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = (RealCodeTests.root as NSString).appendingPathComponent(folder)
        var expected: [RealCodeExpectation] = []
        let files = FileManager.default.enumerator(atPath: dir)!.compactMap { $0 as? String }
        for f in files where FileDiscovery.sourceExtensions.contains((f as NSString).pathExtension) {
            expected += try RealCodeExpectation.parse(file: (dir as NSString).appendingPathComponent(f))
        }
        XCTAssertFalse(expected.isEmpty, "\(folder) announces nothing", file: file, line: line)
        let report = try run(folder)
        var findings = report.findings.filter { $0.rule != "BUF000" }
        for e in expected {
            if let k = findings.firstIndex(where: e.matches) { findings.remove(at: k) }
            else { XCTFail("\(folder): expected \(e), not found", file: file, line: line) }
        }
        for f in findings {
            XCTFail("\(folder): unexpected \((f.file as NSString).lastPathComponent):\(f.line) \(f.rule) \(f.kind.rawValue) \(f.severity.rawValue)"
                    + (f.generated.map { " gen=\($0.tool):\($0.source ?? "-"):\($0.line.map(String.init) ?? "-")" } ?? ""), file: file, line: line)
        }
        XCTAssertTrue(report.errors.isEmpty, "\(report.errors)", file: file, line: line)
    }

    func testCythonSources() throws { try checkFolder("cython") }
    func testSwigInterface() throws { try checkFolder("swig") }
    func testSwigIncludeOfSystemHeaderMakesMacrosUnknown() throws { try checkFolder("swig_system") }
    func testCxxGuards() throws { try checkFolder("cxx") }
    func testWrappers() throws { try checkFolder("wrappers") }
    func testGeneratedFiles() throws { try checkFolder("generated") }

    func testCythonMessagesGiveTheCythonReplacement() throws {
        let report = try run("cython")
        let call = try XCTUnwrap(report.findings.first { $0.kind == .call && $0.function == "PyObject_AsReadBuffer" })
        XCTAssertTrue(call.message.contains("from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE"), call.message)
        let decl = try XCTUnwrap(report.findings.first { $0.kind == .declaration })
        XCTAssertEqual(decl.severity, .warning)
        XCTAssertTrue(decl.message.hasPrefix("declaration of"), decl.message)
    }

    func testCythonSuppressionCommentsWork() throws {
        // decls.pxd suppresses BUF004 for the whole file.
        let report = try run("cython/decls.pxd")
        XCTAssertFalse(report.findings.contains { $0.rule == "BUF004" })
        XCTAssertTrue(report.findings.contains { $0.rule == "BUF001" })
    }

    func testWrapperSummaryCountsCallers() throws {
        let report = try run("wrappers")
        let byName = Dictionary(uniqueKeysWithValues: report.wrappers.map { ($0.name, $0) })
        XCTAssertEqual(Set(byName.keys), ["buf_get", "buf_get_writable", "buf_data"])
        XCTAssertEqual(byName["buf_data"]?.callers, 1)
        XCTAssertEqual(byName["buf_get"]?.callers, 3)
        XCTAssertEqual(byName["buf_get_writable"]?.callers, 1)
        XCTAssertEqual(byName["buf_get"].map { ($0.file as NSString).lastPathComponent }, "buf.c")
        let json = JSONReporter().render(report, context: ReportContext(toolVersion: "t", rules: [], colour: false))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let listed = try XCTUnwrap((object["summary"] as? [String: Any])?["wrappers"] as? [[String: Any]])
        XCTAssertEqual(listed.map { $0["name"] as? String }, ["buf_get", "buf_get_writable", "buf_data"])
        XCTAssertEqual(listed.map { $0["callers"] as? Int }, [3, 1, 1])
        XCTAssertEqual(listed.first?["line"] as? Int, 4)
        let message = try XCTUnwrap(report.findings.first { $0.kind == .wrapperCall }).message
        XCTAssertTrue(message.contains("buf.c:6"), message)
    }

    func testWrapperCallsNeedTheWrapperFile() throws {
        // Alone, user.c names no old function and no known wrapper.
        let report = try run("wrappers/user.c")
        XCTAssertTrue(report.findings.isEmpty, "\(report.findings)")
    }

    func testGeneratedFileIsMarkedOnTheFileResult() throws {
        let path = (RealCodeTests.root as NSString).appendingPathComponent("generated/cy/mod.c")
        var o = LintOptions()
        o.paths = [path]
        let linter = try Linter(options: o)
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let result = linter.analyze(path: path, bytes: bytes, parser: nil)
        XCTAssertTrue(result.isGenerated)
        XCTAssertEqual(result.generator, "cython")
        // Alone, the generated copy's finding stays, pointing at its source line.
        let f = try XCTUnwrap(result.findings.first { $0.function == "PyObject_AsReadBuffer" })
        XCTAssertEqual(f.line, 16)
        XCTAssertEqual(f.generated?.line, 5)
        XCTAssertEqual(f.generated.flatMap { $0.source.map { ($0 as NSString).lastPathComponent } }, "mod.pyx")
        // The copy of the source line in the comment above is not a finding.
        XCTAssertFalse(result.findings.contains { $0.line == 13 })
        let hand = (RealCodeTests.root as NSString).appendingPathComponent("wrappers/buf.c")
        XCTAssertFalse(linter.analyze(path: hand, bytes: [UInt8](FileManager.default.contents(atPath: hand)!), parser: nil).isGenerated)
    }

    func testConfiguredGeneratedPattern() throws {
        let dir = try ScratchFolder("gen")
        try dir.write("tool_out.c", "/* made by protogen 1.2 -- do not edit */\n#include <Python.h>\nint f(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n")
        let plain = try dir.lint(["tool_out.c"])
        XCTAssertNil(try XCTUnwrap(plain.findings.first).generated)
        let marked = try dir.lint(["tool_out.c"]) { $0.generatedPatterns = [#"made by protogen \d"#] }
        XCTAssertEqual(marked.findings.first?.generated?.tool, "generated")
    }

    func testSwigRegionsFindDirectiveStatements() {
        let text = SourceText("%module m\n%ignore PyObject_AsReadBuffer;\n%rename(x) y;\n%{\nint a = 5 % b;\n%}\n%typemap(in) int { $1 = PyObject_CheckReadBuffer($input); }\n")
        let lexed = Lexer.lex(text, dialect: .swig)
        let regions = SwigRegions(lexed: lexed)
        let source = String(decoding: text.bytes, as: UTF8.self)
        func offset(_ s: String) -> Int { source.utf8.distance(from: source.startIndex, to: source.range(of: s)!.lowerBound) }
        XCTAssertTrue(regions.isInDirectiveStatement(offset("PyObject_AsReadBuffer")))
        XCTAssertTrue(regions.isInDirectiveStatement(offset("y;")))
        XCTAssertFalse(regions.isInDirectiveStatement(offset("5 % b")))
        XCTAssertFalse(regions.isInDirectiveStatement(offset("PyObject_CheckReadBuffer")))
        XCTAssertTrue(regions.isInDirectiveStatement(offset("int {")))
    }

    func testCythonScannerSkipsStringsAndComments() {
        let text = SourceText("x = '''PyObject_AsReadBuffer\n''' # PyObject_AsReadBuffer\ny = rb'PyObject_AsReadBuffer' + PyObject_AsReadBuffer(o, &p, &n)\n")
        let scan = CythonScanner(names: ["PyObject_AsReadBuffer"]).scan(text)
        XCTAssertEqual(scan.occurrences.map(\.kind), [.call])
        XCTAssertEqual(scan.occurrences.first.map { text.line(of: $0.nameRange.lowerBound) }, 3)
        XCTAssertEqual(scan.lexed.comments.count, 1)
    }
}
