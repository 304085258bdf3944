import BufferLintKit
import Foundation
import XCTest

/// The strategies beyond a plain scoped view, the escape analysis that picks them, and the
/// mistakes real migrations shipped (wrong flags, dropped lengths, releases of failed views).
final class FixStrategyTests: XCTestCase {
    func source(_ prelude: String, params: String = "PyObject *obj", _ body: String) -> String {
        """
        #include <Python.h>
        \(prelude)
        static PyObject *f(\(params))
        {
            const char *s;
            Py_ssize_t n;
            if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
                return NULL;
            \(body)
        }

        """
    }

    // MARK: - Escape analysis

    func testEveryFixNamesTheEscapeThatDecidedItsStrategyInJSONAndText() throws {
        let dir = try ScratchFolder("fixescape")
        let cases: [(String, String, String, String, Int)] = [
            ("", "PyObject *obj", "return PyLong_FromLong(n ? s[0] : 0);", "none", 7),
            ("", "PyObject *obj, const char **out", "*out = s; return Py_None;", "out-param", 9),
            ("struct h { const char *data; }; static struct h keep;", "PyObject *obj", "keep.data = s; Py_RETURN_NONE;", "struct-field", 9),
            ("static const char *last;", "PyObject *obj", "last = s; Py_RETURN_NONE;", "global", 9),
            ("", "PyObject *obj", "return (PyObject *)s;", "returned", 9),
            ("void remember(const char *p);", "PyObject *obj", "remember(s); Py_RETURN_NONE;", "callee", 9),
            // A local copy is followed: its own escape is the pointer's.
            ("static const char *last;", "PyObject *obj", "const char *t = s + 1;\n    last = t; Py_RETURN_NONE;", "global", 10),
        ]
        for (k, (prelude, params, body, kind, line)) in cases.enumerated() {
            let (plan, report) = try plan("e\(k).c", source(prelude, params: params, body), in: dir)
            let fix = try XCTUnwrap(plan.fixes.first, body)
            XCTAssertEqual(fix.escape?.kind, kind, body)
            XCTAssertEqual(fix.escape?.line, line, body)
            XCTAssertEqual(fix.strategy, kind == "none" ? .scoped : .compat, body)
            if kind != "none" { XCTAssertTrue(fix.reason.contains("outlive the view"), fix.reason) }
            let json = JSONReporter().render(report, context: ReportContext(toolVersion: "t", rules: [], colour: false))
            XCTAssertTrue(json.contains("\"escape\": {\n") || json.contains("\"escape\":{"), json)
            XCTAssertTrue(json.contains("\"kind\": \"\(kind)\"") || json.contains("\"kind\":\"\(kind)\""), json)
            let text = TextReporter().render(report, context: ReportContext(toolVersion: "t", rules: [], colour: false))
            XCTAssertTrue(text.contains("[escape: \(kind), line \(line)]"), text)
        }
    }

    func testUsesWithoutTheGILAreNoEscapeButTheReasonSaysTheViewKeepsTheMemory() throws {
        let dir = try ScratchFolder("fixthreads")
        let body = """
        long sum = 0; Py_ssize_t i;
            Py_BEGIN_ALLOW_THREADS
            for (i = 0; i < n; i++) sum += s[i];
            Py_END_ALLOW_THREADS
            return PyLong_FromLong(sum);
        """
        let (plan, _) = try plan("t.c", source("", body), in: dir)
        let fix = try XCTUnwrap(plan.fixes.first)
        XCTAssertEqual(fix.strategy, .scoped)
        XCTAssertEqual(fix.escape?.kind, "none")
        XCTAssertTrue(fix.reason.contains("Py_BEGIN_ALLOW_THREADS") && fix.reason.contains("keeps the memory alive"), fix.reason)
        let (quiet, _) = try self.plan("u.c", source("", "return PyLong_FromLong(n);"), in: dir)
        XCTAssertFalse(quiet.fixes[0].reason.contains("Py_BEGIN_ALLOW_THREADS"))
    }

    // MARK: - The maintainers' bugs, never repeated

    func testFlagsComeFromTheReplacedFunctionNeverFromMemoryviewFlags() throws {
        let dir = try ScratchFolder("fixflags")
        for (function, pointer, flag) in [("PyObject_AsCharBuffer", "const char *", "PyBUF_SIMPLE"), ("PyObject_AsReadBuffer", "const void *", "PyBUF_SIMPLE"),
                                           ("PyObject_AsWriteBuffer", "void *", "PyBUF_WRITABLE")] {
            let src = """
            #include <Python.h>
            static PyObject *f(PyObject *obj)
            {
                \(pointer)p;
                Py_ssize_t n;
                if (\(function)(obj, &p, &n) < 0)
                    return NULL;
                return PyLong_FromSsize_t(n);
            }

            """
            let (plan, _) = try plan("f.c", src, in: dir)
            let out = fixed(plan)
            XCTAssertTrue(out.contains("PyObject_GetBuffer(obj, &view, \(flag))"), out)
            XCTAssertFalse(out.contains("PyBUF_READ") || out.contains("PyBUF_WRITE)") || out.contains("PyBUF_WRITE,"), out)
        }
    }

    func testEveryOutParameterIsAssignedWithItsOwnTypeAndTheExporterIsTheOldOne() throws {
        let dir = try ScratchFolder("fixout")
        let src = """
        #include <Python.h>
        typedef unsigned long DWORD;
        static PyObject *f(PyObject *args)
        {
            unsigned char *p;
            int n;
            DWORD size;
            const void *q;
            if (PyObject_AsWriteBuffer(PyTuple_GET_ITEM(args, 0), (void **)&p, &n) < 0)
                return NULL;
            if (PyObject_AsReadBuffer(PyTuple_GET_ITEM(args, 1), &q, &size) < 0)
                return NULL;
            return PyLong_FromLong(n + (long)size + p[0]);
        }

        """
        let (plan, _) = try plan("o.c", src, in: dir)
        let out = fixed(plan)
        // The cast on `(void **)&p` does not matter: `p` is assigned with its own type, the length with its own.
        XCTAssertTrue(out.contains("PyObject_GetBuffer(PyTuple_GET_ITEM(args, 0), &view, PyBUF_WRITABLE)"), out)
        XCTAssertTrue(out.contains("p = (unsigned char *)view.buf;\n    n = (int)view.len;"), out)
        XCTAssertTrue(out.contains("PyObject_GetBuffer(PyTuple_GET_ITEM(args, 1), &view_1, PyBUF_SIMPLE)"), out)
        XCTAssertTrue(out.contains("q = (const void *)view_1.buf;\n    size = (DWORD)view_1.len;"), out)

        let src2 = """
        #include <Python.h>
        static PyObject *g(PyObject *obj)
        {
            unsigned char *p;
            int n;
            if (PyObject_AsWriteBuffer(obj, &p, &n) < 0)
                return NULL;
            p[0] = 1;
            return PyLong_FromLong(n);
        }

        """
        let (plan2, _) = try self.plan("o2.c", src2, in: dir)
        let out2 = fixed(plan2)
        XCTAssertTrue(out2.contains("p = (unsigned char *)view.buf;\n    n = (int)view.len;"), out2)
    }

    func testAFailedAcquisitionIsNeverReleasedAndEveryResultIsChecked() throws {
        let dir = try ScratchFolder("fixfail")
        let src = """
        #include <Python.h>
        static PyObject *f(PyObject *obj)
        {
            void *p;
            Py_ssize_t n;
            int rc;
            rc = PyObject_AsWriteBuffer(obj, &p, &n);
            if (rc < 0)
                return NULL;
            return PyLong_FromSsize_t(n);
        }
        static PyObject *g(PyObject *obj)
        {
            const void *p;
            Py_ssize_t n;
            if (PyObject_AsReadBuffer(obj, &p, &n) == -1) {
                PyErr_SetString(PyExc_TypeError, "g needs bytes");
                return NULL;
            }
            return PyLong_FromSsize_t(n);
        }

        """
        let (plan, _) = try plan("r.c", src, in: dir)
        let out = fixed(plan)
        // The stored result is tested before the view is read; the old TypeError is raised again.
        XCTAssertTrue(out.contains("rc = PyObject_GetBuffer(obj, &view, PyBUF_WRITABLE);\n    if (rc == 0) { p = (void *)view.buf; n = view.len; } else { PyErr_SetString(PyExc_TypeError, \"expected a writable bytes-like object\"); }"), out)
        // The failure branch of `g` has no release: the view was never acquired.
        XCTAssertTrue(out.contains("""
            if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) == -1) {
                PyErr_SetString(PyExc_TypeError, "g needs bytes");
                return NULL;
            }
        """), out)
        // In `f` the release on the failure path is of a view initialised to {NULL, NULL}: harmless.
        XCTAssertTrue(out.contains("Py_buffer view = {NULL, NULL};"), out)
        // Every acquisition's result is tested.
        for line in out.split(separator: "\n") where line.contains("PyObject_GetBuffer(") {
            XCTAssertTrue(line.contains("if (") || line.contains("rc = "), String(line))
        }
    }

    func testACombinedConditionReleasesTheFirstViewWhenTheSecondAcquisitionFails() throws {
        let dir = try ScratchFolder("fixcombined")
        let src = """
        #include <Python.h>
        static PyObject *f(PyObject *a, PyObject *b)
        {
            const void *pa, *pb;
            Py_ssize_t na, nb;
            if (PyObject_AsReadBuffer(a, &pa, &na) == -1 || PyObject_AsReadBuffer(b, &pb, &nb) == -1)
                return NULL;
            return PyLong_FromSsize_t(na + nb);
        }

        """
        let (plan, _) = try plan("c.c", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.scoped, .scoped])
        let out = fixed(plan)
        XCTAssertTrue(out.contains("""
            if (PyObject_GetBuffer(a, &view, PyBUF_SIMPLE) == -1 || PyObject_GetBuffer(b, &view_1, PyBUF_SIMPLE) == -1)
                { PyBuffer_Release(&view); return NULL; }
            pa = (const void *)view.buf;
            na = view.len;
            pb = (const void *)view_1.buf;
            nb = view_1.len;
            PyBuffer_Release(&view_1); PyBuffer_Release(&view); return PyLong_FromSsize_t(na + nb);
        """), out)
    }

    // MARK: - Paired check

    func testACheckFollowedByAnAcquisitionOfTheSameObjectBecomesOneView() throws {
        let dir = try ScratchFolder("fixpaired")
        let src = """
        #include <Python.h>
        static PyObject *f(PyObject *obj)
        {
            const char *s;
            Py_ssize_t n;
            if (!PyObject_CheckReadBuffer(obj)) {
                PyErr_SetString(PyExc_TypeError, "f wants a buffer");
                return NULL;
            }
            if (n = 0, PyTuple_Check(obj))
                return NULL;
            if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
                return NULL;
            return PyLong_FromSsize_t(n);
        }

        """
        let (plan, _) = try plan("p.c", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.scoped, .scoped])
        XCTAssertTrue(plan.fixes[0].reason.contains("paired with"), plan.fixes[0].reason)
        let out = fixed(plan)
        XCTAssertEqual(out.components(separatedBy: "PyObject_GetBuffer(").count, 2, out)
        XCTAssertTrue(out.contains("""
            if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) { PyErr_Clear();
                PyErr_SetString(PyExc_TypeError, "f wants a buffer");
                return NULL;
            }
            if (n = 0, PyTuple_Check(obj))
                { PyBuffer_Release(&view); return NULL; }
            s = (const char *)view.buf;
            n = view.len;
            PyBuffer_Release(&view); return PyLong_FromSsize_t(n);
        """), out)
    }

    func testAWriteAcquisitionIsNotPairedWithAReadCheck() throws {
        let dir = try ScratchFolder("fixpaired")
        let src = """
        #include <Python.h>
        static PyObject *f(PyObject *obj)
        {
            void *p;
            Py_ssize_t n;
            if (!PyObject_CheckReadBuffer(obj))
                return NULL;
            if (PyObject_AsWriteBuffer(obj, &p, &n) < 0)
                return NULL;
            return PyLong_FromSsize_t(n);
        }

        """
        let (plan, _) = try plan("w.c", src, in: dir)
        let out = fixed(plan)
        // A read-only exporter passes the check and fails the write: the flags differ, so two calls stay.
        XCTAssertTrue(out.contains("if (!bufferlint_CheckReadBuffer(obj))"), out)
        XCTAssertTrue(out.contains("PyObject_GetBuffer(obj, &view, PyBUF_WRITABLE)"), out)
    }

    // MARK: - C++ guard

    func testCPlusPlusUsesTheGuardEvenWithExceptionsAndIncludesItOnce() throws {
        let dir = try ScratchFolder("fixguard")
        let src = """
        #include <Python.h>
        #include <stdexcept>
        static void validate(char c) { if (c == '!') throw std::runtime_error("bang"); }
        static PyObject *f(PyObject *obj)
        {
            const char *s;
            Py_ssize_t n;
            try {
                if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
                    return NULL;
                validate(n ? s[0] : 0);
                return PyLong_FromSsize_t(n);
            } catch (const std::exception &e) {
                PyErr_SetString(PyExc_ValueError, e.what());
                return NULL;
            }
        }
        static PyObject *g(PyObject *obj)
        {
            const void *p;
            Py_ssize_t n;
            if (PyObject_AsReadBuffer(obj, &p, &n) < 0)
                return NULL;
            return PyLong_FromSsize_t(n);
        }

        """
        let (plan, _) = try plan("g.cpp", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.scoped, .scoped])
        XCTAssertTrue(plan.fixes[0].reason.contains("bufferlint::BufferView"), plan.fixes[0].reason)
        XCTAssertEqual(Set(plan.fixes[0].supportFiles.map(\.name)), ["bufferlint_view.hpp", "bufferlint_compat.h"])
        let out = fixed(plan)
        XCTAssertEqual(out.components(separatedBy: "#include \"bufferlint_view.hpp\"").count, 2, out)
        XCTAssertFalse(out.contains("PyBuffer_Release"), out)
        XCTAssertTrue(out.contains("""
            bufferlint::BufferView view;
            const char *s;
            Py_ssize_t n;
            try {
                if (view.acquire(obj, PyBUF_SIMPLE) < 0)
                    return NULL;
                s = (const char *)view.buf();
                n = view.len();
        """), out)
    }

    func testLongjmpStillRefusesTheGuard() throws {
        let dir = try ScratchFolder("fixguard")
        let src = """
        #include <Python.h>
        #include <setjmp.h>
        static jmp_buf env;
        static PyObject *f(PyObject *obj)
        {
            const char *s;
            Py_ssize_t n;
            if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
                return NULL;
            if (n == 0) longjmp(env, 1);
            return PyLong_FromSsize_t(n);
        }

        """
        let (plan, _) = try plan("j.cpp", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(plan.fixes[0].reason.contains("longjmp"), plan.fixes[0].reason)
    }

    // MARK: - Arrays of views

    func testALoopFillingAnArrayGetsAnArrayOfViewsReleasedUpToTheCounterOnEveryExit() throws {
        let dir = try ScratchFolder("fixarray")
        let src = """
        #include <Python.h>
        static PyObject *f(PyObject *args)
        {
            const char *blocks[8];
            Py_ssize_t i, n;
            for (i = 0; i < PyTuple_GET_SIZE(args); i++) {
                if (PyObject_AsReadBuffer(PyTuple_GET_ITEM(args, i), (const void **)&blocks[i], &n) < 0)
                    return NULL;
            }
            return PyLong_FromLong(blocks[0][0]);
        }

        """
        let (plan, _) = try plan("a.c", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.scoped])
        let out = fixed(plan)
        XCTAssertTrue(out.contains("Py_buffer blocks_views[sizeof(blocks) / sizeof((blocks)[0])];"), out)
        XCTAssertTrue(out.contains("""
                if (PyObject_GetBuffer(PyTuple_GET_ITEM(args, i), &blocks_views[blocks_nviews], PyBUF_SIMPLE) < 0)
                    { while (blocks_nviews > 0) PyBuffer_Release(&blocks_views[--blocks_nviews]); return NULL; }
                blocks[i] = blocks_views[blocks_nviews].buf;
                n = blocks_views[blocks_nviews].len;
                blocks_nviews++;
        """), out)
        XCTAssertTrue(out.contains("{ PyObject *result = PyLong_FromLong(blocks[0][0]); while (blocks_nviews > 0) PyBuffer_Release(&blocks_views[--blocks_nviews]); return result; }"), out)
        // A loop whose counter is changed in the body, or an array from a parameter, stays compat.
        let changed = src.replacingOccurrences(of: "&n) < 0)", with: "&n) < 0 || (i += 0))")
        XCTAssertNotEqual(changed, src)
        let (plan2, _) = try self.plan("b.c", changed, in: dir)
        XCTAssertEqual(plan2.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(plan2.fixes[0].reason.contains("changes `i`"), plan2.fixes[0].reason)
    }

    func testACGotoBackAboveTheLoopRefusesTheCountedArray() throws {
        let dir = try ScratchFolder("fixarray")
        let src = """
        #include <Python.h>
        static PyObject *f(PyObject *args)
        {
            const char *blocks[8];
            Py_ssize_t i, n;
            int again = 1;
        top:
            for (i = 0; i < PyTuple_GET_SIZE(args); i++) {
                if (PyObject_AsReadBuffer(PyTuple_GET_ITEM(args, i), (const void **)&blocks[i], &n) < 0)
                    return NULL;
            }
            if (again--) goto top;
            return PyLong_FromLong(blocks[0][0]);
        }

        """
        let (plan, _) = try plan("c.c", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(plan.fixes[0].reason.contains("a goto jumps back above the loop"), plan.fixes[0].reason)
        // In C++ each guard is released before it is acquired again: the same loop gets guards.
        let (plan2, _) = try self.plan("c.cpp", src, in: dir)
        XCTAssertEqual(plan2.fixes.map(\.strategy), [.scoped], plan2.fixes.map(\.reason).joined())
    }

    // MARK: - Arrays of views in C++

    static let guardArraySource = """
    #include <Python.h>
    #include <stdexcept>
    static void check(int first) { if (first == '!') throw std::runtime_error("bang"); }
    void keep(const unsigned char *p);
    static PyObject *f(PyObject *args)
    {
        const unsigned char *blocks[4];
        Py_ssize_t i;
        int n;
        long total = 0;
        if (PyTuple_GET_SIZE(args) > 4) return NULL;
        try {
            for (i = 0; i < PyTuple_GET_SIZE(args); i++) {
                if (PyObject_AsWriteBuffer(PyTuple_GET_ITEM(args, i), (void **)&blocks[i], (Py_ssize_t *)&n) < 0)
                    return NULL;
                check(n > 0 ? blocks[i][0] : 0);
            }
        } catch (const std::exception &e) {
            PyErr_SetString(PyExc_ValueError, e.what());
            return NULL;
        }
        for (i = 0; i < PyTuple_GET_SIZE(args); i++) total += blocks[i][0];
        return PyLong_FromLong(total);
    }
    static PyObject *g(PyObject *seq)
    {
        PyObject *fast = PySequence_Fast(seq, "a sequence");
        PyObject *result = NULL;
        const char **ptrs = NULL;
        Py_ssize_t k, count, len;
        if (fast == NULL)
            return NULL;
        count = PySequence_Fast_GET_SIZE(fast);
        ptrs = PyMem_New(const char *, count > 0 ? count : 1);
        if (ptrs == NULL)
            goto done;
        for (k = 0; k < count; k++) {
            PyObject *err = NULL;
            if (PyObject_AsCharBuffer(PySequence_Fast_GET_ITEM(fast, k), &ptrs[k], &len))
                goto done;
        }
        result = PyLong_FromLong(count > 0 ? ptrs[0][0] : 0);
    done:
        PyMem_Free(ptrs);
        Py_DECREF(fast);
        return result;
    }

    """

    func testACPlusPlusLoopFillingAnArrayGetsAnArrayOfGuards() throws {
        let dir = try ScratchFolder("fixguardarray")
        let (plan, _) = try plan("a.cpp", FixStrategyTests.guardArraySource, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.scoped, .scoped])
        XCTAssertEqual(plan.fixes.map(\.safety), [.safe, .safe])
        XCTAssertTrue(plan.fixes[0].reason.contains("an array of guards"), plan.fixes[0].reason)
        let out = fixed(plan)
        XCTAssertFalse(out.contains("PyBuffer_Release"), out)
        XCTAssertFalse(out.contains("nviews"), out)
        // A local array: guards of the same size beside it; the flag, the old TypeError, the exporter
        // as written, the pointer with its element type and the length with its own type.
        XCTAssertTrue(out.contains("""
            const unsigned char *blocks[4];
            bufferlint::BufferView blocks_views[sizeof(blocks) / sizeof((blocks)[0])];
            Py_ssize_t i;
        """), out)
        XCTAssertTrue(out.contains("""
                    if ((blocks_views[i].acquire(PyTuple_GET_ITEM(args, i), PyBUF_WRITABLE) < 0 ? (PyErr_SetString(PyExc_TypeError, "expected a writable bytes-like object"), -1) : 0) < 0)
                        return NULL;
                    blocks[i] = (const unsigned char *)blocks_views[i].buf();
                    n = (int)blocks_views[i].len();
                    check(n > 0 ? blocks[i][0] : 0);
        """), out)
        // Allocated memory: a BufferViews declared at the top, allocated before the loop with its
        // bound; a failed allocation takes the call's own failure exit.
        XCTAssertTrue(out.contains("{\n    bufferlint::BufferViews ptrs_views;\n    PyObject *fast"), out)
        XCTAssertTrue(out.contains("""
            if (ptrs_views.allocate(count) < 0)
                goto done;
            for (k = 0; k < count; k++) {
                PyObject *err = NULL;
                if (ptrs_views[k].acquire(PySequence_Fast_GET_ITEM(fast, k), PyBUF_SIMPLE))
                    goto done;
                ptrs[k] = (const char *)ptrs_views[k].buf();
                len = ptrs_views[k].len();
        """), out)
    }

    func testACPlusPlusArrayOfGuardsIsRefusedWhereItWouldBeWrong() throws {
        let dir = try ScratchFolder("fixguardarray")
        let src = FixStrategyTests.guardArraySource
        func refusal(_ name: String, _ from: String, _ to: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let changed = src.replacingOccurrences(of: from, with: to)
            XCTAssertNotEqual(changed, src, file: file, line: line)
            let (plan, _) = try self.plan(name, changed, in: dir)
            let compat = plan.fixes.filter { $0.strategy == .compat }
            XCTAssertEqual(compat.count, 1, plan.fixes.map(\.reason).joined(separator: "\n"), file: file, line: line)
            XCTAssertTrue(compat.first?.reason.contains(reason) == true, compat.first?.reason ?? "", file: file, line: line)
        }
        // A variable-length array (a g++ extension) has no size to declare guards with.
        try refusal("vla.cpp", "const unsigned char *blocks[4];", "Py_ssize_t size = PyTuple_GET_SIZE(args); const unsigned char *blocks[size];",
                    "`blocks` is not an array of constant size")
        // An element of the array is a pointer into a buffer, followed like one.
        try refusal("keep.cpp", "check(n > 0 ? blocks[i][0] : 0);", "keep(blocks[i]);", "the pointer `blocks` is passed to `keep`")
        // The guards would be constructed after the array: C++ does not compile a goto over them.
        let jump = """
        #include <Python.h>
        static PyObject *h(PyObject *args)
        {
            if (PyTuple_GET_SIZE(args) > 4) goto out;
            const char *blocks[4];
            Py_ssize_t i, n;
            for (i = 0; i < PyTuple_GET_SIZE(args); i++) {
                if (PyObject_AsCharBuffer(PyTuple_GET_ITEM(args, i), &blocks[i], &n) < 0)
                    return NULL;
            }
            return PyLong_FromLong(PyTuple_GET_SIZE(args) > 0 ? blocks[0][0] : 0);
        out:
            return NULL;
        }

        """
        let (plan, _) = try self.plan("jump.cpp", jump, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(plan.fixes[0].reason.contains("a goto jumps over the declaration of `blocks`"), plan.fixes[0].reason)
        let (plan2, _) = try self.plan("nojump.cpp", jump.replacingOccurrences(of: "goto out", with: "return NULL"), in: dir)
        XCTAssertEqual(plan2.fixes.map(\.strategy), [.scoped])
        // Nothing can be allocated before a loop that is the body of an unbraced `if`.
        try refusal("if.cpp", "    for (k = 0; k < count; k++) {", "    if (count > 0) for (k = 0; k < count; k++) {", "the loop is not a statement of a block")
        // The failure branch must be one exit the allocation can take too.
        try refusal("exit.cpp", "&ptrs[k], &len))\n            goto done;", "&ptrs[k], &len)) {\n            PyErr_Clear();\n            goto done;\n        }",
                    "the failure branch of the call in the loop is more than one `goto` or `return`")
        // The allocation before the loop cannot take an exit that names what the loop declares.
        try refusal("scope.cpp", "&ptrs[k], &len))\n            goto done;", "&ptrs[k], &len))\n            return err;", "names `err`, declared in the loop")
        // Not pointers: no cast from void * is known.
        try refusal("elem.cpp", "const unsigned char *blocks[4];", "typedef const unsigned char *bytes_t;\n    bytes_t blocks[4];", "the elements of `blocks` are not plain pointers")
    }

    func testPassingThePointerToAFunctionGivesAnUnsafeScopedAlternativeNamingTheCallee() throws {
        let dir = try ScratchFolder("fixtrust")
        let src = """
        #include <Python.h>
        long digest(const char *p, Py_ssize_t n);
        static PyObject *f(PyObject *obj)
        {
            const char *s;
            Py_ssize_t n;
            if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
                return NULL;
            return PyLong_FromLong(digest(s, n));
        }

        """
        let (plan, _) = try plan("t.c", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat, .scoped])
        XCTAssertEqual(plan.fixes.map(\.safety), [.safe, .unsafe])
        XCTAssertEqual(plan.fixes[1].escape?.kind, "callee")
        XCTAssertTrue(plan.fixes[1].reason.contains("`digest` (line 9)"), plan.fixes[1].reason)
        XCTAssertTrue(fixed(plan).contains("bufferlint_AsCharBuffer(obj, &s, &n)"))
        XCTAssertTrue(fixed(plan, unsafe: true).contains("{ PyObject *result = PyLong_FromLong(digest(s, n)); PyBuffer_Release(&view); return result; }"), fixed(plan, unsafe: true))
    }

    // MARK: - Held views

    static let heldSource = """
    #include <Python.h>
    typedef struct {
        PyObject_HEAD
        const char *data;
    } Box;
    static void Box_dealloc(Box *self)
    {
        Py_TYPE(self)->tp_free((PyObject *)self);
    }
    static int Box_set(Box *self, PyObject *obj)
    {
        const char *s;
        Py_ssize_t n;
        if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
            return -1;
        self->data = s;
        return 0;
    }

    """

    func testAPointerKeptInAFieldGetsAHeldViewOnlyAsAnUnsafeFix() throws {
        let dir = try ScratchFolder("fixheld")
        let (plan, _) = try plan("h.c", FixStrategyTests.heldSource, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat, .scoped])
        XCTAssertEqual(plan.fixes.map(\.safety), [.safe, .unsafe])
        XCTAssertEqual(plan.fixes.map { $0.escape?.kind }, ["struct-field", "struct-field"])
        XCTAssertTrue(plan.fixes[1].reason.contains("held view"), plan.fixes[1].reason)
        let out = fixed(plan, unsafe: true)
        XCTAssertTrue(out.contains("    const char *data;\n    Py_buffer data_view; /* keeps `data` valid */\n} Box;"), out)
        XCTAssertTrue(out.contains("{\n    PyBuffer_Release(&self->data_view);\n    Py_TYPE(self)->tp_free"), out)
        XCTAssertTrue(out.contains("""
            s = (const char *)view.buf;
            n = view.len;
            PyBuffer_Release(&self->data_view); self->data_view = view; view.obj = NULL;
            self->data = s;
            PyBuffer_Release(&view); return 0;
        """), out)
        // Without a deallocator in the file there is nowhere to release: compat only, the reason says why.
        let (plan2, _) = try self.plan("i.c", FixStrategyTests.heldSource.replacingOccurrences(of: "Box_dealloc", with: "Box_free"), in: dir)
        XCTAssertEqual(plan2.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(plan2.fixes[0].reason.contains("stored in the field `data`"), plan2.fixes[0].reason)
    }

    static let heldCxxSource = """
    #include <Python.h>
    #include <stdexcept>
    namespace ns {
    struct Box {
        PyObject_HEAD
        const char *data;
        int len;
    };
    static void Box_dealloc(Box *self)
    {
        Py_TYPE(self)->tp_free(reinterpret_cast<PyObject *>(self));
    }
    static void check(char c) { if (c == '!') throw std::runtime_error("bang"); }
    static int Box_set(Box *self, PyObject *obj)
    {
        const char *s;
        Py_ssize_t n;
        if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
            return -1;
        check(n > 0 ? s[0] : 0);
        self->data = s;
        self->len = (int)n;
        return 0;
    }
    }

    """

    func testACPlusPlusPointerKeptInAFieldGetsAGuardThatHandsItsViewOver() throws {
        let dir = try ScratchFolder("fixheldcpp")
        let (plan, _) = try plan("h.cpp", FixStrategyTests.heldCxxSource, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat, .scoped])
        XCTAssertEqual(plan.fixes.map(\.safety), [.safe, .unsafe])
        XCTAssertEqual(plan.fixes.map { $0.escape?.kind }, ["struct-field", "struct-field"])
        XCTAssertTrue(plan.fixes[1].reason.contains("held view (unsafe)") && plan.fixes[1].reason.contains("move_to"), plan.fixes[1].reason)
        XCTAssertTrue(fixed(plan).contains("if (bufferlint_AsCharBuffer(obj, &s, &n) < 0)"))
        let out = fixed(plan, unsafe: true)
        XCTAssertTrue(out.contains("    int len;\n    Py_buffer data_view; /* keeps `data` valid */\n};"), out)
        XCTAssertTrue(out.contains("{\n    PyBuffer_Release(&self->data_view);\n    Py_TYPE(self)->tp_free"), out)
        XCTAssertTrue(out.contains("""
            bufferlint::BufferView view;
            const char *s;
            Py_ssize_t n;
            if (view.acquire(obj, PyBUF_SIMPLE) < 0)
                return -1;
            s = (const char *)view.buf();
            n = view.len();
            check(n > 0 ? s[0] : 0);
            view.move_to(&self->data_view);
            self->data = s;
        """), out)
        // The guard releases on the other exits: no PyBuffer_Release is written there.
        XCTAssertEqual(out.components(separatedBy: "PyBuffer_Release").count, 2, out)
    }

    func testACPlusPlusHeldViewIsRefusedWhereItWouldBeWrong() throws {
        let dir = try ScratchFolder("fixheldcpp")
        let src = FixStrategyTests.heldCxxSource
        func refusal(_ name: String, _ from: String, _ to: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let changed = src.replacingOccurrences(of: from, with: to)
            XCTAssertNotEqual(changed, src, file: file, line: line)
            let (plan, _) = try self.plan(name, changed, in: dir)
            XCTAssertEqual(plan.fixes.map(\.strategy), [.compat], file: file, line: line)
            XCTAssertTrue(plan.fixes.first?.reason.contains(reason) == true, plan.fixes.first?.reason ?? "", file: file, line: line)
        }
        // Stored twice after one acquisition: the second hand-over would release the view the field keeps.
        try refusal("loop.cpp", "    self->data = s;\n", "    for (int k = 0; k < 2; k++) {\n        self->data = s;\n    }\n", "stored in a loop, so the view could be handed over twice")
        try refusal("back.cpp", "    self->data = s;\n    self->len = (int)n;\n",
                    "    int twice = 1;\nagain:\n    self->len = (int)n;\n    self->data = s;\n    if (twice--) goto again;\n", "a goto jumps back above the store")
        // Nowhere to release it.
        try refusal("free.cpp", "Box_dealloc", "Box_free", "no deallocator taking a `Box *`")
        // Two `Box` types in two namespaces: which one the field goes to is not known.
        try refusal("two.cpp", "namespace ns {\nstruct Box {", "namespace other { struct Box { int x; }; }\nnamespace ns {\nstruct Box {", "`Box` is defined more than once")
        // A member function stores through `this`, not a parameter.
        try refusal("this.cpp", "static int Box_set(Box *self, PyObject *obj)\n{", "struct Setter : Box { int set(PyObject *obj); };\nint Setter::set(PyObject *obj)\n{\n    Setter *self = this;", "no held view: the field is not `parameter->field`")
    }

    // MARK: - Wrappers

    static let wrapperSource = """
    #include <Python.h>
    static int as_buf(PyObject *o, const void **b, Py_ssize_t *n);
    static int as_buf(PyObject *o, const void **b, Py_ssize_t *n)
    {
        return PyObject_AsReadBuffer(o, b, n);
    }
    static PyObject *one(PyObject *obj)
    {
        const void *p;
        Py_ssize_t n;
        if (as_buf(obj, &p, &n) < 0)
            return NULL;
        return PyLong_FromSsize_t(n);
    }
    static PyObject *two(PyObject *obj)
    {
        const void *p;
        Py_ssize_t n;
        if (as_buf(obj, &p, &n) < 0)
            return NULL;
        return PyLong_FromLong(((const char *)p)[0]);
    }

    """

    func testAWrapperGetsACallerOwnedViewWhenEveryCallerCanOwnIt() throws {
        let dir = try ScratchFolder("fixwrapper")
        let (plan, _) = try plan("w.c", FixStrategyTests.wrapperSource, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat, .scoped])
        XCTAssertEqual(plan.fixes[1].safety, .unsafe)
        XCTAssertEqual(plan.fixes.map { $0.escape?.kind }, ["out-param", "out-param"])
        let out = fixed(plan, unsafe: true)
        XCTAssertTrue(out.contains("static int as_buf(PyObject *o, const void **b, Py_ssize_t *n, Py_buffer *view);"), out)
        XCTAssertTrue(out.contains("{ if (PyObject_GetBuffer(o, view, PyBUF_SIMPLE) < 0) return -1; *b = (const void *)view->buf; *n = view->len; return 0; }"), out)
        XCTAssertEqual(out.components(separatedBy: "if (as_buf(obj, &p, &n, &view) < 0)\n        return NULL;").count, 3, out)
        XCTAssertEqual(out.components(separatedBy: "PyBuffer_Release(&view);").count, 3, out)
        // A caller that keeps the pointer: no caller-owned view at all, the wrapper stays compat.
        let keeping = FixStrategyTests.wrapperSource.replacingOccurrences(of: "return PyLong_FromLong(((const char *)p)[0]);", with: "return (PyObject *)p;")
        let (plan2, _) = try self.plan("x.c", keeping, in: dir)
        XCTAssertEqual(plan2.fixes.map(\.strategy), [.compat])
    }

    static let cxxWrapperSource = """
    #include <Python.h>
    #include <stdexcept>
    #include <string.h>
    static void require_no_bang(char c) { if (c == '!') throw std::runtime_error("no bang please"); }
    static int as_wbuf(PyObject *o, void **b, Py_ssize_t *n);
    static int as_wbuf(PyObject *o, void **b, Py_ssize_t *n)
    {
        return PyObject_AsWriteBuffer(o, b, n);
    }
    static PyObject *zero(PyObject *obj)
    {
        void *p;
        Py_ssize_t n;
        if (as_wbuf(obj, &p, &n) < 0)
            return NULL;
        if (n == 0)
            Py_RETURN_NONE;
        memset(p, 0, (size_t)n);
        return PyLong_FromSsize_t(n);
    }
    static PyObject *first(PyObject *obj)
    {
        void *p;
        Py_ssize_t n;
        try {
            if (as_wbuf(obj, &p, &n) < 0)
                return NULL;
            require_no_bang(n > 0 ? ((const char *)p)[0] : 0);
            return PyLong_FromLong(n > 0 ? ((const unsigned char *)p)[0] : -1);
        } catch (const std::exception &e) {
            PyErr_SetString(PyExc_ValueError, e.what());
            return NULL;
        }
    }

    """

    func testACPlusPlusWrapperTakesTheCallersGuardByReference() throws {
        let dir = try ScratchFolder("fixwrappercpp")
        let (plan, _) = try plan("w.cpp", FixStrategyTests.cxxWrapperSource, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat, .scoped])
        XCTAssertEqual(plan.fixes.map(\.safety), [.safe, .unsafe])
        XCTAssertEqual(plan.fixes.map { $0.escape?.kind }, ["out-param", "out-param"])
        let unsafe = plan.fixes[1]
        XCTAssertTrue(unsafe.reason.hasPrefix("caller-owned view (unsafe): `as_wbuf` gains a last parameter `bufferlint::BufferView &view`"), unsafe.reason)
        XCTAssertTrue(unsafe.reason.contains("its callers (2 in this file, calls at lines 14, 26)"), unsafe.reason)
        XCTAssertEqual(Set(unsafe.supportFiles.map(\.name)), ["bufferlint_view.hpp", "bufferlint_compat.h"])
        let out = fixed(plan, unsafe: true)
        XCTAssertEqual(out.components(separatedBy: "#include \"bufferlint_view.hpp\"").count, 2, out)
        XCTAssertTrue(out.contains("static int as_wbuf(PyObject *o, void **b, Py_ssize_t *n, bufferlint::BufferView &view);\nstatic int as_wbuf(PyObject *o, void **b, Py_ssize_t *n, bufferlint::BufferView &view)\n"), out)
        // The flag of the replaced function, its TypeError again on failure, the out-parameters' own types.
        XCTAssertTrue(out.contains("{ if (view.acquire(o, PyBUF_WRITABLE) < 0) { PyErr_SetString(PyExc_TypeError, \"expected a writable bytes-like object\"); return -1; } *b = (void *)view.buf(); *n = view.len(); return 0; }"), out)
        // Each caller declares a guard at its top and passes it; no release is written anywhere.
        XCTAssertTrue(out.contains("static PyObject *zero(PyObject *obj)\n{\n    bufferlint::BufferView view;\n    void *p;"), out)
        XCTAssertTrue(out.contains("static PyObject *first(PyObject *obj)\n{\n    bufferlint::BufferView view;\n    void *p;"), out)
        XCTAssertEqual(out.components(separatedBy: "if (as_wbuf(obj, &p, &n, view) < 0)\n").count, 3, out)
        XCTAssertFalse(out.contains("PyBuffer_Release"), out)
        XCTAssertFalse(out.contains("PyObject_AsWriteBuffer"), out)
        // Without --unsafe-fixes the wrapper is compat and the callers stay as they are.
        let safe = fixed(plan)
        XCTAssertTrue(safe.contains("return bufferlint_AsWriteBuffer(o, b, n);") && safe.contains("if (as_wbuf(obj, &p, &n) < 0)"), safe)
        try compiles(out, as: "w.cpp", in: dir, supportFiles: unsafe.supportFiles)
    }

    func testACPlusPlusWrapperWhoseCallerTheGuardCannotServeStaysCompat() throws {
        let dir = try ScratchFolder("fixwrappercpp")
        func refused(_ name: String, _ changes: [(String, String)]) throws -> FilePlan {
            var src = FixStrategyTests.cxxWrapperSource
            for (old, new) in changes {
                XCTAssertTrue(src.contains(old), old)
                src = src.replacingOccurrences(of: old, with: new)
            }
            let (plan, _) = try self.plan(name, src, in: dir)
            XCTAssertEqual(plan.fixes.map(\.strategy), [.compat], name)
            return plan
        }
        // longjmp leaves a caller without running the guard's destructor.
        _ = try refused("jump.cpp", [("#include <string.h>\n", "#include <string.h>\n#include <setjmp.h>\nstatic jmp_buf env;\n"),
                                     ("        Py_RETURN_NONE;\n    memset", "        longjmp(env, 1);\n    memset")])
        // The pointer leaves a caller.
        _ = try refused("escape.cpp", [("return PyLong_FromSsize_t(n);", "return (PyObject *)p;")])
        // A default argument on the last parameter: no parameter can follow it.
        _ = try refused("default.cpp", [("static int as_wbuf(PyObject *o, void **b, Py_ssize_t *n);", "static int as_wbuf(PyObject *o, void **b, Py_ssize_t *n, int unused = 0);"),
                                        ("static int as_wbuf(PyObject *o, void **b, Py_ssize_t *n)\n", "static int as_wbuf(PyObject *o, void **b, Py_ssize_t *n, int unused)\n")])
    }

    // MARK: - SWIG (Cython: CythonFixTests.swift)

    func testASwigInTypemapGetsATypemapLocalAndAFreeargTypemap() throws {
        let dir = try ScratchFolder("fixswig")
        let src = """
        %module m
        %{
        #include <Python.h>
        %}
        %typemap(in) (const char *p, Py_ssize_t n) {
            const void *data;
            Py_ssize_t size;
            if (PyObject_AsReadBuffer($input, &data, &size) == -1)
                SWIG_fail;
            $1 = (const char *)data;
            $2 = size;
        }
        %typemap(in) (char *q, int m) {
            if (PyObject_AsWriteBuffer($input, (void **)&$1, &$2) < 0)
                SWIG_fail;
        }
        %typemap(freearg) (char *q, int m) { }

        """
        let (plan, _) = try plan("m.i", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.scoped, .compat])
        let out = fixed(plan)
        XCTAssertTrue(out.contains("%typemap(in) (const char *p, Py_ssize_t n) (Py_buffer view = {0}) {"), out)
        XCTAssertTrue(out.contains("if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) == -1)\n        SWIG_fail;\n    data = (const void *)view.buf;\n    size = view.len;"), out)
        XCTAssertTrue(out.contains("}\n%typemap(freearg) (const char *p, Py_ssize_t n) {\n    PyBuffer_Release(&view$argnum);\n}"), out)
        // A freearg typemap of the same pattern exists: no second one, compat with the reason.
        XCTAssertTrue(plan.fixes[1].reason.contains("exists already"), plan.fixes[1].reason)
    }

    // MARK: - Macro bodies

    func testACallInAMacroBodyWithContinuationLinesGetsCompatThereAndSaysSo() throws {
        let dir = try ScratchFolder("fixmacro")
        let src = """
        #include <Python.h>
        #define GET(o, p, n) \\
            PyObject_AsReadBuffer((o), \\
                                  (p), (n))
        static PyObject *f(PyObject *obj)
        {
            const void *p;
            Py_ssize_t n;
            if (GET(obj, &p, &n) < 0)
                return NULL;
            return PyLong_FromSsize_t(n);
        }

        """
        let (plan, _) = try plan("m.c", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(plan.fixes[0].reason.contains("body of the macro `GET`"), plan.fixes[0].reason)
        XCTAssertTrue(fixed(plan).contains("#define GET(o, p, n) \\\n    bufferlint_AsReadBuffer((o), \\\n"), fixed(plan))
    }
}
