import BufferLintKit
import Foundation
import XCTest

/// A wrapper that is not `static` gets a caller-owned view only together with every call and
/// prototype of it in the other scanned files; when one of them cannot change, none does.
final class CrossFileWrapperTests: XCTestCase {
    static let header = """
    #include <Python.h>
    int get_buf(PyObject *o, const void **b, Py_ssize_t *n);

    """
    static let wrapper = """
    #include "w.h"
    int get_buf(PyObject *o, const void **b, Py_ssize_t *n)
    {
        return PyObject_AsReadBuffer(o, b, n);
    }

    """
    static let caller = """
    #include "w.h"
    static PyObject *first(PyObject *self, PyObject *obj)
    {
        const void *p;
        Py_ssize_t n;
        if (get_buf(obj, &p, &n) < 0)
            return NULL;
        if (n == 0)
            Py_RETURN_NONE;
        return PyLong_FromLong(((const char *)p)[0]);
    }

    """

    func lint(_ files: [String: String], only: String? = nil) throws -> (Report, [String: FilePlan]) {
        let dir = try ScratchFolder("crossfile")
        for (name, text) in files { try dir.write(name, text) }
        let report = try dir.lint([only.map { dir.path + "/" + $0 } ?? dir.path]) { $0.planFixes = true; $0.keepFixEdits = true; $0.cacheDirectory = nil }
        var plans: [String: FilePlan] = [:]
        for p in report.fixPlans { plans[(p.path as NSString).lastPathComponent] = p }
        return (report, plans)
    }

    func testTheWrapperItsPrototypeAndItsCallersInOtherFilesChangeTogether() throws {
        let (_, plans) = try lint(["w.h": Self.header, "w.c": Self.wrapper, "a.c": Self.caller])
        let w = try XCTUnwrap(plans["w.c"])
        let unsafe = try XCTUnwrap(w.fixes.first { $0.safety == .unsafe })
        XCTAssertEqual(unsafe.externWrapper, "get_buf")
        XCTAssertTrue(unsafe.reason.contains("its callers (those in the other scanned files)"), unsafe.reason)
        let changed = try XCTUnwrap(unsafe.reason.components(separatedBy: "the other scanned files change with it: ").last)
        XCTAssertEqual(changed.components(separatedBy: ", ").map { ($0 as NSString).lastPathComponent }, ["a.c", "w.h"])
        XCTAssertTrue(fixed(w, unsafe: true).contains("int get_buf(PyObject *o, const void **b, Py_ssize_t *n, Py_buffer *view)"))
        // Without --unsafe-fixes the wrapper is compat and nothing else changes.
        XCTAssertTrue(fixed(w).contains("return bufferlint_AsReadBuffer(o, b, n);"))
        let h = try XCTUnwrap(plans["w.h"])
        XCTAssertEqual(fixed(h, unsafe: true), "#include <Python.h>\nint get_buf(PyObject *o, const void **b, Py_ssize_t *n, Py_buffer *view);\n")
        XCTAssertTrue(h.selected(unsafe: false).isEmpty)
        let a = try XCTUnwrap(plans["a.c"])
        XCTAssertTrue(a.fixes.allSatisfy { $0.companion && $0.safety == .unsafe && $0.group == "wrapper:get_buf" })
        let out = fixed(a, unsafe: true)
        XCTAssertTrue(out.contains("if (get_buf(obj, &p, &n, &view) < 0)\n        return NULL;"), out)
        XCTAssertTrue(out.contains("{ PyBuffer_Release(&view); Py_RETURN_NONE; }"), out)
        XCTAssertEqual(out.components(separatedBy: "PyBuffer_Release(&view)").count, 3, out)
    }

    func testACallerThatKeepsThePointerWithdrawsTheWrapperFixEverywhere() throws {
        let keeping = Self.caller.replacingOccurrences(of: "return PyLong_FromLong(((const char *)p)[0]);", with: "kept = p;\n    Py_RETURN_NONE;")
            .replacingOccurrences(of: "static PyObject *first", with: "static const void *kept;\nstatic PyObject *first")
        let (_, plans) = try lint(["w.h": Self.header, "w.c": Self.wrapper, "a.c": Self.caller, "b.c": keeping])
        let w = try XCTUnwrap(plans["w.c"])
        XCTAssertEqual(w.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(w.fixes[0].reason.contains("no caller-owned view for `get_buf`: a call of `get_buf` in "), w.fixes[0].reason)
        XCTAssertTrue(w.fixes[0].reason.contains("b.c"), w.fixes[0].reason)
        for name in ["a.c", "b.c", "w.h"] { XCTAssertTrue(plans[name]?.fixes.isEmpty ?? true, name) }
    }

    func testAUseThatIsNotACallOrAPrototypeWithdrawsIt() throws {
        let table = "#include \"w.h\"\ntypedef int (*getter)(PyObject *, const void **, Py_ssize_t *);\nstatic getter g = get_buf;\n"
        let (_, plans) = try lint(["w.h": Self.header, "w.c": Self.wrapper, "a.c": Self.caller, "t.c": table])
        let w = try XCTUnwrap(plans["w.c"])
        XCTAssertEqual(w.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(w.fixes[0].reason.contains("t.c:3 other than in a call or a prototype"), w.fixes[0].reason)
    }

    func testCallersThatWereNotScannedOrAreNotCWithdrawIt() throws {
        // Only the wrapper's file scanned: its callers are elsewhere, so its signature must not change.
        let standalone = Self.wrapper.replacingOccurrences(of: "#include \"w.h\"", with: "#include <Python.h>")
        let (_, alone) = try lint(["w.h": Self.header, "w.c": standalone, "a.c": Self.caller], only: "w.c")
        let w = try XCTUnwrap(alone["w.c"])
        XCTAssertEqual(w.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(w.fixes[0].reason.contains("no other scanned file calls or declares `get_buf`, which is not static"), w.fixes[0].reason)
        // A header the wrapper's file includes declares it but was not scanned.
        let (_, unscannedHeader) = try lint(["w.h": Self.header, "w.c": Self.wrapper, "a.c": Self.caller], only: "w.c")
        XCTAssertTrue(unscannedHeader["w.c"]?.fixes.first?.reason.contains("w.h declares `get_buf` but is not among the scanned files") == true,
                      unscannedHeader["w.c"]?.fixes.first?.reason ?? "")
        // A Cython file that calls it is not rewritten, so nothing is.
        let cython = "cdef extern from \"w.h\":\n    int get_buf(object o, const void **b, Py_ssize_t *n) except -1\n"
        let (_, withCython) = try lint(["w.h": Self.header, "w.c": Self.wrapper, "a.c": Self.caller, "m.pyx": cython])
        XCTAssertTrue(withCython["w.c"]?.fixes.first?.reason.contains("m.pyx (Cython) names `get_buf`") == true, withCython["w.c"]?.fixes.first?.reason ?? "")
        XCTAssertTrue(withCython["a.c"]?.fixes.isEmpty ?? true)
    }

    // MARK: - C++

    static let cxxHeader = """
    #ifndef W_HPP
    #define W_HPP
    #include <Python.h>
    int get_buf(PyObject *o, const void **b, Py_ssize_t *n);
    #endif

    """
    static let cxxWrapper = """
    #include "w.hpp"
    int get_buf(PyObject *o, const void **b, Py_ssize_t *n)
    {
        return PyObject_AsReadBuffer(o, b, n);
    }

    """
    static let cxxCaller = """
    #include "w.hpp"
    #include <stdexcept>
    static void require_no_bang(char c) { if (c == '!') throw std::runtime_error("no bang please"); }
    static PyObject *first(PyObject *self, PyObject *obj)
    {
        const void *p;
        Py_ssize_t n;
        if (get_buf(obj, &p, &n) < 0)
            return NULL;
        if (n == 0)
            Py_RETURN_NONE;
        return PyLong_FromLong(((const char *)p)[0]);
    }
    static PyObject *checked(PyObject *self, PyObject *obj)
    {
        const void *p;
        Py_ssize_t n;
        try {
            if (get_buf(obj, &p, &n) < 0)
                return NULL;
            require_no_bang(n > 0 ? ((const char *)p)[0] : 0);
            return PyLong_FromSsize_t(n);
        } catch (const std::exception &e) {
            PyErr_SetString(PyExc_ValueError, e.what());
            return NULL;
        }
    }

    """

    func testACPlusPlusWrapperItsHeaderAndItsCallersInAnotherFileTakeTheGuard() throws {
        let (_, plans) = try lint(["w.hpp": Self.cxxHeader, "w.cpp": Self.cxxWrapper, "a.cpp": Self.cxxCaller])
        let w = try XCTUnwrap(plans["w.cpp"])
        let unsafe = try XCTUnwrap(w.fixes.first { $0.safety == .unsafe })
        XCTAssertEqual(unsafe.externWrapper, "get_buf")
        XCTAssertEqual(unsafe.escape?.kind, "out-param")
        XCTAssertTrue(unsafe.reason.hasPrefix("caller-owned view (unsafe): `get_buf` gains a last parameter `bufferlint::BufferView &view`"), unsafe.reason)
        let changed = try XCTUnwrap(unsafe.reason.components(separatedBy: "the other scanned files change with it: ").last)
        XCTAssertEqual(changed.components(separatedBy: ", ").map { ($0 as NSString).lastPathComponent }, ["a.cpp", "w.hpp"])
        let wrapper = fixed(w, unsafe: true)
        XCTAssertEqual(wrapper, """
        #include "w.hpp"
        #include "bufferlint_view.hpp"
        int get_buf(PyObject *o, const void **b, Py_ssize_t *n, bufferlint::BufferView &view)
        {
            { if (view.acquire(o, PyBUF_SIMPLE) < 0) return -1; *b = (const void *)view.buf(); *n = view.len(); return 0; }
        }

        """)
        // The header's prototype names the guard, so the header includes it (after Python.h).
        let h = try XCTUnwrap(plans["w.hpp"])
        XCTAssertEqual(fixed(h, unsafe: true), Self.cxxHeader
            .replacingOccurrences(of: "#include <Python.h>\n", with: "#include <Python.h>\n#include \"bufferlint_view.hpp\"\n")
            .replacingOccurrences(of: "Py_ssize_t *n);", with: "Py_ssize_t *n, bufferlint::BufferView &view);"))
        XCTAssertTrue(h.selected(unsafe: false).isEmpty)
        let a = try XCTUnwrap(plans["a.cpp"])
        XCTAssertTrue(a.fixes.allSatisfy { $0.companion && $0.safety == .unsafe && $0.group == "wrapper:get_buf" })
        XCTAssertEqual(Set(a.fixes.flatMap(\.supportFiles).map(\.name)), ["bufferlint_view.hpp", "bufferlint_compat.h"])
        XCTAssertTrue(a.fixes[0].reason.contains("pass a `bufferlint::BufferView` guard their function declares"), a.fixes[0].reason)
        let out = fixed(a, unsafe: true)
        XCTAssertEqual(out.components(separatedBy: "#include \"bufferlint_view.hpp\"").count, 2, out)
        XCTAssertEqual(out.components(separatedBy: "{\n    bufferlint::BufferView view;\n    const void *p;").count, 3, out)
        XCTAssertEqual(out.components(separatedBy: "if (get_buf(obj, &p, &n, view) < 0)\n").count, 3, out)
        XCTAssertFalse(out.contains("PyBuffer_Release"), out)
        // The three files build together.
        let dir = try ScratchFolder("crossfile-cpp")
        try dir.write("w.hpp", fixed(h, unsafe: true))
        try dir.write("w.cpp", wrapper)
        try compiles(out, as: "a.cpp", in: dir, supportFiles: unsafe.supportFiles)
        try compiles(wrapper, as: "w.cpp", in: dir, supportFiles: unsafe.supportFiles)
    }

    func testACallerInACFileRefusesTheCPlusPlusWrapperEverywhere() throws {
        let (_, plans) = try lint(["w.hpp": Self.cxxHeader, "w.cpp": Self.cxxWrapper, "a.cpp": Self.cxxCaller,
                                   "b.c": Self.caller.replacingOccurrences(of: "w.h", with: "w.hpp")])
        let w = try XCTUnwrap(plans["w.cpp"])
        XCTAssertEqual(w.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(w.fixes[0].reason.contains("no caller-owned view for `get_buf`: "), w.fixes[0].reason)
        XCTAssertTrue(w.fixes[0].reason.contains("b.c calls `get_buf` (line 6) in C code, which cannot take the C++ guard `bufferlint::BufferView &`"), w.fixes[0].reason)
        for name in ["a.cpp", "b.c", "w.hpp"] { XCTAssertTrue(plans[name]?.fixes.isEmpty ?? true, name) }
        // A C header whose prototype a C source sees refuses it too; one only C++ includes takes the guard.
        let cHeader = ["w.h": Self.cxxHeader, "w.cpp": Self.cxxWrapper.replacingOccurrences(of: "w.hpp", with: "w.h"),
                       "a.cpp": Self.cxxCaller.replacingOccurrences(of: "w.hpp", with: "w.h")]
        let (_, seen) = try lint(cHeader.merging(["t.c": "#include \"w.h\"\nint unrelated(void) { return 0; }\n"]) { a, _ in a })
        let refused = try XCTUnwrap(seen["w.cpp"])
        XCTAssertEqual(refused.fixes.map(\.strategy), [.compat])
        XCTAssertTrue(refused.fixes[0].reason.contains("t.c, a C source, includes "), refused.fixes[0].reason)
        let (_, unseen) = try lint(cHeader)
        XCTAssertEqual(try XCTUnwrap(unseen["w.cpp"]).fixes.map(\.strategy), [.compat, .scoped])
        XCTAssertTrue(fixed(try XCTUnwrap(unseen["w.h"]), unsafe: true).contains("Py_ssize_t *n, bufferlint::BufferView &view);"))
    }
}
