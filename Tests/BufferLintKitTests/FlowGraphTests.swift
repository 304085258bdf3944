@testable import BufferLintKit
import CClang
import Foundation
import XCTest

/// The control-flow graph and the path analysis on small functions, below the Linter.
final class FlowGraphTests: XCTestCase {
    var scratch: ScratchFolder!

    override func setUpWithError() throws { scratch = try ScratchFolder("flow-graph") }

    /// Parses `source` (after Python.h) and hands each function's graph, or why there is none, to `body`.
    func graphs(_ source: String, cpp: Bool = false, _ body: (String, Result<ControlFlowGraph, ControlFlowGraph.Unsupported>) -> Void) throws {
        let path = try scratch.write(cpp ? "g.cpp" : "g.c", "#include <Python.h>\n" + source)
        var args = ["-x", cpp ? "c++" : "c", "-w"]
        if let dir = PythonHeaders.defaultIncludeDir() { args.append("-I\(dir)") }
        guard case .parsed(let parsed) = ClangParser().parse(path: path, arguments: args, complete: false) else { return XCTFail("no parse") }
        let unit = parsed.unit
        for c in FlowSyntax.definitions(in: unit) {
            guard let f = FlowSyntax.function(c, unit: unit) else { continue }
            body(f.name, ControlFlowGraph.build(f, facts: FileFacts(), isCPlusPlus: cpp))
        }
    }

    func exits(_ g: ControlFlowGraph) -> [ExitKind] {
        g.blocks.compactMap { if case .exit(let k, _) = $0.terminator { return k } else { return nil } }
    }

    func testExitsOfReturnsMacrosAndFallingOffTheEnd() throws {
        var seen: [String: [ExitKind]] = [:]
        try graphs("""
            static PyObject *f(PyObject *o) { if (o == NULL) return NULL; if (o == Py_None) Py_RETURN_NONE; return o; }
            static void g(int x) { if (x) { x++; } }
            """) { name, r in
            if case .success(let g) = r { seen[name] = exits(g) }
        }
        XCTAssertEqual(seen["f"]?.filter { $0 == .returnStatement }.count, 3)
        XCTAssertEqual(seen["g"], [.endOfFunction])
    }

    func testComputedGotoAndSetjmpAreNotFollowed() throws {
        var reasons: [String: String] = [:]
        try graphs("""
            #include <setjmp.h>
            static jmp_buf env;
            static int a(int k) { static void *t[] = {&&x}; goto *t[k]; x: return 0; }
            static int b(void) { if (setjmp(env)) return 1; return 0; }
            static int c(int k) { if (k) goto out; k = 2; out: return k; }
            """) { name, r in
            switch r {
            case .failure(let u): reasons[name] = u.reason
            case .success: reasons[name] = "ok"
            }
        }
        XCTAssertEqual(reasons, ["a": "computed goto", "b": "setjmp", "c": "ok"])
    }

    func testThrowLeavesTheFunctionUnlessCaughtByCatchAll() throws {
        var seen: [String: [ExitKind]] = [:]
        try graphs("""
            static int t(int x) { if (x) throw 1; return 0; }
            static int u(int x) { try { if (x) throw 1; } catch (...) { return 2; } return 0; }
            """, cpp: true) { name, r in
            if case .success(let g) = r { seen[name] = exits(g) }
        }
        XCTAssertEqual(seen["t"]?.contains(.exception), true)
        XCTAssertEqual(seen["u"]?.contains(.exception), false)
    }

    func testPathStatesStayApartAtJoins() {
        var a = PathState(), b = PathState()
        a.views["v@1"] = .acquired(Acquisition(site: 3, writable: false, onFailure: .uninitialized))
        b.views["v@1"] = .uninitialized(failedAt: 3)
        XCTAssertEqual(Set([a, b, a]).count, 2)
        XCTAssertEqual(a.view("w@2"), .unknown)
        XCTAssertEqual(ViewState(failure: .empty, site: 3), .empty)
        XCTAssertEqual(ViewState(failure: .uninitialized, site: 3), .uninitialized(failedAt: 3))
    }
}
