@testable import BufferLintKit
import Foundation
import XCTest

/// Files whose headers are missing still give a complete tree: what they name is made up
/// (`DeclarationSynthesis`), so scoped fixes and the flow checks work as on a file that parses.
final class HeaderTolerantParseTests: XCTestCase {
    var scratch: ScratchFolder!

    override func setUpWithError() throws { scratch = try ScratchFolder("tolerant") }

    /// A C extension over a library whose header is not installed: its types, constants and members are unknown.
    static let withMissingHeader = """
        #include <Python.h>
        #include <thelib.h>

        static PyObject *checksum(PyObject *self, PyObject *obj) {
            const char *data;
            Py_ssize_t len;
            thelib_ctx_t *ctx;
            thelib_status_t status;
            if (PyObject_AsReadBuffer(obj, (const void **)&data, &len) < 0)
                return NULL;
            ctx = thelib_new(THELIB_FAST);
            if (ctx == NULL)
                return PyErr_NoMemory();
            ctx->rounds = 2;
            status = thelib_sum(ctx, len);
            if (status != THELIB_OK || ctx->state->failed)
                return NULL;
            return PyLong_FromLong(data[0] + ctx->result);
        }

        static PyObject *leaky(PyObject *self, PyObject *obj) {
            Py_buffer view;
            thelib_ctx_t *ctx = thelib_new(THELIB_FAST);
            if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
                return NULL;
            if (thelib_feed(ctx, view.len) != THELIB_OK)
                return NULL;
            PyBuffer_Release(&view);
            Py_RETURN_NONE;
        }

        """

    func testAFileWhoseHeaderIsMissingGetsTheScopedFixAndTheFlowChecks() throws {
        try scratch.write("ext.c", HeaderTolerantParseTests.withMissingHeader)
        let report = try scratch.lint(["ext.c"]) { $0.planFixes = true }
        XCTAssertEqual(report.summary.completed, 1)
        let old = try XCTUnwrap(report.findings.first { $0.rule == "BUF002" })
        XCTAssertEqual(old.fix?.strategy, "scoped", old.fix?.reason ?? "")
        let leak = report.findings.filter { $0.rule == "BUF102" }
        let lines = HeaderTolerantParseTests.withMissingHeader.split(separator: "\n", omittingEmptySubsequences: false)
        let acquisition = try XCTUnwrap(lines.firstIndex { $0.contains("PyObject_GetBuffer(obj, &view") }) + 1
        XCTAssertEqual(leak.map(\.line), [acquisition], report.findings.map { "\($0.line) \($0.rule)" }.description)
        XCTAssertEqual(report.summary.flow.functions, 1)
        XCTAssertEqual(report.summary.flow.analysed, 1)
    }

    func testWhatIsMadeUpFollowsHowTheNamesAreUsed() throws {
        let path = try scratch.write("ext.c", HeaderTolerantParseTests.withMissingHeader)
        var args = ["-x", "c", "-w"]
        if let dir = PythonHeaders.defaultIncludeDir() { args.append("-I\(dir)") }
        guard case .parsed(let unit) = ClangParser().parse(path: path, arguments: args) else { return XCTFail("no parse") }
        let header = unit.synthesis.header()
        // Pointed to and reached into: a record with the fields used; compared with constants: an integer.
        XCTAssertTrue(header.contains("typedef struct bufferlint_made_up_thelib_ctx_t thelib_ctx_t;"), header)
        XCTAssertTrue(header.contains("typedef long thelib_status_t;"), header)
        XCTAssertTrue(header.contains("enum { THELIB_OK = "), header)
        XCTAssertTrue(header.contains("enum { THELIB_FAST = "), header)
        XCTAssertTrue(header.contains("long rounds;"), header)
        XCTAssertTrue(header.contains("struct bufferlint_made_up_bufferlint_made_up_thelib_ctx_t_state *state;"), header)
        // Only the missing header's own error is left, outside every function.
        XCTAssertEqual(unit.errors.map(\.message), ["'thelib.h' file not found"])
        XCTAssertLessThanOrEqual(unit.rounds, ParsedUnit.maximumRounds + 1)
    }

    func testAFileThatParsesIsParsedOnceAsItIs() throws {
        let path = try scratch.write("ok.c", "#include <Python.h>\nstatic int f(PyObject *o) { return PyObject_CheckBuffer(o); }\n")
        var args = ["-x", "c", "-w"]
        if let dir = PythonHeaders.defaultIncludeDir() { args.append("-I\(dir)") }
        guard case .parsed(let unit) = ClangParser().parse(path: path, arguments: args) else { return XCTFail("no parse") }
        XCTAssertEqual(unit.rounds, 1)
        XCTAssertTrue(unit.synthesis.isEmpty)
        XCTAssertFalse(unit.arguments.contains(DeclarationSynthesis.headerPath))
    }

    func testCPlusPlusUsesOneTypeThatConvertsToAnything() throws {
        try scratch.write("ext.cpp", """
            #include <Python.h>
            #include <widgets/widget.hpp>

            static PyObject *feed(PyObject *self, PyObject *obj) {
                const char *data;
                Py_ssize_t len;
                if (PyObject_AsReadBuffer(obj, (const void **)&data, &len) < 0)
                    return NULL;
                long n = widget_count(len);
                if (n < 0 || data[0] == 0)
                    return NULL;
                return PyLong_FromLong(n);
            }

            """)
        let report = try scratch.lint(["ext.cpp"]) { $0.planFixes = true }
        XCTAssertEqual(report.summary.completed, 1)
        let old = try XCTUnwrap(report.findings.first { $0.rule == "BUF002" })
        XCTAssertEqual(old.fix?.strategy, "scoped", old.fix?.reason ?? "")
    }

    func testAFragmentOfAUnityBuildGetsPythonH() throws {
        // Included into another file after Python.h; on its own it names Python's types without an include.
        try scratch.write("part.c", """
            static PyObject *part(PyObject *self, PyObject *obj) {
                const char *data;
                Py_ssize_t len;
                if (PyObject_AsReadBuffer(obj, (const void **)&data, &len) < 0)
                    return NULL;
                return PyLong_FromLong(data[0] + len);
            }

            """)
        let report = try scratch.lint(["part.c"]) { $0.planFixes = true }
        let old = try XCTUnwrap(report.findings.first { $0.rule == "BUF002" })
        XCTAssertEqual(old.fix?.strategy, "scoped", old.fix?.reason ?? "")
    }

    func testAPartOfAUnityBuildIsParsedAfterWhatItsIncluderDefines() throws {
        // The macro comes from the includer; alone, its empty argument would not parse.
        try scratch.write("main.c", "#include <Python.h>\n#define FAULT(name, good, bad) do { good; } while (0)\n#include \"part.c\"\n")
        try scratch.write("part.c", """
            #include "local.h"
            static PyObject *part(PyObject *self, PyObject *obj) {
                const char *data;
                Py_ssize_t len;
                int r = PyObject_AsReadBuffer(obj, (const void **)&data, &len);
                FAULT(X, , (PyErr_NoMemory(), r = -1));
                if (r < 0)
                    return NULL;
                return PyLong_FromLong(data[0] + len);
            }

            """)
        try scratch.write("local.h", "/* nothing */\n")
        let report = try scratch.lint(["part.c"]) { $0.planFixes = true }
        let old = try XCTUnwrap(report.findings.first { $0.rule == "BUF002" })
        XCTAssertEqual(old.fix?.strategy, "scoped", old.fix?.reason ?? "")
    }

    func testFeatureMacrosOfAMissingHeaderAreAssumedAroundTheUses() throws {
        try scratch.write("feat.c", """
            #include <Python.h>
            #include <gfx.h>
            #ifdef GFX_HAS_IMAGES
            NPY_LIKE_EXPORT PyObject *image(PyObject *self, PyObject *obj) {
                const char *data;
                Py_ssize_t len;
                if (PyObject_AsReadBuffer(obj, (const void **)&data, &len) < 0)
                    return NULL;
                return PyLong_FromLong(data[0] + len);
            }
            #endif

            """)
        let report = try scratch.lint(["feat.c"]) { $0.planFixes = true }
        let old = try XCTUnwrap(report.findings.first { $0.rule == "BUF002" })
        XCTAssertEqual(old.fix?.strategy, "scoped", old.fix?.reason ?? "")
        // Defined around x (A) and z (the #else of #ifndef B); WIN32 never; C is also wanted undefined, around y.
        let text = "#ifdef A\nx\n#endif\n#ifndef B\ny\n#else\nz\n#endif\n#ifdef WIN32\nw\n#endif\n#ifdef C\nv\n#endif\n#ifndef C\nu\n#endif\n"
        let uses = ["\nx\n", "\nz\n", "\nw\n", "\nv\n", "\nu\n"].map { text.utf8.count - text.components(separatedBy: $0)[1].utf8.count - 2 }
        XCTAssertEqual(FeatureMacros.assumed(lexed: Lexer.lex(SourceText(bytes: Array(text.utf8))), uses: uses), ["A", "B"])
        let versions = "#if LIB_VERSION >= 5050\nx\n#endif\n#if OTHER > 0x10\ny\n#endif\n"
        let at = ["\nx\n", "\ny\n"].map { versions.utf8.count - versions.components(separatedBy: $0)[1].utf8.count - 2 }
        XCTAssertEqual(FeatureMacros.definitions(lexed: Lexer.lex(SourceText(bytes: Array(versions.utf8))), uses: at).map { "\($0.name)=\($0.value)" },
                       ["LIB_VERSION=5050", "OTHER=17"])
    }

    func testASwigInterfaceIsParsedAsTheCOfItsBlocks() throws {
        let path = try scratch.write("ext.i", """
            %module ext
            %{
            #include <thelib/api.h>
            %}
            %typemap(in) int { $1 = PyLong_AsLong($input); }
            %inline %{
            int first_byte(PyObject *obj) {
                const char *data;
                Py_ssize_t len;
                if (PyObject_AsReadBuffer(obj, (const void **)&data, &len) < 0)
                    return -1;
                return len > 0 ? data[0] + thelib_bias(THELIB_DEFAULT) : 0;
            }
            %}

            """)
        let report = try scratch.lint(["ext.i"]) { $0.planFixes = true }
        let old = try XCTUnwrap(report.findings.first { $0.rule == "BUF002" })
        XCTAssertEqual(old.fix?.strategy, "scoped", old.fix?.reason ?? "")
        let lexed = Lexer.lex(SourceText(bytes: Array(try String(contentsOfFile: path, encoding: .utf8).utf8)), dialect: .swig)
        let code = try XCTUnwrap(SwigRegions.compiledCode(lexed))
        XCTAssertEqual(code.count, lexed.text.bytes.count)
        let c = String(decoding: code, as: UTF8.self)
        XCTAssertFalse(c.contains("%") || c.contains("$1"), c)
        XCTAssertTrue(c.contains("int first_byte(PyObject *obj) {"))
        XCTAssertEqual(c.split(separator: "\n", omittingEmptySubsequences: false).count, lexed.text.lineStarts.count)
    }
}
