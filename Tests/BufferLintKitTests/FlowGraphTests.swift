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

    func testJoinedPathClassesKeepTheFactsTheyAgreeOn() {
        var a = PathState(), b = PathState()
        a.views["v@1"] = .acquired(Acquisition(site: 3, writable: false, onFailure: .uninitialized))
        b.views = a.views
        a.integers = ["n@2": .constant(1), "m@4": .constant(0)]
        b.integers = ["n@2": .constant(2), "m@4": .constant(0)]
        a.conditions = ["ptr": true, "k": false]
        b.conditions = ["ptr": false, "k": false]
        XCTAssertEqual(a.viewPart, b.viewPart)
        let j = a.joined(with: b)
        XCTAssertEqual(j.integers, ["m@4": .constant(0)])
        XCTAssertEqual(j.conditions, ["k": false])
        XCTAssertEqual(j.views, a.views)
        XCTAssertEqual(j.joined(with: a), j)
        var c = b
        c.views["v@1"] = .uninitialized(failedAt: 3)
        XCTAssertNotEqual(a.viewPart, c.viewPart)
    }

    /// The analysis of each function of `source` (after Python.h), run.
    func analyses(_ source: String) throws -> [(name: String, analysis: BufferFlowAnalysis, blocks: Int, issues: [FlowIssue]?)] {
        let full = "#include <Python.h>\n" + source
        let path = try scratch.write("a.c", full)
        var args = ["-x", "c", "-w"]
        if let dir = PythonHeaders.defaultIncludeDir() { args.append("-I\(dir)") }
        guard case .parsed(let parsed) = ClangParser().parse(path: path, arguments: args, complete: false) else { XCTFail("no parse"); return [] }
        var out: [(String, BufferFlowAnalysis, Int, [FlowIssue]?)] = []
        for c in FlowSyntax.definitions(in: parsed.unit) {
            guard let f = FlowSyntax.function(c, unit: parsed.unit), case .success(let g) = ControlFlowGraph.build(f, facts: FileFacts(), isCPlusPlus: false) else { continue }
            let a = BufferFlowAnalysis(function: f, facts: FileFacts(), graph: g, text: SourceText(full))
            out.append((f.name, a, g.blocks.count, a.run()))
        }
        return out
    }

    /// A long function: two unchecked acquisitions never released, a pointer copied from `buf`, `flags`
    /// flags set near the top and read at the end, `ptr` tested against NULL near the top and `sections`
    /// if/else blocks (five lines each) later.
    static func longFunction(sections: Int, flags: Int) -> String {
        var lines = ["static PyObject *parse(PyObject *a, PyObject *b, int x, long n) {", "    Py_buffer va, vb;", "    long acc = 0;"]
        lines += (0..<flags).map { "    int opt\($0) = 0;" }
        lines += ["    PyObject_GetBuffer(a, &va, PyBUF_SIMPLE);", "    PyObject_GetBuffer(b, &vb, PyBUF_SIMPLE);",
                  "    char *ptr = va.buf;", "    const char *q = vb.buf;"]
        lines += (0..<flags).flatMap { ["    if (x & \(1 << $0))", "        opt\($0) = 1;"] }
        lines += ["    if (ptr == NULL)", "        acc = -1;"]
        lines += (0..<sections).flatMap { ["    if (x > \($0)) {", "        acc += q[\($0 % 5)];", "    } else {", "        acc -= \($0);", "    }"] }
        lines += ["    if (n > 0 && ptr != NULL) {", "        acc += ptr[0];", "    }"]
        lines += (0..<flags).flatMap { ["    if (opt\($0))", "        acc *= \($0 + 2);"] }
        lines += ["    if (acc < 0)", "        return NULL;", "    return PyLong_FromLong(acc);", "}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Past the precise walk's steps (2,000 lines, 64 classes a block), the classes that agree on every view
    /// are joined: the findings come back, and the merged walk takes about one step a block.
    func testLongFunctionIsFollowedWithItsClassesJoined() throws {
        let source = FlowGraphTests.longFunction(sections: 400, flags: 5)
        XCTAssertGreaterThan(source.split(separator: "\n").count, 2_000)
        let r = try XCTUnwrap(try analyses(source).first)
        XCTAssertTrue(r.analysis.merged)
        XCTAssertEqual(r.issues?.map(\.rule).sorted(), ["BUF101", "BUF101", "BUF102", "BUF102"])
        XCTAssertLessThanOrEqual(r.analysis.steps, BufferFlowAnalysis.maxSteps + 1 + r.blocks + 16)
        // A short copy of the shape fits the precise walk, with the same findings.
        let short = try XCTUnwrap(try analyses(FlowGraphTests.longFunction(sections: 3, flags: 2)).first)
        XCTAssertFalse(short.analysis.merged)
        XCTAssertEqual(short.issues?.map(\.rule).sorted(), r.issues?.map(\.rule).sorted())
    }

    /// Views that really differ in too many ways still give up, in bounded steps.
    func testTooManyViewStatesStillGiveUp() throws {
        var lines = ["static int many(PyObject *o, int x) {"]
        for v in 0..<8 { lines += ["    Py_buffer v\(v);", "    int has\(v) = 0;"] }
        for v in 0..<8 { lines += ["    if (x & \(1 << v)) {", "        if (PyObject_GetBuffer(o, &v\(v), PyBUF_SIMPLE) < 0)", "            return -1;", "        has\(v) = 1;", "    }"] }
        for v in 0..<8 { lines += ["    if (has\(v))", "        PyBuffer_Release(&v\(v));"] }
        lines += ["    return 0;", "}"]
        let r = try XCTUnwrap(try analyses(lines.joined(separator: "\n") + "\n").first)
        XCTAssertNil(r.issues)
        XCTAssertTrue(r.analysis.merged)
        XCTAssertLessThanOrEqual(r.analysis.steps, 2 * BufferFlowAnalysis.maxSteps + BufferFlowAnalysis.mergedStepsPerBlock * r.blocks + 1)
    }

    /// `&&`, `||` and `!` written in a macro's definition are read there; an operator right before a macro
    /// argument is not (the token before the argument is the call's `,`).
    func testOperatorsSpelledInMacroDefinitions() throws {
        let source = """
            #define USABLE(rc, v) ((rc) == 0 && (v).len > 0)
            #define FAILED(rc) (!((rc) == 0))
            #define BOTH(a, b) (a && b)
            static int f(Py_buffer view, int rc, int x, int y) {
                int a = USABLE(rc, view);
                int b = FAILED(rc);
                int c = BOTH(x, y);
                int d = x || y;
                return a + b + c + d;
            }
            """
        // The operators are read from the translation unit: it must be alive while they are.
        let path = try scratch.write("m.c", "#include <Python.h>\n" + source)
        var args = ["-x", "c", "-w"]
        if let dir = PythonHeaders.defaultIncludeDir() { args.append("-I\(dir)") }
        guard case .parsed(let parsed) = ClangParser().parse(path: path, arguments: args, complete: false) else { return XCTFail("no parse") }
        let fn = try XCTUnwrap(FlowSyntax.definitions(in: parsed.unit).compactMap { FlowSyntax.function($0, unit: parsed.unit) }.first)
        var logical: [String] = [], nots = 0, comparisons: [String] = []
        fn.body.walk { n in
            if n.kind == CXCursor_BinaryOperator {
                if let op = fn.logicalOperator(n) { logical.append(op) } else if let op = fn.binaryOperator(n) { comparisons.append(op) }
            }
            if fn.isLogicalNot(n) { nots += 1 }
        }
        XCTAssertEqual(logical, ["&&", "||"])
        XCTAssertEqual(nots, 1)
        XCTAssertEqual(comparisons.filter { $0 == "==" || $0 == ">" }.sorted(), ["==", "==", ">"])
        withExtendedLifetime(parsed) {}
    }

    /// glibc's `assert` holds a statement expression: its `if` gets blocks of its own, and the side that
    /// calls `__assert_fail` goes nowhere.
    func testAssertStatementExpressionHasItsOwnBlocks() throws {
        var lifted = 0, unreachable = 0
        try graphs("""
            #include <assert.h>
            static int f(int rc) { assert(rc != 0 || rc == 0); return rc; }
            """) { name, r in
            guard name == "f", case .success(let g) = r else { return }
            lifted = g.lifted.count
            unreachable = g.blocks.filter { if case .unreachable = $0.terminator { return true } else { return false } }.count
        }
        XCTAssertEqual(lifted, 1)
        XCTAssertGreaterThanOrEqual(unreachable, 1)
    }

    /// Tests of one expression that each split the path classes (conditions tested again later) stop being
    /// followed past `maxReplays` evaluations: the expression is evaluated whole, and the walk goes on.
    func testManyTestsInOneExpressionAreBounded() throws {
        let k = 12
        var lines = ["static int sum(int x0" + (1..<k).map { ", int x\($0)" }.joined() + ");",
                     "static int many(PyObject *o" + (0..<k).map { ", int x\($0)" }.joined() + ") {", "    Py_buffer view;",
                     "    if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) < 0)", "        return -1;"]
        lines.append("    int t = sum(" + (0..<k).map { "x\($0) ? 1 : 0" }.joined(separator: ", ") + ");")
        for v in 0..<k { lines += ["    if (x\(v))", "        t++;", "    if (x\(v))", "        t--;"] }
        lines += ["    return t;", "}"]
        let r = try XCTUnwrap(try analyses(lines.joined(separator: "\n") + "\n").first)
        XCTAssertEqual(r.issues?.map(\.rule), ["BUF102"])
    }
}
