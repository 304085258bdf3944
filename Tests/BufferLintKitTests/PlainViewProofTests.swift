import Foundation
import XCTest
@testable import BufferLintKit

/// The token-level proof only skips work: it must accept the plain shape and
/// turn away every variant that the full analysis reports.
final class PlainViewProofTests: XCTestCase {
    static let plain = """
        #include <Python.h>
        static PyObject *sum(PyObject *self, PyObject *obj) {
            Py_buffer view;
            Py_ssize_t i, total = 0;
            PyObject *result;
            if (obj == Py_None)
                return NULL;
            if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
                return NULL;
            for (i = 0; i < view.len; i++)
                total += ((const unsigned char *)view.buf)[i];
            PyBuffer_Release(&view);
            result = PyLong_FromSsize_t(total);
            if (result == NULL)
                goto error;
            return result;
        error:
            Py_XDECREF(result);
            return NULL;
        }

        """

    func proves(_ source: String) -> Bool {
        let lexed = Lexer.lex(SourceText(source))
        let ctx = ScanContext(names: [], resolver: IncludeResolver(userDirs: [], pythonInclude: nil), python: PythonHeaders(includeDir: nil),
                              target: (3, 13))
        let scan = TokenScanner(context: ctx, lexed: lexed, path: "/tmp/x.c", isCPlusPlus: false).scan()
        return PlainViewProof.provesClean(lexed: lexed, functions: scan.functions)
    }

    /// Findings of the full pass (the proof turned off) on a temporary file.
    func fullPassRules(_ source: String) throws -> [String] {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("bufferlint-proof-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try source.write(toFile: dir + "/x.c", atomically: true, encoding: .utf8)
        var o = LintOptions()
        o.paths = [dir + "/x.c"]
        o.provePlainViews = false
        o.select = ["BUF10"]
        return try Linter(options: o).run().findings.map(\.rule)
    }

    func testPlainShapeIsProvedAndTheFullPassAgrees() throws {
        XCTAssertTrue(proves(Self.plain))
        XCTAssertEqual(try fullPassRules(Self.plain), [])
    }

    func testEveryBuggyVariantGoesToTheFullPass() throws {
        let variants: [(String, String, String)] = [
            ("an exit between acquisition and release", "    PyBuffer_Release(&view);\n", "    if (total > 9) return NULL;\n    PyBuffer_Release(&view);\n"),
            ("no release", "    PyBuffer_Release(&view);\n", ""),
            ("use after release", "    result = PyLong_FromSsize_t(total);\n", "    result = PyLong_FromSsize_t(view.len);\n"),
            ("a pointer kept past the release", "    for (i = 0; i < view.len; i++)\n", "    last = (const char *)view.buf;\n    for (i = 0; i < view.len; i++)\n"),
            ("a write without PyBUF_WRITABLE", "    for (i = 0; i < view.len; i++)\n", "    memset(view.buf, 0, view.len);\n    for (i = 0; i < view.len; i++)\n"),
            ("a memoryview flag", "PyBUF_SIMPLE", "PyBUF_READ"),
            ("an unchecked acquisition", "    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)\n        return NULL;\n", "    PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);\n"),
            ("a jump over the release", "    for (i = 0; i < view.len; i++)\n", "    if (obj == self) goto error;\n    for (i = 0; i < view.len; i++)\n"),
            ("a double release", "    result = PyLong_FromSsize_t(total);\n", "    PyBuffer_Release(&view);\n    result = PyLong_FromSsize_t(total);\n"),
        ]
        for (what, old, new) in variants {
            var source = Self.plain.replacingOccurrences(of: old, with: new)
            if what == "a pointer kept past the release" {
                source = "static const char *last;\n" + source
            }
            XCTAssertNotEqual(source, Self.plain, what)
            XCTAssertFalse(proves(source), "the proof must turn away \(what)")
            XCTAssertFalse(try fullPassRules(source).isEmpty, "the full pass reports \(what)")
        }
    }

    func testFlowFixturesGiveTheSameFindingsWithAndWithoutTheProof() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/flow").path
        func run(_ prove: Bool) throws -> [String] {
            var o = LintOptions()
            o.paths = [fixtures]
            o.provePlainViews = prove
            return try Linter(options: o).run().findings.map { "\($0.file):\($0.line):\($0.column) \($0.rule)" }
        }
        let with = try run(true)
        XCTAssertFalse(with.isEmpty)
        XCTAssertEqual(with, try run(false))
    }
}
