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
}
