import BufferLintKit
import Foundation
import XCTest

/// Quoted includes that no `-I` reaches resolve among the project's headers (up to the folder
/// holding `.git` or `.bufferlint.yml`), and the prefilter keeps every file whose includes reach
/// a macro of an old name, whichever files were given (pre-commit gives the changed ones).
final class ProjectHeaderTests: XCTestCase {
    /// A module using a wrapping macro defined in `include/wrap.h`, with no `-I`.
    func module(_ dir: ScratchFolder, root marker: String?) throws {
        if let marker { try dir.write(marker, "") }
        try dir.write("include/wrap.h", "#include <Python.h>\n#define READ_BUF(o, p, n) PyObject_AsReadBuffer((o), (p), (n))\n")
        try dir.write("src/m.c", """
            #include <Python.h>
            #include "wrap.h"
            static int f(PyObject *o) {
                const void *p; Py_ssize_t n;
                return READ_BUF(o, &p, &n);
            }

            """)
    }

    static func seen(_ r: Report) -> [String] { r.findings.map { "\($0.line) \($0.rule) \($0.kind.rawValue) \($0.macro ?? "-")" } }

    func testAHeaderOfTheProjectIsFoundFromItsRoot() throws {
        for marker in [".git/HEAD", ".bufferlint.yml"] {
            let dir = try ScratchFolder("project-headers")
            try module(dir, root: marker)
            let r = try dir.lint(["src/m.c"])
            XCTAssertEqual(ProjectHeaderTests.seen(r), ["5 BUF002 macro-expansion READ_BUF"], marker)
            XCTAssertFalse(r.warnings.contains { $0.contains("wrap.h") }, "\(r.warnings)")
        }
    }

    func testOutsideAnyProjectTheHeaderIsMissingAndSaidSo() throws {
        let dir = try ScratchFolder("no-project")
        try module(dir, root: nil)
        let r = try dir.lint(["src/m.c"], configure: { $0.prefilter = false })
        XCTAssertEqual(ProjectHeaderTests.seen(r), [])
        XCTAssertTrue(r.warnings.contains { $0.contains("'wrap.h'") }, "\(r.warnings)")
    }

    func testThePrefilterKeepsAFileWhoseHeaderDefinesTheMacro() throws {
        let dir = try ScratchFolder("prefilter-headers")
        try dir.write("src/local.h", "#define CHARBUF(o, p, n) PyObject_AsCharBuffer((o), (p), (n))\n")
        try dir.write("src/l.c", "#include <Python.h>\n#include \"local.h\"\nstatic int g(PyObject *o) { const char *p; Py_ssize_t n; return CHARBUF(o, &p, &n); }\n")
        let on = try dir.lint(["src/l.c"])
        let off = try dir.lint(["src/l.c"], configure: { $0.prefilter = false })
        XCTAssertEqual(ProjectHeaderTests.seen(on), ["3 BUF001 macro-expansion CHARBUF"])
        XCTAssertEqual(ProjectHeaderTests.seen(on), ProjectHeaderTests.seen(off), "--no-prefilter changes nothing")
    }

    func testAnIncludeFolderOnlyInTheCompilationDatabaseReachesTheMacro() throws {
        let dir = try ScratchFolder("compdb-headers")
        try module(dir, root: nil)
        // The database at the project's top (`-p .`), the include folder only in it.
        try dir.write("compile_commands.json", """
            [{"directory": "\(dir.path)", "file": "src/m.c", "arguments": ["cc", "-Iinclude", "-c", "src/m.c"]}]
            """)
        let r = try dir.lint(["src/m.c"], configure: { $0.compileCommands = dir.path })
        XCTAssertEqual(ProjectHeaderTests.seen(r), ["5 BUF002 macro-expansion READ_BUF"])
    }

    func testTheNearestHeaderOfThatNameIsTheOne() throws {
        let dir = try ScratchFolder("nearest-header")
        try dir.write(".bufferlint.yml", "")
        try dir.write("a/include/conf.h", "#define USE_OLD 1\n")
        try dir.write("b/include/conf.h", "#define USE_OLD 0\n")
        for sub in ["a", "b"] {
            try dir.write("\(sub)/src/m.c", "#include <Python.h>\n#include \"conf.h\"\n#if USE_OLD\nint f(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n#endif\n")
        }
        let r = try dir.lint(["a/src/m.c", "b/src/m.c"])
        XCTAssertEqual(r.findings.map { "\(($0.file as NSString).pathComponents.suffix(3).joined(separator: "/")) \($0.kind.rawValue)" },
                       ["a/src/m.c call", "b/src/m.c inactive"])
    }

    func testALinkOutOfTheProjectIsNotFollowed() throws {
        let outside = try ScratchFolder("outside")
        try outside.write("wrap.h", "#define READ_BUF(o, p, n) PyObject_AsReadBuffer((o), (p), (n))\n")
        let dir = try ScratchFolder("linked-project")
        try dir.write(".bufferlint.yml", "")
        try dir.write("src/m.c", "#include <Python.h>\n#include \"wrap.h\"\nint f(PyObject *o, const void **p, Py_ssize_t *n) { return READ_BUF(o, p, n); }\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/vendor", withDestinationPath: outside.path)
        let r = try dir.lint(["src/m.c"], configure: { $0.prefilter = false })
        XCTAssertEqual(ProjectHeaderTests.seen(r), [])
    }

    func testOneFileNamedTwoWaysHasOneKey() {
        let cases = ["a.c": "/w/a.c", "./a.c": "/w/a.c", "src/../a.c": "/w/a.c", "/x//y/./z/..": "/x/y", "/x/y/": "/x/y",
                     "/x/.hidden/a": "/x/.hidden/a", "/x/..a/b": "/x/..a/b", "/x/a.": "/x/a.", "/x/a..": "/x/a..", "/..": "/", "b/./c": "/w/b/c"]
        for (path, key) in cases { XCTAssertEqual(RegularFile.lexicalPath(path, cwd: "/w"), key, path) }
        XCTAssertEqual(RegularFile.pathExtension("dir.d/Mod.CPP"), "cpp")
        XCTAssertEqual(RegularFile.pathExtension("dir.d/Makefile"), "")
    }

    func testIncludedNamesAreReadFromBytes() {
        let text = "#include \"a.h\"\n  #  include <b/c.h>\n#include_next \"d.h\"\n#define X 1\n#include MACRO\nint x; // #include \"no.h\"\n"
        let names = Prefilter.includedNames(in: Array(text.utf8)).map { "\($0.angled ? "<" : "\"")\($0.name)" }
        XCTAssertEqual(names, ["\"a.h", "<b/c.h", "\"d.h"])
    }
}
