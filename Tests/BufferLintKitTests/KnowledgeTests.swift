@testable import BufferLintKit
import Foundation
import XCTest

/// One table of C library knowledge serves the flow checks and every planner: they agree.
final class KnowledgeTests: XCTestCase {
    func testSetjmpAndSigsetjmpAreRefusedAlikeByThePlannerAndTheFlowChecks() throws {
        let scratch = try ScratchFolder("knowledge")
        for (name, call) in [("a.c", "setjmp(env)"), ("b.c", "sigsetjmp(env, 1)")] {
            try scratch.write(name, """
                #include <Python.h>
                #include <setjmp.h>
                static sigjmp_buf env;
                static PyObject *f(PyObject *self, PyObject *obj) {
                    const char *data;
                    Py_ssize_t len;
                    if (PyObject_AsReadBuffer(obj, (const void **)&data, &len) < 0)
                        return NULL;
                    if (\(call) != 0)
                        return NULL;
                    return PyLong_FromLong(data[0] + len);
                }
                static int g(PyObject *obj) {
                    Py_buffer view;
                    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
                        return -1;
                    if (\(call) != 0)
                        return -1;
                    PyBuffer_Release(&view);
                    return 0;
                }

                """)
            let report = try scratch.lint([name]) { $0.planFixes = true }
            let old = try XCTUnwrap(report.findings.first { $0.rule == "BUF002" }, name)
            XCTAssertEqual(old.fix?.strategy, "compat", name)
            XCTAssertTrue(old.fix?.reason.contains("which can leave it without passing a release") == true, old.fix?.reason ?? "")
            XCTAssertEqual(report.summary.flow.skipped.map(\.reason), ["setjmp"], name)
        }
    }

    func testThePlannersReadTheSameTable() {
        XCTAssertTrue(CFunctions.keepNothing.isSubset(of: CythonRewrite.nonRetaining))
        XCTAssertTrue(CFunctions.returnTwice.isSubset(of: ScopedBufferRewrite.jumpFunctions))
        // A function that returns a pointer into its argument keeps it alive through the result: never "keeps nothing".
        XCTAssertTrue(CFunctions.derivingPointer.isDisjoint(with: CythonRewrite.nonRetaining))
    }

    func testAFunctionOfTheFileThatKeepsNothingIsNoEscape() throws {
        let scratch = try ScratchFolder("summaries")
        let call = "    const char *data;\n    Py_ssize_t len;\n    if (PyObject_AsReadBuffer(obj, (const void **)&data, &len) < 0)\n        return NULL;\n"
        try scratch.write("s.c", """
            #include <Python.h>
            static const char *last;
            static long sum(const char *p, Py_ssize_t n) {
                long s = 0;
                for (Py_ssize_t i = 0; i < n; i++)
                    s += p[i];
                return s;
            }
            static long sum_twice(const char *p, Py_ssize_t n) { return sum(p, n) + sum(p, n); }
            static void keep(const char *p) { const char *q = p; last = q; }
            static long again(const char *p, int n) { return n ? again(p, n - 1) : p[0]; }
            static PyObject *reads(PyObject *self, PyObject *obj) {
            \(call)    return PyLong_FromLong(sum_twice(data, len));
            }
            static PyObject *stores(PyObject *self, PyObject *obj) {
            \(call)    keep(data);
                Py_RETURN_NONE;
            }
            static PyObject *recurses(PyObject *self, PyObject *obj) {
            \(call)    return PyLong_FromLong(again(data, 3));
            }

            """)
        let report = try scratch.lint(["s.c"]) { $0.planFixes = true }
        let fixes = Dictionary(uniqueKeysWithValues: report.findings.filter { $0.rule == "BUF002" }.map { ($0.enclosingFunction ?? "", $0.fix?.strategy ?? "") })
        XCTAssertEqual(fixes, ["reads": "scoped", "stores": "compat", "recurses": "compat"])
    }
}
