import Foundation
import XCTest
@testable import BufferLintKit

/// The optimisations (prefilter, precompiled Python.h, result cache) must never change what is found.
final class SpeedFeatureTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = (NSTemporaryDirectory() as NSString).appendingPathComponent("bufferlint-speed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root + "/inc", withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws { try text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8) }
        try write("inc/compat.h", "#define READ_BUF(o, b, l) PyObject_AsReadBuffer(o, b, l)\n")
        try write("uses_macro.c", """
            #define PY_SSIZE_T_CLEAN
            #include <Python.h>
            #include "inc/compat.h"
            static PyObject *f(PyObject *self, PyObject *o) {
                const void *b; Py_ssize_t n;
                if (READ_BUF(o, &b, &n) < 0) return NULL;
                if (!PyObject_CheckReadBuffer(o)) return NULL;
                return PyLong_FromSsize_t(n);
            }

            """)
        for k in 0..<3 {
            try write("direct\(k).c", """
                #define PY_SSIZE_T_CLEAN
                #include <Python.h>
                static PyObject *g\(k)(PyObject *self, PyObject *o) {
                    const char *s; Py_ssize_t n;
                    if (PyObject_AsCharBuffer(o, &s, &n) == -1) return NULL;
                    return PyBool_FromLong(PyObject_CheckReadBuffer(o));
                }

                """)
        }
        // A macro before Python.h that changes what Python.h declares: no shared precompiled header.
        try write("limited.c", """
            #define Py_LIMITED_API 0x030b0000
            #include <Python.h>
            static int h(PyObject *o) { const void *b; Py_ssize_t n; return PyObject_AsReadBuffer(o, &b, &n); }

            """)
        try write("unrelated.c", "#include <Python.h>\nstatic int z(void) { return 0; }\n")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func run(_ configure: (inout LintOptions) -> Void) throws -> (Report, Linter) {
        var o = LintOptions()
        o.paths = [root]
        o.jobs = 2
        configure(&o)
        let linter = try Linter(options: o)
        return (linter.run(), linter)
    }

    /// Everything a finding says, for comparisons.
    func describe(_ r: Report) -> [String] {
        r.findings.map { "\($0.file):\($0.line):\($0.column)-\($0.endLine):\($0.endColumn) \($0.rule) \($0.kind.rawValue) \($0.severity.rawValue) \($0.enclosingFunction ?? "-") \($0.resolution.rawValue) \($0.macro ?? "-")" }
    }

    func testPrefilterFindsTheSameAsAFullScan() throws {
        let (on, _) = try run { _ in }
        let (off, _) = try run { $0.prefilter = false }
        XCTAssertEqual(describe(on), describe(off))
        // The macro defined in a header is found in a file that never names the function.
        XCTAssertTrue(on.findings.contains { $0.file.hasSuffix("uses_macro.c") && $0.kind == .macroExpansion && $0.macro == "READ_BUF" })
        XCTAssertEqual(on.summary.files, 7)
        // Parsed: the three direct callers, limited.c and the macro user (it calls one function
        // directly too); the header needs no tree, and the unrelated file is scanned, not parsed.
        XCTAssertEqual(on.summary.parsed, 5)
    }

    func testPrecompiledPythonGivesIdenticalFindings() throws {
        let (with, linter) = try run { $0.jobs = 1 }
        let (without, _) = try run { $0.jobs = 1; $0.precompilePython = false }
        XCTAssertEqual(describe(with), describe(without))
        XCTAssertGreaterThanOrEqual(linter.precompiled?.buildCount ?? 0, 1, "three files share a preamble")
        let calls = with.findings.filter { $0.kind == .call }
        XCTAssertEqual(calls.count, 8)
        XCTAssertTrue(calls.allSatisfy { $0.resolution == .syntaxTree }, "calls are confirmed by the tree, with or without the shared header")
        XCTAssertNil(PrecompiledPython.preamble(of: Lexer.lex(SourceText("int x;\n#include <Python.h>\n"))))
        XCTAssertEqual(PrecompiledPython.preamble(of: Lexer.lex(SourceText("#define A 1\n#include <stdio.h>\n#include \"Python.h\"\nint y;\n"))),
                       "#define A 1\n#include <stdio.h>\n#include \"Python.h\"")
    }

    func testWarmCacheAnswersUnchangedFilesAndHeaderEditsInvalidate() throws {
        let cacheDir = root + "/.cache"
        let (cold, coldLinter) = try run { $0.cacheDirectory = cacheDir }
        XCTAssertEqual(coldLinter.cache?.hits, 0)
        let (warm, warmLinter) = try run { $0.cacheDirectory = cacheDir }
        XCTAssertEqual(warmLinter.cache?.hits, 5, "every file libclang parsed (token-only results are redone, not stored)")
        XCTAssertEqual(describe(cold), describe(warm))

        // Editing the included header invalidates exactly the file that includes it.
        try "#define READ_BUF(o, b, l) 0\n".write(toFile: root + "/inc/compat.h", atomically: true, encoding: .utf8)
        let (edited, editedLinter) = try run { $0.cacheDirectory = cacheDir }
        XCTAssertEqual(editedLinter.cache?.hits, 4, "the file including the header is analysed again")
        XCTAssertFalse(edited.findings.contains { $0.file.hasSuffix("uses_macro.c") && $0.kind == .macroExpansion })
        XCTAssertTrue(edited.findings.contains { $0.file.hasSuffix("uses_macro.c") && $0.kind == .call })
    }

    func testCorruptCacheEntriesAreIgnoredAndRewritten() throws {
        let cacheDir = root + "/.cache"
        let (cold, _) = try run { $0.cacheDirectory = cacheDir }
        let entries = try FileManager.default.contentsOfDirectory(atPath: cacheDir).filter { $0.hasSuffix(".json") }
        XCTAssertEqual(entries.count, 5)
        try "{ not json".write(toFile: cacheDir + "/" + entries[0], atomically: true, encoding: .utf8)
        try Data([0xFF, 0x00, 0x13]).write(to: URL(fileURLWithPath: cacheDir + "/" + entries[1]))
        let (again, linter) = try run { $0.cacheDirectory = cacheDir }
        XCTAssertEqual(linter.cache?.hits, 3)
        XCTAssertEqual(describe(cold), describe(again))
        let (third, thirdLinter) = try run { $0.cacheDirectory = cacheDir }
        XCTAssertEqual(thirdLinter.cache?.hits, 5, "the corrupt entries were rewritten")
        XCTAssertEqual(describe(cold), describe(third))
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheDir + "/.gitignore"))
    }
}
