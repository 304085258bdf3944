import BufferLintKit
import Foundation
import XCTest

/// Files beyond the read budget are read again when a pass needs them, not kept: the findings
/// must be those of a run that keeps every file (macros reaching an old name from another file,
/// wrapper calls across files, a unity part, the flow checks, fixes).
final class BoundedReadTests: XCTestCase {
    func testARunThatKeepsNoFileFindsWhatARunThatKeepsAllFinds() throws {
        let dir = try ScratchFolder("bounded-read")
        try dir.write(".bufferlint.yml", "")
        try dir.write("include/wrap.h", "#define READ_BUF(o, p, n) PyObject_AsReadBuffer((o), (p), (n))\n")
        try dir.write("src/uses_macro.c", "#include <Python.h>\n#include \"wrap.h\"\nint f(PyObject *o, const void **p, Py_ssize_t *n) { return READ_BUF(o, p, n); }\n")
        try dir.write("src/wrapper.c", """
            #include <Python.h>
            int get_chars(PyObject *o, const char **s, Py_ssize_t *n) { return PyObject_AsCharBuffer(o, s, n); }

            """)
        try dir.write("src/caller.c", "#include <Python.h>\nint get_chars(PyObject *, const char **, Py_ssize_t *);\nint g(PyObject *o) { const char *s; Py_ssize_t n; return get_chars(o, &s, &n); }\n")
        try dir.write("src/module.c", "#include <Python.h>\n#define HAVE_PART 1\n#include \"part.c\"\n")
        try dir.write("src/part.c", "#if HAVE_PART\nint h(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n#endif\n")
        try dir.write("src/flow.c", """
            #include <Python.h>
            int leak(PyObject *o) { Py_buffer v; if (PyObject_GetBuffer(o, &v, PyBUF_SIMPLE) < 0) return -1; return ((char *)v.buf)[0]; }

            """)
        for k in 0..<20 { try dir.write("src/plain\(k).c", "int plain\(k)(int x) { return x + \(k); }\n") }
        func run(_ budget: Int) throws -> [String] {
            let r = try dir.lint(["src"]) { o in o.readBudget = budget; o.planFixes = true }
            return r.findings.map { "\(($0.file as NSString).lastPathComponent):\($0.line) \($0.rule) \($0.kind.rawValue) \($0.fix?.strategy ?? "-")" }
        }
        let all = try run(64 << 20)
        XCTAssertEqual(try run(0), all)
        XCTAssertTrue(all.contains { $0.hasPrefix("uses_macro.c:3 BUF002 macro-expansion") }, "\(all)")
        XCTAssertTrue(all.contains { $0.hasPrefix("caller.c:3 BUF001 wrapper-call") }, "\(all)")
        XCTAssertTrue(all.contains { $0.hasPrefix("part.c:2 BUF004 call") }, "\(all)")
        XCTAssertTrue(all.contains { $0.hasPrefix("flow.c:2 BUF10") }, "\(all)")
    }
}
