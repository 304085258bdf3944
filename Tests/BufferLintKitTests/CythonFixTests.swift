import BufferLintKit
import Foundation
import XCTest

/// The Cython fixes: compat (safe) for every use, scoped views (unsafe) where the block shows
/// they are right, arrays of views in a loop, and what happens to the `cdef extern` declarations.
final class CythonFixTests: XCTestCase {
    /// Lints `paths` of the folder in one run, planning fixes.
    func run(_ dir: ScratchFolder, _ paths: [String]) throws -> Report {
        try dir.lint(paths) { $0.planFixes = true; $0.cacheDirectory = nil }
    }

    func plan(_ report: Report, _ name: String) throws -> FilePlan {
        try XCTUnwrap(report.fixPlans.first { $0.path.hasSuffix("/" + name) })
    }

    let header = """
    cdef extern from "Python.h":
        int PyObject_AsReadBuffer(object o, const void **b, Py_ssize_t *n) except -1
        int PyObject_AsWriteBuffer(object o, void **b, Py_ssize_t *n) except -1

    """

    // MARK: - The plain patterns

    func testPlainPatternGetsSafeCompatAndAnUnsafeScopedViewAndTheExternGoes() throws {
        let dir = try ScratchFolder("cyplain")
        let src = """
        cdef extern from "Python.h":
            int PyObject_AsReadBuffer(object o, const void **b, Py_ssize_t *n) except -1

        def f(obj):
            cdef const void *data
            cdef Py_ssize_t n
            if PyObject_AsReadBuffer(obj, &data, &n) < 0:
                raise TypeError("f needs a buffer")
            return (<const unsigned char *>data)[0] + n

        """
        let (plan, report) = try plan("c.pyx", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat, .scoped, .removeDeclaration])
        XCTAssertEqual(plan.fixes.map(\.safety), [.safe, .unsafe, .safe])
        XCTAssertEqual(fixed(plan), """
        cdef extern from "bufferlint_compat.h":
            int bufferlint_AsReadBuffer(object o, const void **b, Py_ssize_t *n) except -1

        def f(obj):
            cdef const void *data
            cdef Py_ssize_t n
            if bufferlint_AsReadBuffer(obj, &data, &n) < 0:
                raise TypeError("f needs a buffer")
            return (<const unsigned char *>data)[0] + n

        """)
        XCTAssertEqual(plan.fixes[0].supportFiles.map(\.name), ["bufferlint_compat.h"])
        XCTAssertEqual(fixed(plan, unsafe: true), """
        from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE

        def f(obj):
            cdef const void *data
            cdef Py_ssize_t n
            cdef Py_buffer view
            PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)
            try:
                data = <const void *>view.buf
                n = view.len
                return (<const unsigned char *>data)[0] + n
            finally:
                PyBuffer_Release(&view)

        """)
        // `check` shows the fix `fix` applies by default, and says what --unsafe-fixes would do.
        let call = try XCTUnwrap(report.findings.first { $0.rule == "BUF002" && $0.kind == .call })
        XCTAssertEqual(call.fix?.strategy, "compat")
        XCTAssertTrue(call.fix?.reason.contains("--unsafe-fixes") == true, call.fix?.reason ?? "")
        XCTAssertEqual(report.findings.first { $0.kind == .declaration }?.fix?.strategy, "remove-declaration")
    }

    func testAWriteCallRaisesTheOldTypeErrorAgainAndCdefStatementsMoveBeforeTheTry() throws {
        let dir = try ScratchFolder("cyhoist")
        let src = header + """
        def fill(obj, int value):
            cdef void *p
            cdef Py_ssize_t n
            PyObject_AsWriteBuffer(obj, &p, &n)
            cdef Py_ssize_t i
            cdef int done = 0
            for i in range(n):
                (<unsigned char *>p)[i] = value
            return done
        """
        let (plan, _) = try plan("w.pyx", src, in: dir)
        XCTAssertTrue(fixed(plan, unsafe: true).hasSuffix("""
        def fill(obj, int value):
            cdef void *p
            cdef Py_ssize_t n
            cdef Py_buffer view
            cdef Py_ssize_t i
            cdef int done
            try:
                PyObject_GetBuffer(obj, &view, PyBUF_WRITABLE)
            except Exception:
                raise TypeError("expected a writable bytes-like object") from None
            try:
                p = <void *>view.buf
                n = view.len
                done = 0
                for i in range(n):
                    (<unsigned char *>p)[i] = value
                return done
            finally:
                PyBuffer_Release(&view)
        """), fixed(plan, unsafe: true))
        XCTAssertTrue(plan.fixes.first { $0.strategy == .scoped }?.reason.contains("move before it") == true)
    }

    // MARK: - Compat

    func testCompatKeepsTheProjectsSignatureAndExceptClauseSoCastsStillTypeCheck() throws {
        let dir = try ScratchFolder("cycompat")
        let src = """
        cdef extern from "Python.h":
            void Py_INCREF(object o)
            int PyObject_AsReadBuffer(object obj, void **buf, Py_ssize_t *buf_len)
            int PyObject_CheckReadBuffer(object)

        cdef extern from "other.h":
            int other()

        def f(obj):
            cdef const char *s
            cdef Py_ssize_t n
            assert PyObject_AsReadBuffer(obj, <void **>&s, &n) == 0
            return PyObject_CheckReadBuffer(obj), s[0]

        """
        let (plan, _) = try plan("k.pyx", src, in: dir)
        XCTAssertEqual(Set(plan.fixes.map(\.strategy)), [.compat, .removeDeclaration])
        XCTAssertEqual(fixed(plan, unsafe: true), """
        cdef extern from "Python.h":
            void Py_INCREF(object o)
        cdef extern from "bufferlint_compat.h":
            int bufferlint_AsReadBuffer(object obj, void **buf, Py_ssize_t *buf_len)
            int bufferlint_CheckReadBuffer(object)

        cdef extern from "other.h":
            int other()

        def f(obj):
            cdef const char *s
            cdef Py_ssize_t n
            assert bufferlint_AsReadBuffer(obj, <void **>&s, &n) == 0
            return bufferlint_CheckReadBuffer(obj), s[0]

        """)
        let read = try XCTUnwrap(plan.fixes.first { $0.function == "PyObject_AsReadBuffer" && $0.strategy == .compat })
        XCTAssertTrue(read.reason.contains("not the plain pattern"), read.reason)
        XCTAssertTrue(read.reason.contains("the signature of its declaration at k.pyx:3"), read.reason)
        XCTAssertEqual(read.escape?.kind, "none")
        XCTAssertEqual(plan.fixes.first { $0.function == "PyObject_CheckReadBuffer" }?.safety, .safe)
    }

    func testWithoutADeclarationTheBlockHasTheHeadersSignatureAfterTheImports() throws {
        let dir = try ScratchFolder("cynodecl")
        let src = """
        # cython: language_level=3
        \"\"\"A module.\"\"\"
        import sys
        from libc.string cimport memcpy

        def f(obj):
            cdef char *p
            cdef Py_ssize_t n
            PyObject_AsCharBuffer(obj, &p, &n)
            return keep(p)
        """
        let (plan, _) = try plan("n.pyx", src, in: dir)
        XCTAssertEqual(fixed(plan), """
        # cython: language_level=3
        \"\"\"A module.\"\"\"
        import sys
        from libc.string cimport memcpy
        cdef extern from "bufferlint_compat.h":
            int bufferlint_AsCharBuffer(object obj, const char **buffer, Py_ssize_t *buffer_len) except -1

        def f(obj):
            cdef char *p
            cdef Py_ssize_t n
            bufferlint_AsCharBuffer(obj, &p, &n)
            return keep(p)
        """)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat])
        XCTAssertEqual(plan.fixes[0].escape?.kind, "callee")
        XCTAssertTrue(plan.fixes[0].reason.contains("is passed to `keep`, which might keep it"), plan.fixes[0].reason)
        XCTAssertTrue(plan.fixes[0].reason.contains("the signature of bufferlint_compat.h"), plan.fixes[0].reason)
    }

    func testAPointerKeptInAModuleVariableOrAnObjectGetsCompatNamingWhereItGoes() throws {
        let dir = try ScratchFolder("cyescape")
        let src = header + """
        cdef const void *kept = NULL
        cdef Py_ssize_t kept_len = 0

        def remember(obj):
            PyObject_AsReadBuffer(obj, &kept, &kept_len)
            return kept_len

        def remember_later(obj):
            cdef const void *p
            cdef Py_ssize_t n
            PyObject_AsReadBuffer(obj, &p, &n)
            global kept
            kept = p
            return n

        cdef class Holder:
            cdef void *data
            cdef Py_ssize_t size
            def hold(self, obj):
                PyObject_AsWriteBuffer(obj, &self.data, &self.size)
                return self.size

        def to_out(obj, void **out):
            cdef void *p
            cdef Py_ssize_t n
            PyObject_AsWriteBuffer(obj, &p, &n)
            out[0] = p
            return n
        """
        let (plan, _) = try plan("e.pyx", src, in: dir)
        let calls = plan.fixes.filter { $0.strategy != .removeDeclaration }
        XCTAssertEqual(calls.map(\.strategy), [.compat, .compat, .compat, .compat])
        XCTAssertEqual(calls.map { $0.escape?.kind }, ["global", "global", "struct-field", "out-param"])
        XCTAssertTrue(calls[0].reason.contains("is stored in the module-level `kept`"), calls[0].reason)
        XCTAssertTrue(calls[1].reason.contains("is stored in the module-level `kept`"), calls[1].reason)
        XCTAssertTrue(calls[2].reason.contains("is stored in the field `self.data`"), calls[2].reason)
        XCTAssertTrue(calls[3].reason.contains("through the parameter `out`"), calls[3].reason)
        XCTAssertEqual(plan.fixes.filter { $0.safety == .unsafe }, [])
        XCTAssertTrue(fixed(plan).contains("bufferlint_AsWriteBuffer(obj, &self.data, &self.size)"))
    }

    // MARK: - Nested blocks

    func testACallInAnIfBodyWrapsTheRestOfThatBlockAndDeclaresTheViewAtTheTop() throws {
        let dir = try ScratchFolder("cyif")
        let src = header + """
        def pick(obj, int which):
            cdef const void *data
            cdef Py_ssize_t length
            result = None
            if which:
                if PyObject_AsReadBuffer(obj, &data, &length) < 0:
                    return None
                result = (<const unsigned char *>data)[0]
            else:
                result = -1
            return result
        """
        let (plan, _) = try plan("i.pyx", src, in: dir)
        let scoped = try XCTUnwrap(plan.fixes.first { $0.strategy == .scoped })
        XCTAssertTrue(scoped.reason.contains("the rest of the `if` block (line 8)"), scoped.reason)
        XCTAssertTrue(scoped.reason.contains("old failure branch (dropped)"), scoped.reason)
        XCTAssertTrue(fixed(plan, unsafe: true).hasSuffix("""
        def pick(obj, int which):
            cdef const void *data
            cdef Py_ssize_t length
            result = None
            cdef Py_buffer view
            if which:
                PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)
                try:
                    data = <const void *>view.buf
                    length = view.len
                    result = (<const unsigned char *>data)[0]
                finally:
                    PyBuffer_Release(&view)
            else:
                result = -1
            return result
        """), fixed(plan, unsafe: true))
    }

    func testACallInAnElseOrExceptClauseDeclaresTheViewBeforeTheWholeStatement() throws {
        let dir = try ScratchFolder("cyelse")
        let src = header + """
        def f(obj, int which):
            cdef const void *data
            cdef Py_ssize_t length
            if which == 1:
                return 1
            elif which == 2:
                return 2
            else:
                PyObject_AsReadBuffer(obj, &data, &length)
                return (<const unsigned char *>data)[0]

        def g(obj):
            cdef const void *data
            cdef Py_ssize_t length
            try:
                x = int(obj)
            except TypeError:
                PyObject_AsReadBuffer(obj, &data, &length)
                x = length
            return x
        """
        let (plan, _) = try plan("e.pyx", src, in: dir)
        XCTAssertEqual(plan.fixes.filter { $0.strategy == .scoped }.count, 2)
        let out = fixed(plan, unsafe: true)
        XCTAssertTrue(out.contains("""
            cdef Py_ssize_t length
            cdef Py_buffer view
            if which == 1:
                return 1
            elif which == 2:
                return 2
            else:
                PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)
                try:
        """), out)
        XCTAssertTrue(out.contains("""
            cdef Py_ssize_t length
            cdef Py_buffer view
            try:
                x = int(obj)
            except TypeError:
                PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)
                try:
                    data = <const void *>view.buf
                    length = view.len
                    x = length
                finally:
                    PyBuffer_Release(&view)
            return x
        """), out)
    }

    func testACallInAForBodyGetsAViewPerIteration() throws {
        let dir = try ScratchFolder("cyfor")
        let src = header + """
        def total(items):
            cdef const void *p
            cdef Py_ssize_t n
            t = 0
            for x in items:
                with open("log") as f:
                    PyObject_AsReadBuffer(x, &p, &n)
                    if n == 0:
                        continue
                    t += (<const unsigned char *>p)[0]
            return t
        """
        let (plan, _) = try plan("f.pyx", src, in: dir)
        let scoped = try XCTUnwrap(plan.fixes.first { $0.strategy == .scoped })
        XCTAssertTrue(scoped.reason.contains("the rest of the `with` block"), scoped.reason)
        XCTAssertTrue(scoped.reason.contains("each iteration gets and releases its own view"), scoped.reason)
        XCTAssertTrue(fixed(plan, unsafe: true).hasSuffix("""
            t = 0
            cdef Py_buffer view
            for x in items:
                with open("log") as f:
                    PyObject_GetBuffer(x, &view, PyBUF_SIMPLE)
                    try:
                        p = <const void *>view.buf
                        n = view.len
                        if n == 0:
                            continue
                        t += (<const unsigned char *>p)[0]
                    finally:
                        PyBuffer_Release(&view)
            return t
        """), fixed(plan, unsafe: true))
    }

    /// Each refused shape keeps its safe compat fix, with the reason; no unsafe alternative.
    func assertRefused(_ body: String, _ expected: String, escape: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try ScratchFolder("cyrefuse")
        let (plan, _) = try plan("r.pyx", header + body, in: dir)
        let fixes = plan.fixes.filter { $0.strategy != .removeDeclaration }
        XCTAssertEqual(fixes.map(\.strategy), Array(repeating: .compat, count: fixes.count), file: file, line: line)
        XCTAssertFalse(fixes.isEmpty, file: file, line: line)
        let reason = fixes.map(\.reason).joined(separator: " | ")
        XCTAssertTrue(reason.contains(expected), reason, file: file, line: line)
        if let e = escape { XCTAssertEqual(fixes[0].escape?.kind, e, file: file, line: line) }
        XCTAssertFalse(fixed(plan).contains("PyObject_As"), fixed(plan), file: file, line: line)
    }

    func testNestedCallsAreRefusedWhereTheBlockDoesNotHoldEveryUse() throws {
        // The pointer is used after the block (pyzmq's asbuffer): compat, and the out-parameter is named.
        try assertRefused("""
        def f(obj, int w, void **base):
            cdef void *p = NULL
            cdef Py_ssize_t n = 0
            if w:
                PyObject_AsWriteBuffer(obj, &p, &n)
                n += 1
            else:
                PyObject_AsReadBuffer(obj, <const void **>&p, &n)
                n += 1
            if base: base[0] = p
            return n
        """, "`p` is used after the block of the call (line 13)", escape: "out-param")
        // Used before the call in the same loop: the next iteration would read a released view.
        try assertRefused("""
        def f(items):
            cdef const char *p = NULL
            cdef Py_ssize_t n
            for x in items:
                if p != NULL:
                    print(p[0])
                PyObject_AsReadBuffer(x, <const void **>&p, &n)
                print(n)
        """, "is used before the call in the same loop (line 8)")
        try assertRefused("""
        def f(obj):
            cdef const void *p
            cdef Py_ssize_t n
            if PyObject_AsReadBuffer(obj, &p, &n) < 0:
                return None
            else:
                return n
        """, "has an `else` branch")
        try assertRefused("""
        def f(obj):
            cdef const void *p
            cdef Py_ssize_t n
            PyObject_AsReadBuffer(obj, &p, &n)
            yield n
        """, "`yield`")
        try assertRefused("""
        def f(obj):
            cdef const void *p
            cdef Py_ssize_t n
            PyObject_AsReadBuffer(obj, &p, &n)
            cdef int a = 1, b = 2
            return n
        """, "declares several variables with initial values")
        try assertRefused("def f(obj):\n    cdef const char *p\n    cdef Py_ssize_t n\n    PyObject_AsReadBuffer(obj, <const void **>&p, &n)\n"
                          + "    return \"\"\"two\nlines\"\"\", n\n", "a string spanning lines")
        try assertRefused("""
        def f(obj):
            cdef const char *p
            cdef Py_ssize_t n
            PyObject_AsReadBuffer(obj, <const void **>&p, &n)
            q = p + 1
            return n
        """, "is used in `q = p + 1`", escape: "unknown")
        try assertRefused("""
        def f(obj):
            cdef const char *p
            cdef Py_ssize_t n
            PyObject_AsReadBuffer(obj, <const void **>&p, &n)
            return p
        """, "is returned", escape: "returned")
        try assertRefused("""
        def f(obj):
            cdef const char *p
            cdef Py_ssize_t n
            def peek():
                return p[0]
            PyObject_AsReadBuffer(obj, <const void **>&p, &n)
            return peek
        """, "is used in a nested function or a lambda (line 8)")
        try assertRefused("""
        cdef extern from "Python.h":
            int PyObject_GetBuffer(object, Py_buffer *, int)
        def f(obj):
            cdef const char *p
            cdef Py_ssize_t n
            PyObject_AsReadBuffer(obj, <const void **>&p, &n)
            return p[0]
        """, "declares `PyObject_GetBuffer` without an `except` clause (line 5): a failed acquisition would go unchecked")
        try assertRefused("""
        class C:
            PyObject_AsReadBuffer(obj, &p, &n)
            x = 1
        """, "the call is inside `class C`")
    }

    func testCallsThatOnlyReadThroughThePointerOrCopyItAreScoped() throws {
        let dir = try ScratchFolder("cyreads")
        let src = header + """
        from libc.string cimport memcpy

        def f(obj, char *dst):
            cdef const char *p
            cdef Py_ssize_t n
            PyObject_AsReadBuffer(obj, <const void **>&p, &n)
            if p == NULL or not p:
                return None
            memcpy(dst, p, n)
            return bytes(p[:n]), (<const unsigned char *>p)[0], PyBytes_FromStringAndSize(p, n)
        """
        let (plan, _) = try plan("s.pyx", src, in: dir)
        XCTAssertEqual(plan.fixes.filter { $0.strategy == .scoped }.count, 1, plan.fixes.map(\.reason).joined(separator: "\n"))
        XCTAssertTrue(fixed(plan, unsafe: true).contains("    p = <const char *>view.buf\n"), fixed(plan, unsafe: true))
    }

    // MARK: - Arrays of views

    func testALoopFillingAnArrayOfPointersGetsAnArrayOfViews() throws {
        let dir = try ScratchFolder("cyarray")
        let src = header + """
        from cpython.mem cimport PyMem_Malloc, PyMem_Free

        def firsts(items):
            cdef Py_ssize_t count = len(items)
            cdef Py_ssize_t i, total = 0
            cdef void **ptrs = <void **>PyMem_Malloc(count * sizeof(void *) + 1)
            cdef Py_ssize_t n
            for i from 0 <= i < count:
                PyObject_AsWriteBuffer(items[i], &ptrs[i], &n)
                total += n
            for i in range(count):
                (<char *>ptrs[i])[0] = 33
            PyMem_Free(ptrs)
            return total
        """
        let (plan, _) = try plan("a.pyx", src, in: dir)
        let scoped = try XCTUnwrap(plan.fixes.first { $0.strategy == .scoped })
        XCTAssertTrue(scoped.reason.contains("an array of views beside `ptrs`"), scoped.reason)
        XCTAssertTrue(fixed(plan, unsafe: true).hasSuffix("""
            cdef Py_ssize_t n
            cdef Py_buffer *views = NULL
            cdef Py_ssize_t views_acquired = 0
            cdef Py_ssize_t views_k
            views = <Py_buffer *>PyMem_Malloc(<size_t>max(count, 0) * sizeof(Py_buffer))
            if views == NULL:
                raise MemoryError()
            views_acquired = 0
            try:
                for i from 0 <= i < count:
                    try:
                        PyObject_GetBuffer(items[i], &views[i], PyBUF_WRITABLE)
                    except Exception:
                        raise TypeError("expected a writable bytes-like object") from None
                    views_acquired += 1
                    ptrs[i] = <void *>views[i].buf
                    n = views[i].len
                    total += n
                for i in range(count):
                    (<char *>ptrs[i])[0] = 33
                PyMem_Free(ptrs)
                return total
            finally:
                for views_k in range(views_acquired):
                    PyBuffer_Release(&views[views_k])
                PyMem_Free(views)
                views = NULL
        """), fixed(plan, unsafe: true))
        // The file cimports PyMem_Malloc itself: no second cimport.
        XCTAssertEqual(fixed(plan, unsafe: true).components(separatedBy: "cimport PyMem_Malloc").count, 2)
    }

    func testLoopsThatHandTheArrayOnOrFillAFieldGetCompatAndSaySo() throws {
        // twisted's wsarecv.pxi: the pointer goes into a field of each element, and the array to the I/O call.
        try assertRefused("""
        def recv(bufflist):
            cdef WSABUF *ws_buf = <WSABUF *>PyMem_Malloc(10 * sizeof(WSABUF))
            cdef Py_ssize_t i, size
            for i from 0 <= i < 10:
                PyObject_AsWriteBuffer(bufflist[i], <void **>&ws_buf[i].buf, &size)
                ws_buf[i].len = size
            WSARecv(ws_buf)
        """, "the call fills `ws_buf[i].buf` in a loop", escape: "struct-field")
        try assertRefused("""
        def send(items):
            cdef void *ptrs[4]
            cdef Py_ssize_t i, n
            for i in range(4):
                PyObject_AsWriteBuffer(items[i], &ptrs[i], &n)
            submit(ptrs)
        """, "the array `ptrs` is passed to `submit`", escape: "callee")
        try assertRefused("""
        def f(items, int count):
            cdef void *ptrs[4]
            cdef Py_ssize_t i, n
            for i in range(count):
                count = 3
                PyObject_AsWriteBuffer(items[i], &ptrs[i], &n)
        """, "is not the first statement of the loop body")
    }

    // MARK: - Declarations across files

    func testAPxdKeepsItsDeclarationsAndTheReasonNamesTheIncludePath() throws {
        let dir = try ScratchFolder("cypxd")
        let src = header + """
        cdef inline int size_of(object ob) except -1:
            cdef void *p
            cdef Py_ssize_t n
            PyObject_AsWriteBuffer(ob, &p, &n)
            return consume(p, n)
        """
        let (plan, _) = try plan("b.pxd", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(plan.fixes[0].reason.contains("its folder must be on their include path"), plan.fixes[0].reason)
        XCTAssertTrue(plan.unfixed.allSatisfy { $0.reason.hasPrefix("kept: modules that cimport this .pxd") }, "\(plan.unfixed)")
        XCTAssertEqual(plan.unfixed.count, 2)
        let out = fixed(plan)
        XCTAssertTrue(out.contains("    int PyObject_AsWriteBuffer(object o, void **b, Py_ssize_t *n) except -1\ncdef extern from \"bufferlint_compat.h\":\n    int bufferlint_AsWriteBuffer(object o, void **b, Py_ssize_t *n) except -1\n"), out)
    }

    func testAPxiTakesTheSignatureOfItsIncluderWhoseDeclarationGoesOnlyWhenThePxiIsFixedToo() throws {
        let dir = try ScratchFolder("cypxi")
        try dir.write("m.pyx", """
        cdef extern from "Python.h":
            int PyObject_AsReadBuffer(object obj, void **buffer, Py_ssize_t *buffer_len) except -1

        include "part.pxi"
        """)
        try dir.write("part.pxi", """
        # A part.

        def send(buff):
            cdef void *p
            cdef Py_ssize_t size
            PyObject_AsReadBuffer(buff, &p, &size)
            return transmit(p, size)
        """)
        // The .pxi alone: the includer's signature, copied.
        let alone = try run(dir, ["part.pxi"])
        XCTAssertEqual(fixed(try plan(alone, "part.pxi")), """
        # A part.
        cdef extern from "bufferlint_compat.h":
            int bufferlint_AsReadBuffer(object obj, void **buffer, Py_ssize_t *buffer_len) except -1

        def send(buff):
            cdef void *p
            cdef Py_ssize_t size
            bufferlint_AsReadBuffer(buff, &p, &size)
            return transmit(p, size)
        """)
        XCTAssertTrue(try plan(alone, "part.pxi").fixes[0].reason.contains("the signature of its declaration at m.pyx:2"))
        // The .pyx alone: the .pxi still uses the name, so the declaration stays.
        let pyx = try plan(try run(dir, ["m.pyx"]), "m.pyx")
        XCTAssertEqual(pyx.fixes, [])
        XCTAssertTrue(pyx.unfixed.first?.reason.contains("the included `part.pxi` still uses `PyObject_AsReadBuffer`") == true, "\(pyx.unfixed)")
        // Both in one run: the .pxi is fixed, so the declaration (and its block) goes.
        let both = try run(dir, ["m.pyx", "part.pxi"])
        XCTAssertEqual(fixed(try plan(both, "m.pyx")), "\ninclude \"part.pxi\"")
        XCTAssertEqual(both.findings.first { $0.kind == .declaration }?.fix?.strategy, "remove-declaration")
    }

    func testAnUnusedDeclarationGoesButAStructFieldOfTheSameNameStays() throws {
        let dir = try ScratchFolder("cyunused")
        let src = """
        cdef extern from "Python.h":
            int PyObject_AsReadBuffer(object obj, void **buffer, Py_ssize_t *buffer_len) except -1
            void Py_INCREF(object o)

        cdef extern from *:
            ctypedef struct Table:
                int (*PyObject_AsCharBuffer)(object, const char **, Py_ssize_t *)

        def f():
            return 1
        """
        let (plan, _) = try plan("u.pyx", src, in: dir)
        XCTAssertEqual(plan.fixes.map(\.function), ["PyObject_AsReadBuffer"])
        XCTAssertTrue(fixed(plan).hasPrefix("cdef extern from \"Python.h\":\n    void Py_INCREF(object o)\n\ncdef extern from *:\n    ctypedef struct Table:\n        int (*PyObject_AsCharBuffer)"), fixed(plan))
    }

    func testTheSignatureComesFromThePxdTheNameIsCimportedFrom() throws {
        let dir = try ScratchFolder("cycimport")
        try dir.write("pkg/decls.pxd", """
        cdef extern from "Python.h":
            int PyObject_AsReadBuffer(object, const void **, Py_ssize_t *) except? -1
        """)
        try dir.write("pkg/use.pyx", """
        from pkg.decls cimport PyObject_AsReadBuffer

        def f(obj):
            cdef const void *p
            cdef Py_ssize_t n
            return PyObject_AsReadBuffer(obj, &p, &n)
        """)
        let plan = try plan(try run(dir, ["pkg/use.pyx"]), "use.pyx")
        XCTAssertTrue(fixed(plan).contains("cdef extern from \"bufferlint_compat.h\":\n    int bufferlint_AsReadBuffer(object, const void **, Py_ssize_t *) except? -1\n"), fixed(plan))
        XCTAssertTrue(plan.unfixed.first?.reason.contains("a cimport of `PyObject_AsReadBuffer` is left as it is") == true, "\(plan.unfixed)")
    }
}
