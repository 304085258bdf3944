import BufferLintKit
import Foundation
import XCTest

final class FixEditTests: XCTestCase {
    func testEditsApplyBackToFrontAndKeepInsertionOrder() {
        let bytes = Array("abcdef".utf8)
        let edits = [Edit(range: 1..<3, replacement: "XY"), .insert("1", at: 4), .insert("2", at: 4), Edit(range: 5..<6, replacement: "")]
        XCTAssertEqual(EditApplier.apply(edits, to: bytes).map { String(decoding: $0, as: UTF8.self) }, "aXYd12e")
    }

    func testIdenticalEditsCountOnceAndOverlapsAreRefused() {
        let bytes = Array("abcdef".utf8)
        let e = Edit(range: 2..<4, replacement: "Z")
        XCTAssertEqual(EditApplier.apply([e, e], to: bytes).map { String(decoding: $0, as: UTF8.self) }, "abZef")
        XCTAssertNil(EditApplier.apply([e, Edit(range: 3..<5, replacement: "Q")], to: bytes))
    }

    func testUnifiedDiffShowsOnlyChangedLinesWithContext() {
        let text = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let bytes = Array(text.utf8)
        let at = text.range(of: "line 5")!.lowerBound.utf16Offset(in: text)
        let diff = UnifiedDiff.render(path: "x.c", original: bytes, edits: [Edit(range: at..<at + 6, replacement: "five"), .insert("new\n", at: at)])
        XCTAssertEqual(diff, """
        --- a/x.c
        +++ b/x.c
        @@ -2,7 +2,8 @@
         line 2
         line 3
         line 4
        -line 5
        +new
        +five
         line 6
         line 7
         line 8

        """)
    }
}

final class FixPlanTests: XCTestCase {
    static let scopedSource = """
    #include <Python.h>

    static PyObject *
    first(PyObject *self, PyObject *obj)
    {
        const char *s;
        Py_ssize_t n;

        if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
            return NULL;
        if (n == 0)
            Py_RETURN_NONE;
        return PyLong_FromLong(s[0]);
    }

    """

    func testScopedRewriteReleasesAtEveryExit() throws {
        let dir = try ScratchFolder("fix")
        let (plan, report) = try plan("a.c", FixPlanTests.scopedSource, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.scoped])
        XCTAssertEqual(report.findings.first { $0.rule == "BUF001" }?.fix?.strategy, "scoped")
        XCTAssertEqual(fixed(plan), """
        #include <Python.h>

        static PyObject *
        first(PyObject *self, PyObject *obj)
        {
            Py_buffer view = {NULL, NULL};
            const char *s;
            Py_ssize_t n;

            if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
                return NULL;
            s = (const char *)view.buf;
            n = view.len;
            if (n == 0)
                { PyBuffer_Release(&view); Py_RETURN_NONE; }
            { PyObject *result = PyLong_FromLong(s[0]); PyBuffer_Release(&view); return result; }
        }

        """)
    }

    func testUnprovableUsesFallBackToCompatWithTheReason() throws {
        let dir = try ScratchFolder("fix")
        let cases: [(String, String)] = [
            ("return s;", "is returned"),
            ("keep(s); return NULL;", "is passed to `keep`"),
        ]
        for (tail, reason) in cases {
            let src = """
            #include <Python.h>
            void keep(const char *p);
            static const char *g;
            static PyObject *f(PyObject *obj)
            {
                const char *s;
                Py_ssize_t n;
                if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
                    return NULL;
                \(tail)
            }

            """.replacingOccurrences(of: "return s;", with: "return (PyObject *)s;")
            let (plan, _) = try plan("b.c", src, in: dir)
            XCTAssertEqual(plan.fixes.filter { $0.safety == .safe }.map(\.strategy), [.compat], tail + "\n" + fixed(plan))
            XCTAssertTrue(plan.fixes[0].reason.contains(reason), plan.fixes[0].reason)
            XCTAssertTrue(fixed(plan).contains("#include <Python.h>\n#include \"bufferlint_compat.h\"\n"))
            XCTAssertTrue(fixed(plan).contains("bufferlint_AsCharBuffer(obj, &s, &n)"))
        }
        let macroExit = """
        #include <Python.h>
        #define FAIL_IF(c) if (c) return NULL
        static PyObject *f(PyObject *obj)
        {
            const void *p;
            Py_ssize_t n;
            if (PyObject_AsReadBuffer(obj, &p, &n) < 0)
                return NULL;
            FAIL_IF(n == 0);
            return PyLong_FromLong(((const char *)p)[0]);
        }

        """
        let (plan2, _) = try plan("c.c", macroExit, in: dir)
        XCTAssertEqual(plan2.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(plan2.fixes[0].reason.contains("inside the macro `FAIL_IF`"), plan2.fixes[0].reason)
    }

    func testCheckReadBufferIsCompatUnlessUnsafeFixesAreAsked() throws {
        let dir = try ScratchFolder("fix")
        let src = "#include <Python.h>\nstatic int f(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n"
        let (plan, _) = try plan("d.c", src, in: dir)
        XCTAssertTrue(fixed(plan).contains("return bufferlint_CheckReadBuffer(o);"))
        XCTAssertTrue(fixed(plan, unsafe: true).contains("return PyObject_CheckBuffer(o);"))
        XCTAssertEqual(plan.fixes.first { $0.strategy == .checkBuffer }?.safety, .unsafe)
    }

    func testCRLFFileStaysCRLFAndReferencesGetCompat() throws {
        let dir = try ScratchFolder("fix")
        let src = "#include \"Python.h\"\r\ntypedef int (*getter)(PyObject *, const void **, Py_ssize_t *);\r\nstatic getter g = PyObject_AsReadBuffer;\r\n"
        let (plan, _) = try plan("e.c", src, in: dir)
        XCTAssertEqual(fixed(plan), "#include \"Python.h\"\r\n#include \"bufferlint_compat.h\"\r\ntypedef int (*getter)(PyObject *, const void **, Py_ssize_t *);\r\nstatic getter g = bufferlint_AsReadBuffer;\r\n")
    }

    func testAPartFileThatIncludesNothingGetsTheHeaderAtItsTopAndAnInterfaceDoesNot() throws {
        let dir = try ScratchFolder("fix")
        // A part of a unity build: included into a file that has already included Python.h.
        let part = "/* blob part */\n\nstatic int f(PyObject *o)\n{\n    return PyObject_CheckReadBuffer(o);\n}\n"
        let (p1, _) = try plan("part.c", part, in: dir)
        XCTAssertEqual(p1.fixes.filter { $0.safety == .safe }.map(\.strategy), [.compat])
        XCTAssertEqual(fixed(p1), "/* blob part */\n\n#include \"bufferlint_compat.h\"\nstatic int f(PyObject *o)\n{\n    return bufferlint_CheckReadBuffer(o);\n}\n")
        XCTAssertTrue(p1.fixes[0].reason.contains("includes nothing before its first use"), p1.fixes[0].reason)
        // In a SWIG interface a top-level #include is SWIG's, not the compiler's: no compat there.
        let interface = "%module m\n%inline %{\nstatic int f(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n%}\n"
        let (plan2, _) = try plan("m.i", interface, in: dir)
        XCTAssertTrue(plan2.fixes.filter { $0.strategy == .compat }.isEmpty, fixed(plan2))
        XCTAssertTrue(plan2.unfixed.contains { $0.reason.contains("no #include in a %{ %} block") }, "\(plan2.unfixed)")
    }

    func testGeneratedAndInactiveUsesAreNotFixed() throws {
        let dir = try ScratchFolder("fix")
        let gen = "/* Generated by Cython 3.0.0 */\n#include <Python.h>\nstatic int f(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n"
        let (p1, _) = try plan("g.c", gen, in: dir)
        XCTAssertTrue(p1.fixes.isEmpty)
        XCTAssertEqual(p1.unfixed.count, 1)
        let inactive = "#include <Python.h>\n#if PY_MAJOR_VERSION < 3\nstatic int f(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n#endif\n"
        let (p2, _) = try plan("h.c", inactive, in: dir)
        XCTAssertTrue(p2.fixes.isEmpty)
        XCTAssertTrue(p2.unfixed.first?.reason.contains("not compiled for the target") == true)
    }
}

final class FixWriteTests: XCTestCase {
    func testWriteKeepsPermissionsAndRefusesAChangedFile() throws {
        let dir = try ScratchFolder("fixwrite")
        let path = try dir.write("m.c", "int a;\n")
        chmod(path, 0o640)
        try SafeFileWriter.replace(path: path, expected: Array("int a;\n".utf8), with: Array("int b;\n".utf8))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "int b;\n")
        var st = stat()
        stat(path, &st)
        XCTAssertEqual(st.st_mode & 0o777, 0o640)
        XCTAssertThrowsError(try SafeFileWriter.replace(path: path, expected: Array("int a;\n".utf8), with: Array("int c;\n".utf8))) { e in
            XCTAssertTrue((e as? WriteRefusal)?.message.contains("changed since it was read") == true)
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "int b;\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.c"])
    }

    func testFixingTwiceChangesNothingTheSecondTime() throws {
        let dir = try ScratchFolder("fixtwice")
        let path = try dir.write("t.c", FixPlanTests.scopedSource)
        for round in 0..<2 {
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let mtime = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
            let report = try dir.lint([path]) { $0.planFixes = true; $0.cacheDirectory = nil }
            // The second time nothing is left to plan (or the plan changes nothing).
            let plan = report.fixPlans.first
            XCTAssertEqual(plan == nil || plan!.fixes.isEmpty, round == 1)
            guard let plan else { continue }
            var outcome = FileFixer.outcome(for: plan, unsafe: false)
            XCTAssertEqual(outcome.newContents == nil, round == 1)
            FileFixer.write(&outcome, plan: plan)
            XCTAssertNil(outcome.error)
            if round == 1 {
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
                XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date, mtime)
            }
        }
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)"))
    }
}

final class FixCommentTests: XCTestCase {
    /// Comments inside a rewritten call are kept after the new call; a `//` one becomes `/* */`.
    func testCommentsInsideARewrittenCallAreKept() throws {
        let dir = try ScratchFolder("comments")
        let path = try dir.write("c.c", """
            #include <Python.h>
            static PyObject *f(PyObject *self, PyObject *o) {
                const void *p; Py_ssize_t n;
                if (PyObject_AsReadBuffer(o /* the object */, &p, // its pointer
                                          &n) < 0) return NULL;
                return PyLong_FromSsize_t(n);
            }

            """)
        let report = try dir.lint([path]) { $0.planFixes = true; $0.keepFixEdits = true; $0.cacheDirectory = nil }
        let plan = try XCTUnwrap(report.fixPlans.first)
        let fixed = try XCTUnwrap(FileFixer.outcome(for: plan, unsafe: false).newContents)
        XCTAssertEqual(SourceText.decode(fixed), """
            #include <Python.h>
            static PyObject *f(PyObject *self, PyObject *o) {
                Py_buffer view = {NULL, NULL};
                const void *p; Py_ssize_t n;
                if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) /* the object */ /* its pointer */ < 0) return NULL;
                p = (const void *)view.buf;
                n = view.len;
                PyBuffer_Release(&view); return PyLong_FromSsize_t(n);
            }

            """)
    }
}
