import CClang

/// A problem found by the analysis, before it becomes a `Finding`.
struct FlowIssue: Equatable {
    var rule: String
    var range: Range<Int>
    var message: String
    /// The API the finding is about: `PyObject_GetBuffer` or `PyBuffer_Release`.
    var function: String
}

/// Follows every `Py_buffer` of one function along the paths of its control-flow
/// graph. A path class is a `PathState`; the states at a block are kept apart
/// (not merged) so that branches on a flag or on the acquisition's result stay
/// correlated with the views they guard. When they are too many, those that agree
/// on every view are joined instead (`run()`).
final class BufferFlowAnalysis {
    let fn: FunctionBody
    let facts: FileFacts
    let graph: ControlFlowGraph
    let text: SourceText
    var issues: [String: FlowIssue] = [:]
    var order: [String] = []
    var nodes: [Int: SyntaxNode] = [:]
    var viewRefs: [String: ViewRef] = [:]
    /// Arrays of views whose elements are acquired but never released or passed on as a whole.
    var trackedArrays: Set<String> = []
    /// Conditions (by text) tested more than once.
    var repeatedConditions: Set<String> = []

    /// Path classes kept per block, and blocks walked, before the precise walk stops.
    static let statesPerBlock = 96
    static let maxSteps = 40_000
    /// Walks of a block allowed to the merged walk, per block of the graph, on top of `maxSteps`: far more
    /// than it needs (about one per block on long functions with one view part), since a view part is
    /// walked again at a block only when it has lost a fact there.
    static let mergedStepsPerBlock = 8

    init(function: FunctionBody, facts: FileFacts, graph: ControlFlowGraph, text: SourceText) {
        fn = function
        self.facts = facts
        self.graph = graph
        self.text = text
        function.root.walk { nodes[$0.id] = $0 }
        findTrackedArrays()
        findRepeatedConditions()
    }

    /// Whether the last `run()` joined path classes (the precise walk had too many).
    private(set) var merged = false
    /// Blocks walked by the last `run()`, both walks together.
    private(set) var steps = 0

    /// The issues, or nil when the paths are too many to follow.
    ///
    /// The precise walk keeps every path class apart. Its classes multiply with every fact set on
    /// one side of a branch and kept until the end (a flag set to a constant, the outcome of a test
    /// made twice, such as `ptr != NULL` of a pointer copied from `view.buf`), facts that tell no two
    /// view states apart; along a long function such a split doubles the work of every block after it.
    /// When the precise walk stops, the merged walk follows the function again with the classes that
    /// agree on every view joined at each block: bounded by the blocks times the view parts, whatever
    /// the length, and never blind to a path the precise walk would follow (it may follow paths that
    /// a dropped fact would have ruled out). Its findings replace what the precise walk found before it stopped.
    func run() -> [FlowIssue]? {
        merged = false
        steps = 0
        if let found = runPrecise() { return found }
        issues = [:]
        order = []
        merged = true
        return runMerged()
    }

    /// Every path class apart; nil past `statesPerBlock` classes at a block or `maxSteps` walks.
    func runPrecise() -> [FlowIssue]? {
        var seen = [Set<PathState>](repeating: [], count: graph.blocks.count)
        var work: [(Int, PathState)] = [(0, PathState())]
        while let (b, start) = work.popLast() {
            if seen[b].contains(start) { continue }
            if seen[b].count >= BufferFlowAnalysis.statesPerBlock { return nil }
            seen[b].insert(start)
            steps += 1
            if steps > BufferFlowAnalysis.maxSteps { return nil }
            work += walk(b, from: start)
        }
        return order.compactMap { issues[$0] }
    }

    /// One path class per view part at each block: the classes that reach a block with the same views,
    /// pointers into them and stores are joined (`PathState.joined`) into the facts they agree on. A
    /// block is walked again for a view part only when its class lost a fact, so each is walked at most
    /// once per fact it can lose, plus once; blocks are taken in reverse postorder, so the classes
    /// reaching a block are mostly joined before it is walked.
    func runMerged() -> [FlowIssue]? {
        let count = graph.blocks.count
        guard count > 0 else { return [] }
        let limit = steps + BufferFlowAnalysis.maxSteps + BufferFlowAnalysis.mergedStepsPerBlock * count
        var walked = [[PathState.ViewPart: PathState]](repeating: [:], count: count)
        var arrived = [[PathState]](repeating: [], count: count)
        var queue = BlockQueue(rank: reversePostorderRanks())
        arrived[0] = [PathState()]
        queue.insert(0)
        while let b = queue.popFirst() {
            var changed: [PathState.ViewPart] = [], isChanged = Set<PathState.ViewPart>()
            for s in arrived[b] {
                let part = s.viewPart
                let old = walked[b][part]
                let next = old.map { $0.joined(with: s) } ?? s
                if next == old { continue }
                // As many view parts as the precise walk had classes: the views themselves differ that much.
                if old == nil && walked[b].count >= BufferFlowAnalysis.statesPerBlock { return nil }
                walked[b][part] = next
                if isChanged.insert(part).inserted { changed.append(part) }
            }
            arrived[b] = []
            for part in changed {
                steps += 1
                if steps > limit { return nil }
                for (t, s) in walk(b, from: walked[b][part]!) {
                    arrived[t].append(s)
                    queue.insert(t)
                }
            }
        }
        return order.compactMap { issues[$0] }
    }

    /// Walks block `b` from `start`: its successors, each with its path class. A step splits the class when
    /// `&&`, `||` or `?:` inside it test what the branches refine (`evaluate`).
    func walk(_ b: Int, from start: PathState) -> [(Int, PathState)] {
        var states = [start]
        for n in graph.blocks[b].steps {
            if states.count == 1 {
                states = evaluate(n, from: states[0])
                continue
            }
            var next: [PathState] = [], kept = Set<PathState>()
            for s in states {
                for r in evaluate(n, from: s) where kept.insert(r).inserted { next.append(r) }
            }
            states = next
        }
        switch graph.blocks[b].terminator {
        case .jump(let t):
            return states.map { (t, $0) }
        case .branch(let cond, let t, let f):
            return states.flatMap { branch(cond, $0, whenTrue: t, whenFalse: f) }
        case .choice(let targets):
            return states.flatMap { s in targets.reversed().map { ($0, s) } }
        case .exit(let kind, let at):
            for s in states { leaving(s, kind: kind, at: at) }
            return []
        case .unreachable:
            return []
        }
    }

    // MARK: - Short-circuit evaluation inside a step

    /// Where the evaluation of one step is: the outcomes it takes at each test of `&&`, `||` and `?:`.
    struct Replay {
        /// The outcome to take at each test, in order (an index into `outcomes`); past its end the tests are new.
        var script: [Int] = []
        var cursor = 0
        /// Scripts still to evaluate: this one's prefix with another outcome at a new test.
        var alternatives: [[Int]] = []
        /// The outcomes of the tests taken so far, by node id: the value of `ok` in `ok = rc == 0 && view.len`.
        var decided: [Int: Bool] = [:]
        /// The step called a function that does not return: no path goes on.
        var dead = false
        /// The evaluation repeats one already made (or is dead): it reports nothing and its state is dropped.
        var silent = false
        /// False: `&&`, `||` and `?:` evaluate every operand (the evaluation before the tests were followed).
        var forking = true
        /// Inside a statement expression that is evaluated as an expression: its statements do not end the path.
        var statementDepth = 0
    }

    var replay = Replay()
    /// Tests met while evaluating one step: (node, outcome, state) triples already followed.
    var replayTests: Set<ReplayTest> = []

    struct ReplayTest: Hashable {
        var node: Int
        var outcome: Bool
        var state: PathState
    }

    /// Evaluations of one step from one state before the step is evaluated without following its tests.
    static let maxReplays = 256

    /// One way through a step: the state after it and the outcomes its tests took (by node id), which a
    /// branch on the step needs to know the value of `(rc < 0 ? (PyErr_SetString(...), -1) : 0) < 0`.
    struct Evaluation: Hashable {
        var state: PathState
        var decided: [Int: Bool]
    }

    /// The states after step `n` from `start` (`evaluations`, told apart by the state only).
    func evaluate(_ n: SyntaxNode, from start: PathState) -> [PathState] {
        let all = evaluations(n, from: start)
        if all.count < 2 { return all.map(\.state) }
        var kept = Set<PathState>()
        return all.compactMap { kept.insert($0.state).inserted ? $0.state : nil }
    }

    /// The ways through step `n` from `start`: one per way through its `&&`, `||` and `?:` that the tests tell
    /// apart, as an `if` would (the operand a test skips is not evaluated); none when it calls a function that
    /// does not return. Each way is an evaluation from the start, following a script of outcomes; one that
    /// reaches a test with a state and outcome met before ends there (what follows is the same).
    func evaluations(_ n: SyntaxNode, from start: PathState) -> [Evaluation] {
        replay = Replay()
        var s = start
        eval(n, &s)
        if replay.alternatives.isEmpty {
            let r = replay
            replay = Replay()
            replayTests = []
            return r.dead || r.silent ? [] : [Evaluation(state: s, decided: r.decided)]
        }
        var results: [Evaluation] = [], kept = Set<Evaluation>()
        func keep(_ state: PathState) {
            guard !replay.dead && !replay.silent else { return }
            let e = Evaluation(state: state, decided: replay.decided)
            if kept.insert(e).inserted { results.append(e) }
        }
        keep(s)
        var scripts = Array(replay.alternatives.reversed())
        var runs = 1
        while let script = scripts.popLast() {
            runs += 1
            if runs > BufferFlowAnalysis.maxReplays {
                // Too many ways through one expression: every operand evaluated, as if the tests decided nothing.
                replay = Replay()
                replay.forking = false
                var whole = start
                eval(n, &whole)
                let dead = replay.dead
                replay = Replay()
                replayTests = []
                return dead ? [] : [Evaluation(state: whole, decided: [:])]
            }
            replay = Replay()
            replay.script = script
            var r = start
            eval(n, &r)
            scripts += replay.alternatives.reversed()
            keep(r)
        }
        replay = Replay()
        replayTests = []
        return results
    }

    /// Evaluates `e` as a test and says which way it went on this evaluation: `&&`, `||`, `!`, `,` and `?:`
    /// taken apart, each elementary test split as a branch splits (`outcomes`).
    func decide(_ e: SyntaxNode, _ s: inout PathState) -> Bool {
        let n = e.stripped
        let result: Bool
        if let op = fn.logicalOperator(n), n.children.count == 2 {
            let l = decide(n.children[0], &s)
            if l == (op == "||") { result = l } else { result = decide(n.children[1], &s) }
        } else if n.kind == CXCursor_BinaryOperator, n.children.count == 2, fn.binaryOperator(n) == "," {
            eval(n.children[0], &s)
            result = decide(n.children[1], &s)
        } else if fn.isLogicalNot(n), let operand = n.children.first {
            result = !decide(operand, &s)
        } else if n.kind == CXCursor_ConditionalOperator, n.children.count == 3 {
            result = decide(n.children[0], &s) ? decide(n.children[1], &s) : decide(n.children[2], &s)
        } else {
            eval(n, &s)
            result = test(n, &s)
        }
        replay.decided[n.id] = result
        return result
    }

    /// One elementary test: its outcome on this evaluation, and the state refined by it.
    func test(_ cond: SyntaxNode, _ s: inout PathState) -> Bool {
        let options = outcomes(cond, s)
        var pick = options.count - 1
        if replay.silent {
            // Repeats a way already followed: any outcome does.
        } else if replay.cursor < replay.script.count {
            pick = replay.script[replay.cursor]
            replay.cursor += 1
        } else {
            // The true side first, as the walk takes it.
            let fresh = options.indices.reversed().filter {
                replayTests.insert(ReplayTest(node: cond.id, outcome: options[$0].0, state: options[$0].1)).inserted
            }
            if let first = fresh.first {
                for k in fresh.dropFirst() { replay.alternatives.append(replay.script + [k]) }
                replay.script.append(first)
                replay.cursor += 1
                pick = first
            } else {
                replay.silent = true
            }
        }
        s = options[pick].1
        return options[pick].0
    }

    func successors(_ b: Int) -> [Int] {
        switch graph.blocks[b].terminator {
        case .jump(let t): return [t]
        case .branch(_, let t, let f): return [t, f]
        case .choice(let targets): return targets
        case .exit, .unreachable: return []
        }
    }

    /// Each block's place in reverse postorder from the entry (Int.max when unreachable): a block
    /// comes after every block that reaches it except through a loop's back edge.
    func reversePostorderRanks() -> [Int] {
        let count = graph.blocks.count
        var rank = [Int](repeating: Int.max, count: count)
        guard count > 0 else { return rank }
        var visited = [Bool](repeating: false, count: count)
        var postorder: [Int] = []
        // The successors are visited last first, so that the first (the true side) comes first.
        var stack: [(block: Int, next: [Int])] = [(0, successors(0))]
        visited[0] = true
        while let top = stack.last {
            if let t = top.next.last {
                stack[stack.count - 1].next.removeLast()
                if !visited[t] {
                    visited[t] = true
                    stack.append((t, successors(t)))
                }
            } else {
                postorder.append(top.block)
                stack.removeLast()
            }
        }
        for (k, b) in postorder.reversed().enumerated() { rank[b] = k }
        return rank
    }

    // MARK: - Reporting

    func report(_ rule: String, at node: SyntaxNode, _ message: String, function: String = "PyObject_GetBuffer") {
        report(rule, range: node.range, id: "\(node.id)", message, function: function)
    }

    func report(_ rule: String, range: Range<Int>, id: String, _ message: String, function: String) {
        guard !replay.silent else { return }
        let key = "\(rule)#\(id)"
        guard issues[key] == nil else { return }
        issues[key] = FlowIssue(rule: rule, range: range, message: message, function: function)
        order.append(key)
    }

    func line(_ offset: Int) -> Int { text.line(of: offset) }
    func line(ofNode id: Int) -> Int { line(nodes[id]?.range.lowerBound ?? 0) }
    func source(_ n: SyntaxNode) -> String {
        let s = text.text(n.range).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        return s.count > 60 ? String(s.prefix(57)) + "..." : s
    }

    // MARK: - Names of views and variables

    func varKey(_ decl: CXCursor) -> String {
        let name = ClangParser.string(clang_getCursorSpelling(decl))
        return "\(name)@\(FlowSyntax.offset(clang_getCursorLocation(decl)))"
    }

    /// A variable local to this function (a parameter, or an automatic variable).
    func isLocal(_ decl: CXCursor) -> Bool {
        let k = clang_getCursorKind(decl)
        if k == CXCursor_ParmDecl { return true }
        guard k == CXCursor_VarDecl else { return false }
        let sc = clang_Cursor_getStorageClass(decl)
        if sc == CX_SC_Static || sc == CX_SC_Extern { return false }
        return FlowSyntax.functionKinds.contains(clang_getCursorKind(clang_getCursorSemanticParent(decl)).rawValue)
            || clang_getCursorKind(clang_getCursorSemanticParent(decl)) == CXCursor_LambdaExpr
    }

    static func isViewType(_ t: String) -> Bool { t.contains("bufferinfo") || t.contains("Py_buffer") }

    /// The view a pointer expression points at (`&view`, `&self->view`, `viewp`), or the view an lvalue names.
    func viewRef(_ e: SyntaxNode) -> ViewRef? {
        let s = e.stripped
        if s.kind == CXCursor_UnaryOperator, let (op, prefix) = fn.unaryOperator(s), prefix, op == "&", let operand = s.children.first {
            return lvalueRef(operand)
        }
        guard s.mentionsView else { return nil }
        if s.isPointerType {
            if s.kind == CXCursor_DeclRefExpr {
                let d = s.referenced
                guard clang_getCursorKind(d) == CXCursor_VarDecl || clang_getCursorKind(d) == CXCursor_ParmDecl else { return nil }
                return remember(ViewRef(key: "*" + varKey(d), owned: false, isArray: false))
            }
            if s.kind == CXCursor_BinaryOperator, let base = s.children.first?.stripped, base.kind == CXCursor_DeclRefExpr, base.isArrayType {
                return remember(ViewRef(key: varKey(base.referenced) + "[]", owned: isLocal(base.referenced), isArray: true))
            }
            return nil
        }
        if s.isArrayType && s.kind == CXCursor_DeclRefExpr {
            return remember(ViewRef(key: varKey(s.referenced) + "[]", owned: isLocal(s.referenced), isArray: true))
        }
        return lvalueRef(s)
    }

    /// The view an lvalue of type `Py_buffer` names.
    func lvalueRef(_ e: SyntaxNode) -> ViewRef? {
        let s = e.stripped
        guard s.mentionsView, !s.canonicalType.utf8.contains(UInt8(ascii: "*")), !s.isArrayType else { return nil }
        switch s.kind {
        case CXCursor_DeclRefExpr:
            let d = s.referenced
            guard clang_getCursorKind(d) == CXCursor_VarDecl || clang_getCursorKind(d) == CXCursor_ParmDecl else { return nil }
            return remember(ViewRef(key: varKey(d), owned: isLocal(d) && clang_getCursorKind(d) == CXCursor_VarDecl, isArray: false))
        case CXCursor_MemberRefExpr:
            guard let base = s.children.first else { return remember(ViewRef(key: "this->" + s.spelling, owned: false, isArray: false)) }
            if fn.isArrow(s) { return remember(ViewRef(key: fn.compactText(base) + "->" + s.spelling, owned: false, isArray: false)) }
            let b = base.stripped
            if b.kind == CXCursor_DeclRefExpr {
                let d = b.referenced
                let owned = isLocal(d) && clang_getCursorKind(d) == CXCursor_VarDecl && !b.canonicalType.contains("&")
                    && !facts.guardTypes.contains(b.canonicalType) && !hasDestructor(b)
                return remember(ViewRef(key: varKey(d) + "." + s.spelling, owned: owned, isArray: false))
            }
            return remember(ViewRef(key: fn.compactText(base) + "." + s.spelling, owned: false, isArray: false))
        case CXCursor_ArraySubscriptExpr:
            guard let base = s.children.first?.stripped else { return nil }
            if base.kind == CXCursor_DeclRefExpr {
                return remember(ViewRef(key: varKey(base.referenced) + "[]", owned: isLocal(base.referenced), isArray: true))
            }
            return remember(ViewRef(key: fn.compactText(base) + "[]", owned: false, isArray: true))
        case CXCursor_UnaryOperator:
            if let (op, prefix) = fn.unaryOperator(s), prefix, op == "*", let operand = s.children.first { return viewRef(operand) }
            return nil
        default:
            return nil
        }
    }

    var destructors: [String: Bool] = [:]

    /// A C++ object with a destructor of its own (declared in a header, say): it may release its views.
    func hasDestructor(_ n: SyntaxNode) -> Bool {
        let t = n.canonicalType
        if let known = destructors[t] { return known }
        let decl = clang_getTypeDeclaration(clang_getCursorType(n.cursor))
        let found = clang_Cursor_isNull(decl) == 0 && FlowSyntax.children(decl).contains { clang_getCursorKind($0) == CXCursor_Destructor }
        destructors[t] = found
        return found
    }

    func remember(_ v: ViewRef) -> ViewRef {
        viewRefs[v.key] = v
        return v
    }

    func tracked(_ v: ViewRef) -> Bool { !v.isArray || trackedArrays.contains(v.key) }

    /// The view whose memory an expression points into: `view.buf`, `(char *)view.buf + n`, a pointer copied from it.
    func derivedView(_ e: SyntaxNode, _ s: PathState) -> String? {
        let n = e.stripped
        switch n.kind {
        case CXCursor_MemberRefExpr:
            guard n.spelling == "buf", let v = memberView(n) else { return nil }
            return v.key
        case CXCursor_DeclRefExpr:
            return s.aliases[varKey(n.referenced)]
        case CXCursor_BinaryOperator:
            // `p + n` points into the view; `p - q` is a distance, an integer that outlives it safely.
            guard let op = fn.binaryOperator(n), op == "+" || op == "-", n.isPointerType else { return nil }
            return n.children.lazy.compactMap { self.derivedView($0, s) }.first
        case CXCursor_UnaryOperator:
            guard let (op, prefix) = fn.unaryOperator(n), prefix, op == "&", let operand = n.children.first?.stripped else { return nil }
            if operand.kind == CXCursor_ArraySubscriptExpr, let base = operand.children.first { return derivedView(base, s) }
            return nil
        case CXCursor_ArraySubscriptExpr:
            return nil
        default:
            return nil
        }
    }

    /// For `view.member` / `viewp->member`: the view.
    func memberView(_ n: SyntaxNode) -> ViewRef? {
        guard let base = n.children.first else { return nil }
        return fn.isArrow(n) ? viewRef(base) : lvalueRef(base)
    }

    static let integerTypes: Set<String> = ["int", "long", "short", "char", "signed char", "unsigned char", "unsigned int", "unsigned long",
                                            "long long", "unsigned long long", "unsigned short", "_Bool", "bool"]

    func isInteger(_ n: SyntaxNode) -> Bool {
        let t = n.canonicalType
        return BufferFlowAnalysis.integerTypes.contains(t) || t.hasPrefix("enum ")
    }

    // MARK: - Expressions

    func eval(_ n: SyntaxNode, _ s: inout PathState) {
        if graph.lifted.contains(n.id) { return }
        switch n.kind {
        case CXCursor_CallExpr:
            call(n, &s)
            if noReturnFunctions.contains(n.spelling) && replay.statementDepth == 0 {
                replay.dead = true
                replay.silent = true
            }
        case CXCursor_UnaryExpr:
            // `sizeof`, `_Alignof`, `noexcept`: the operand is not evaluated.
            return
        case CXCursor_StmtExpr:
            replay.statementDepth += 1
            n.children.forEach { eval($0, &s) }
            replay.statementDepth -= 1
        case CXCursor_ConditionalOperator where replay.forking && n.children.count == 3:
            if decide(n.children[0], &s) { eval(n.children[1], &s) } else { eval(n.children[2], &s) }
        case CXCursor_BinaryOperator where replay.forking && n.children.count == 2 && fn.logicalOperator(n) != nil:
            // The right side is evaluated only when the left one does not decide: `rc != 0 || view.len == 0`.
            let l = decide(n.children[0], &s)
            if l != (fn.logicalOperator(n) == "||") { eval(n.children[1], &s) }
        case CXCursor_BinaryOperator, CXCursor_CompoundAssignOperator:
            guard n.children.count == 2 else { n.children.forEach { eval($0, &s) }; return }
            let op = fn.binaryOperator(n) ?? ""
            if n.kind == CXCursor_CompoundAssignOperator || op == "=" {
                eval(n.children[1], &s)
                write(n.children[0], node: n, &s)
                if op == "=" { assign(n.children[0], n.children[1], node: n, &s) } else { forget(n.children[0], keepAlias: true, &s) }
            } else if (op == "==" || op == "!=") && (isNullPointer(n.children[0]) || isNullPointer(n.children[1])) {
                // Comparing a pointer with NULL reads the pointer, not the memory it points to:
                // no use of a released view's memory (an alias compared alone is skipped).
                for side in n.children where !(isNullPointer(side) || side.stripped.kind == CXCursor_DeclRefExpr) { eval(side, &s) }
            } else {
                eval(n.children[0], &s)
                eval(n.children[1], &s)
            }
        case CXCursor_UnaryOperator where fn.unaryOperator(n)?.op == "!" && n.children.first?.stripped.kind == CXCursor_DeclRefExpr:
            // `!p`: a test of the pointer's value only.
            break
        case CXCursor_UnaryOperator:
            guard let operand = n.children.first else { return }
            let op = fn.unaryOperator(n)?.op ?? ""
            switch op {
            case "&":
                address(operand, &s)
            case "++", "--":
                write(operand, node: n, &s)
                forget(operand, keepAlias: true, &s)
            default:
                eval(operand, &s)
            }
        case CXCursor_DeclRefExpr:
            if let view = s.aliases[varKey(n.referenced)] { aliasRead(view, node: n, &s) }
        case CXCursor_MemberRefExpr:
            if let v = memberView(n) {
                use(v, member: n.spelling, node: n, &s)
            } else {
                n.children.forEach { eval($0, &s) }
            }
        case CXCursor_VarDecl:
            declare(n, &s)
        case CXCursor_LambdaExpr:
            n.walk { m in
                if let v = self.lvalueRef(m) { self.escape(v, &s) }
            }
        case CXCursor_ReturnStmt:
            n.children.forEach { eval($0, &s) }
            if let r = n.children.first, let v = lvalueRef(r) { escape(v, &s) }
        default:
            n.children.forEach { eval($0, &s) }
        }
    }

    func call(_ n: SyntaxNode, _ s: inout PathState) {
        let name = n.spelling
        let args = n.arguments
        if let callee = n.children.first?.stripped, callee.kind == CXCursor_MemberRefExpr, let base = callee.children.first?.stripped,
           base.kind == CXCursor_DeclRefExpr {
            // A method of a local object may release its members.
            let prefix = varKey(base.referenced) + "."
            for k in s.views.keys where k.hasPrefix(prefix) { s.setView(k, .unknown) }
        }
        switch name {
        case "PyObject_GetBuffer" where args.count == 3:
            eval(args[0], &s)
            eval(args[2], &s)
            if let v = viewRef(args[1]) { acquire(v, node: n, writable: writable(args[2]), &s) } else { eval(args[1], &s) }
            return
        case "PyBuffer_Release" where args.count == 1:
            if let v = viewRef(args[0]) { release(v, node: n, &s) } else { eval(args[0], &s) }
            return
        case _ where BufferFlowAnalysis.zeroingFunctions.contains(name):
            if let dest = args.first, let v = viewRef(dest), !v.isArray {
                if tracked(v) { s.setView(v.key, .empty) }
                args.dropFirst().forEach { eval($0, &s) }
                return
            }
        case _ where BufferFlowAnalysis.copyFunctions.contains(name):
            if let dest = args.first, let v = viewRef(dest) {
                escape(v, &s)
                args.dropFirst().forEach { eval($0, &s) }
                return
            }
        default:
            break
        }
        if let d = BufferFlowAnalysis.destinationArgument[name], d < args.count, let v = derivedView(args[d], s) {
            writeCheck(v, node: n, &s)
        }
        let known = BufferFlowAnalysis.readingFunctions.contains(name)
            || (facts.definedFunctions.contains(name) && !facts.keepingFunctions.contains(name))
        for a in args {
            if let v = viewRef(a) {
                if known { use(v, member: "buf", node: a, &s) } else { escape(v, &s) }
                continue
            }
            eval(a, &s)
        }
    }

    static let zeroingFunctions = CFunctions.zeroing
    static let copyFunctions = CFunctions.copying
    /// Functions that write through their destination argument.
    static let destinationArgument: [String: Int] = [
        "memcpy": 0, "memmove": 0, "memset": 0, "strcpy": 0, "strncpy": 0, "strcat": 0, "strncat": 0, "bzero": 0, "sprintf": 0,
        "snprintf": 0, "vsnprintf": 0, "fread": 0, "read": 1, "recv": 1, "bcopy": 1, "__builtin_memcpy": 0, "__builtin_memmove": 0,
        "__builtin_memset": 0, "__builtin___memcpy_chk": 0, "__builtin___memmove_chk": 0, "__builtin___memset_chk": 0,
        "__builtin___strcpy_chk": 0, "__builtin___strncpy_chk": 0, "PyBuffer_FromContiguous": 0, "wmemcpy": 0, "wmemset": 0,
    ]
    /// Functions that read a view they are given and neither keep nor release it.
    static let readingFunctions: Set<String> = ["PyBuffer_IsContiguous", "PyBuffer_GetPointer", "PyBuffer_ToContiguous",
                                                "PyBuffer_FromContiguous", "PyMemoryView_FromBuffer", "PyBuffer_FillContiguousStrides"]

    /// Whether constant flags ask for a writable buffer; nil when they are not constant.
    func writable(_ flags: SyntaxNode) -> Bool? {
        if fn.tokens(in: flags.range).contains(where: { $0.spelling == "PyBUF_WRITE" || $0.spelling == "PyBUF_WRITABLE" }) { return true }
        guard let r = clang_Cursor_Evaluate(flags.cursor) else { return nil }
        defer { clang_EvalResult_dispose(r) }
        guard clang_EvalResult_getKind(r) == CXEval_Int else { return nil }
        return clang_EvalResult_getAsLongLong(r) & 1 != 0
    }

    func acquire(_ v: ViewRef, node: SyntaxNode, writable: Bool?, _ s: inout PathState) {
        guard tracked(v) else { return }
        let prior = s.view(v.key)
        if !v.isArray, v.owned, let a = prior.acquisition, let first = nodes[a.site] {
            report("BUF102", at: first, "the view acquired here is acquired again at line \(line(node.range.lowerBound)) before it is released: the first acquisition leaks (call `PyBuffer_Release` before reusing the view)")
        }
        let failure: FailureState
        switch prior {
        case .uninitialized: failure = .uninitialized
        case .bufNull: failure = .bufNull
        case .empty, .released: failure = .empty
        default: failure = .unknown
        }
        s.setView(v.key, .pending(Acquisition(site: node.id, writable: writable, onFailure: v.isArray ? .unknown : failure)))
        s.stores[v.key] = nil
    }

    func release(_ v: ViewRef, node: SyntaxNode, _ s: inout PathState) {
        guard tracked(v) else { return }
        if v.isArray {
            s.setView(v.key, .unknown)
            return
        }
        let what = source(node)
        switch s.view(v.key) {
        case .uninitialized(let failedAt):
            if let f = failedAt {
                report("BUF103", at: node, "`\(what)` after the acquisition at line \(line(ofNode: f)) failed: the view was left uninitialised, so the release reads a garbage `obj` (zero-initialise the view, or release only on the success path)", function: "PyBuffer_Release")
            } else {
                report("BUF103", at: node, "`\(what)` releases a view that was never filled: its `obj` is uninitialised (initialise it with `= {NULL, NULL}` or release only after a successful `PyObject_GetBuffer`)", function: "PyBuffer_Release")
            }
            s.setView(v.key, .unknown)
        case .bufNull:
            report("BUF103", at: node, "`\(what)` releases a view that was never filled: only its `buf` was set to NULL, its `obj` is uninitialised (initialise the whole view with `= {NULL, NULL}`)", function: "PyBuffer_Release")
            s.setView(v.key, .unknown)
        case .empty:
            break
        case .released(let at):
            report("BUF103", at: node, "`\(what)` releases a view already released at line \(line(ofNode: at)) on this path (release each acquisition once, or zero the view after releasing it)", function: "PyBuffer_Release")
            s.setView(v.key, .unknown)
        case .pending, .acquired:
            if let store = s.stores[v.key], let storeNode = nodes[store] {
                report("BUF104", at: storeNode, "`\(source(storeNode))` hands out a pointer into the view's memory, but the view is released at line \(line(node.range.lowerBound)) before the function returns: the caller reads released memory", function: "PyBuffer_Release")
            }
            s.setView(v.key, .released(at: node.id))
        case .unknown:
            s.setView(v.key, .released(at: node.id))
        }
        s.stores[v.key] = nil
    }

    static let memoryMembers: Set<String> = ["buf", "len", "shape", "strides", "suboffsets", "format", "internal"]

    /// A read of `member` of a view (or of the view through a known function).
    func use(_ v: ViewRef, member: String, node: SyntaxNode, _ s: inout PathState) {
        guard tracked(v) else { return }
        switch s.view(v.key) {
        case .pending(let a):
            guard member != "obj" else { return }
            report("BUF101", at: node, "`\(source(node))` is used before the result of `PyObject_GetBuffer` (line \(line(ofNode: a.site))) is checked: when the call fails the view is not filled and an exception is set")
            // Reported once: from here on the path is the one where the call succeeded.
            s.setView(v.key, .acquired(a))
            for (name, fact) in s.integers where fact == .acquisitionResult(v.key) { s.integers[name] = .constant(0) }
        case _ where s.failed[v.key] != nil:
            // Read where a test of the result says the call failed: `rc == 0 || view.len == 0`.
            guard member != "obj", let failedAt = s.failed[v.key] else { return }
            report("BUF101", at: node, "`\(source(node))` is read where the result of `PyObject_GetBuffer` (line \(line(ofNode: failedAt))) says the call failed: the view is not filled and an exception is set (read the view only on the success side of the test)")
        case .released(let at):
            guard BufferFlowAnalysis.memoryMembers.contains(member) else { return }
            report("BUF104", at: node, "`\(source(node))` is read after the view was released at line \(line(ofNode: at)): the memory may already be freed or resized", function: "PyBuffer_Release")
        default:
            break
        }
    }

    /// `NULL`, `0` or `nullptr`, through parentheses and casts.
    func isNullPointer(_ n: SyntaxNode) -> Bool {
        ["NULL", "0", "nullptr", "( ( void * ) 0 )"].contains(fn.compactText(n)) || n.stripped.kind == CXCursor_CXXNullPtrLiteralExpr
    }

    func aliasRead(_ view: String, node: SyntaxNode, _ s: inout PathState) {
        if case .released(let at) = s.view(view) {
            report("BUF104", at: node, "`\(source(node))` points into the view released at line \(line(ofNode: at)): the memory may already be freed or resized", function: "PyBuffer_Release")
        }
    }

    func writeCheck(_ view: String, node: SyntaxNode, _ s: inout PathState) {
        guard let a = s.view(view).acquisition, a.writable == false, let site = nodes[a.site] else { return }
        report("BUF106", at: node, "memory is written through the view acquired at line \(line(site.range.lowerBound)) without `PyBUF_WRITABLE`: a read-only exporter (bytes) would be modified; request `PyBUF_WRITABLE`")
    }

    func escape(_ v: ViewRef, _ s: inout PathState) {
        guard tracked(v) else { return }
        s.setView(v.key, .unknown)
        s.stores[v.key] = nil
    }

    /// `&x` outside a known call: a view's address escapes, a variable may change.
    func address(_ operand: SyntaxNode, _ s: inout PathState) {
        if let v = lvalueRef(operand) {
            escape(v, &s)
            return
        }
        let o = operand.stripped
        if o.kind == CXCursor_DeclRefExpr {
            forget(o, keepAlias: false, &s)
            return
        }
        eval(operand, &s)
    }

    /// The left side of an assignment: what it reads on the way, and writes through a view.
    func write(_ lhs: SyntaxNode, node: SyntaxNode, _ s: inout PathState) {
        let l = lhs.stripped
        switch l.kind {
        case CXCursor_UnaryOperator:
            guard let target = l.children.first else { return }
            eval(target, &s)
            if let v = derivedView(target, s) { writeCheck(v, node: node, &s) }
        case CXCursor_ArraySubscriptExpr:
            l.children.forEach { eval($0, &s) }
            if let base = l.children.first, let v = derivedView(base, s) { writeCheck(v, node: node, &s) }
        case CXCursor_MemberRefExpr:
            if let v = memberView(l) {
                s.failed[v.key] = nil
                return
            }
            guard let base = l.children.first else { return }
            if fn.isArrow(l) {
                eval(base, &s)
                if let v = derivedView(base, s) { writeCheck(v, node: node, &s) }
            } else {
                write(base, node: node, &s)
            }
        case CXCursor_DeclRefExpr:
            break
        default:
            eval(l, &s)
        }
    }

    /// A variable that changed in a way the analysis does not follow.
    func forget(_ lhs: SyntaxNode, keepAlias: Bool, _ s: inout PathState) {
        let l = lhs.stripped
        guard l.kind == CXCursor_DeclRefExpr else { return }
        let k = varKey(l.referenced)
        s.integers[k] = nil
        if !keepAlias { s.aliases[k] = nil }
        invalidateConditions(naming: l.spelling, &s)
    }

    func invalidateConditions(naming name: String, _ s: inout PathState) {
        guard !s.conditions.isEmpty else { return }
        for k in s.conditions.keys where k.split(separator: " ").contains(Substring(name)) { s.conditions[k] = nil }
    }

    func assign(_ lhs: SyntaxNode, _ rhs: SyntaxNode, node: SyntaxNode, _ s: inout PathState) {
        let l = lhs.stripped, r = rhs.stripped
        if let v = lvalueRef(r) { escape(v, &s) }
        switch l.kind {
        case CXCursor_DeclRefExpr:
            let d = l.referenced
            let k = varKey(d)
            invalidateConditions(naming: l.spelling, &s)
            if let v = lvalueRef(l) { escape(v, &s); return }
            if isInteger(l) { s.integers[k] = integerFact(r, s) }
            s.aliases[k] = derivedView(r, s)
            if l.canonicalType.hasSuffix("*") && BufferFlowAnalysis.isViewType(l.canonicalType) { s.setView("*" + k, nil) }
            if !isLocal(d), let v = derivedView(r, s), viewRefs[v]?.owned == true { s.stores[v] = node.id }
        case CXCursor_MemberRefExpr:
            if let v = memberView(l), tracked(v) {
                // The view filled by hand after a failed acquisition.
                s.failed[v.key] = nil
                if l.spelling == "obj" && constValue(r) == 0 { s.setView(v.key, .empty) }
                if l.spelling == "buf" && constValue(r) == 0, case .uninitialized = s.view(v.key) { s.setView(v.key, .bufNull) }
                return
            }
            if let v = lvalueRef(l) { escape(v, &s); return }
            if let v = derivedView(r, s), viewRefs[v]?.owned == true, escapesToCaller(l) { s.stores[v] = node.id }
        default:
            if let v = derivedView(r, s), viewRefs[v]?.owned == true, escapesToCaller(l) { s.stores[v] = node.id }
        }
    }

    /// An lvalue the caller can see after the function returns: through a parameter, in a global, in `this`.
    func escapesToCaller(_ lhs: SyntaxNode) -> Bool {
        var n = lhs.stripped
        var indirect = false
        while true {
            switch n.kind {
            case CXCursor_MemberRefExpr:
                guard let base = n.children.first else { return true }
                if fn.isArrow(n) { indirect = true }
                n = base.stripped
            case CXCursor_ArraySubscriptExpr, CXCursor_UnaryOperator:
                guard let base = n.children.first else { return false }
                indirect = true
                n = base.stripped
            case CXCursor_CXXThisExpr:
                return true
            case CXCursor_DeclRefExpr:
                let d = n.referenced
                if clang_getCursorKind(d) == CXCursor_ParmDecl { return indirect }
                return !isLocal(d) && clang_getCursorKind(d) == CXCursor_VarDecl
            default:
                return false
            }
        }
    }

    func declare(_ n: SyntaxNode, _ s: inout PathState) {
        let initializer = n.children.last(where: { clang_isExpression($0.kind) != 0 })
        if let i = initializer { eval(i, &s) }
        let k = varKey(n.cursor)
        let t = n.canonicalType
        invalidateConditions(naming: n.spelling, &s)
        if BufferFlowAnalysis.isViewType(t) && !t.contains("*") && !t.contains("[") {
            let v = remember(ViewRef(key: k, owned: isLocal(n.cursor), isArray: false))
            if v.owned, let a = s.view(k).acquisition, let site = nodes[a.site] {
                report("BUF102", at: site, "the view acquired here is not released before its variable is declared again at line \(line(n.range.lowerBound)) (the next iteration): the acquisition leaks")
            }
            if !v.owned {
                s.setView(k, .unknown)
            } else if let i = initializer?.stripped {
                s.setView(k, i.kind == CXCursor_InitListExpr ? .empty : .unknown)
            } else {
                s.setView(k, .uninitialized(failedAt: nil))
            }
            s.stores[k] = nil
            return
        }
        let prefix = k + "."
        for key in s.views.keys where key.hasPrefix(prefix) { s.setView(key, nil) }
        s.integers[k] = nil
        s.aliases[k] = nil
        s.setView("*" + k, nil)
        guard let i = initializer else { return }
        if isInteger(n) { s.integers[k] = integerFact(i, s) }
        s.aliases[k] = derivedView(i, s)
    }

    func integerFact(_ r: SyntaxNode, _ s: PathState) -> IntegerFact? {
        let n = r.stripped
        if let c = constValue(n) { return .constant(c) }
        if n.isCall, n.spelling == "PyObject_GetBuffer", n.arguments.count == 3, let v = viewRef(n.arguments[1]), tracked(v) { return .acquisitionResult(v.key) }
        if n.kind == CXCursor_DeclRefExpr { return s.integers[varKey(n.referenced)] }
        if n.kind == CXCursor_BinaryOperator, fn.binaryOperator(n) == "=", let rhs = n.children.last { return integerFact(rhs, s) }
        // An expression of known values, such as `(rc != 0)` once `rc` is known.
        return value(n, s, [:]).map { .constant($0) }
    }

    func constValue(_ e: SyntaxNode) -> Int? {
        let n = e.stripped
        switch n.kind {
        case CXCursor_IntegerLiteral, CXCursor_CharacterLiteral, CXCursor_CXXBoolLiteralExpr:
            if let t = fn.tokens(in: n.range).first, n.range.count == t.end - t.offset {
                var s = t.spelling.lowercased()
                if s == "true" { return 1 }
                if s == "false" { return 0 }
                while let last = s.last, last == "u" || last == "l" { s.removeLast() }
                if s.hasPrefix("0x"), let v = Int(s.dropFirst(2), radix: 16) { return v }
                if s.count > 1, s.hasPrefix("0"), let v = Int(s.dropFirst(), radix: 8) { return v }
                if let v = Int(s) { return v }
            }
            guard let r = clang_Cursor_Evaluate(n.cursor) else { return nil }
            defer { clang_EvalResult_dispose(r) }
            return clang_EvalResult_getKind(r) == CXEval_Int ? Int(clang_EvalResult_getAsLongLong(r)) : nil
        case CXCursor_GNUNullExpr, CXCursor_CXXNullPtrLiteralExpr:
            return 0
        case CXCursor_UnaryOperator:
            guard let (op, prefix) = fn.unaryOperator(n), prefix, let c = n.children.first.flatMap(constValue) else { return nil }
            switch op {
            case "-": return -c
            case "+": return c
            case "!": return c == 0 ? 1 : 0
            case "~": return ~c
            default: return nil
            }
        default:
            return nil
        }
    }

    // MARK: - Branches

    /// The successors of a branch, each with the path state refined by the branch's outcome.
    func branch(_ cond: SyntaxNode, _ state: PathState, whenTrue t: Int, whenFalse f: Int) -> [(Int, PathState)] {
        // A condition that is a variable alone tests its value: a pointer's, not the memory behind it.
        let ways = cond.stripped.kind == CXCursor_DeclRefExpr ? [Evaluation(state: state, decided: [:])] : evaluations(cond, from: state)
        return ways.flatMap { e -> [(Int, PathState)] in
            // The value of the condition follows the outcomes its own tests took.
            replay.decided = e.decided
            defer { replay.decided = [:] }
            return outcomes(cond, e.state).map { ($0.0 ? t : f, $0.1) }
        }
    }

    /// The outcomes of a test evaluated in `s`, each with the state it refines: a pending acquisition the test
    /// reads succeeded on one side and failed on the other, a condition tested again keeps its outcome.
    func outcomes(_ cond: SyntaxNode, _ s: PathState) -> [(Bool, PathState)] {
        let keys = pendingKeys(cond, s)
        var choices: [[String: Int]] = [[:]]
        for k in keys.prefix(3) { choices = choices.flatMap { c in [0, -1].map { var d = c; d[k] = $0; return d } } }
        var out: [(Bool, PathState)] = []
        let named = conditionKey(cond)
        for choice in choices {
            var r = s
            for (k, c) in choice {
                guard case .pending(let a) = r.view(k) else { continue }
                r.setView(k, c == 0 ? .acquired(a) : ViewState(failure: a.onFailure, site: a.site))
                if c != 0 && viewRefs[k]?.isArray == false { r.failed[k] = a.site }
                for (name, fact) in r.integers where fact == .acquisitionResult(k) { r.integers[name] = .constant(c) }
            }
            if let v = value(cond, s, choice) {
                out.append((v != 0, r))
            } else if let (key, trueMeans) = named {
                if let known = r.conditions[key] {
                    out.append((known == trueMeans, r))
                } else {
                    var a = r, b = r
                    a.conditions[key] = trueMeans
                    b.conditions[key] = !trueMeans
                    out.append((false, b))
                    out.append((true, a))
                }
            } else {
                out.append((false, r))
                out.append((true, r))
            }
        }
        return out
    }

    /// Views whose pending acquisition the condition tests.
    func pendingKeys(_ cond: SyntaxNode, _ s: PathState) -> [String] {
        var keys: [String] = []
        func add(_ k: String) {
            if case .pending = s.view(k), !keys.contains(k) { keys.append(k) }
        }
        cond.walk { n in
            switch n.kind {
            case CXCursor_CallExpr:
                if n.spelling == "PyObject_GetBuffer", n.arguments.count == 3, let v = self.viewRef(n.arguments[1]) { add(v.key) }
            case CXCursor_DeclRefExpr:
                if case .acquisitionResult(let k)? = s.integers[self.varKey(n.referenced)] { add(k) }
            case CXCursor_MemberRefExpr:
                if n.spelling == "buf" || n.spelling == "obj", let v = self.memberView(n) { add(v.key) }
            default:
                break
            }
        }
        return keys
    }

    /// A condition's value on a path, with pending acquisitions decided by `choice` (0 success, -1 failure).
    func value(_ e: SyntaxNode, _ s: PathState, _ choice: [String: Int]) -> Int? {
        let n = e.stripped
        if let d = replay.decided[n.id] { return d ? 1 : 0 }
        switch n.kind {
        case CXCursor_IntegerLiteral, CXCursor_CharacterLiteral, CXCursor_CXXBoolLiteralExpr, CXCursor_GNUNullExpr, CXCursor_CXXNullPtrLiteralExpr:
            return constValue(n)
        case CXCursor_CallExpr:
            // `likely(x)` / `unlikely(x)`: `__builtin_expect(!!(x), 1)` has the value of its first argument.
            if n.spelling == "__builtin_expect", let first = n.arguments.first { return value(first, s, choice) }
            guard n.spelling == "PyObject_GetBuffer", n.arguments.count == 3, let v = viewRef(n.arguments[1]) else { return nil }
            return choice[v.key]
        case CXCursor_DeclRefExpr:
            if clang_getCursorKind(n.referenced) == CXCursor_EnumConstantDecl { return Int(clang_getEnumConstantDeclValue(n.referenced)) }
            switch s.integers[varKey(n.referenced)] {
            case .constant(let c)?: return c
            case .acquisitionResult(let k)?: return choice[k]
            case nil: return nil
            }
        case CXCursor_MemberRefExpr:
            guard n.spelling == "buf" || n.spelling == "obj", let v = memberView(n), tracked(v), !v.isArray else { return nil }
            var state = s.view(v.key)
            if case .pending(let a) = state {
                guard let c = choice[v.key] else { return nil }
                state = c == 0 ? .acquired(a) : ViewState(failure: a.onFailure, site: a.site)
            }
            switch state {
            case .acquired: return 1
            case .empty: return 0
            case .released: return n.spelling == "buf" ? 1 : 0
            case .bufNull: return n.spelling == "buf" ? 0 : nil
            default: return nil
            }
        case CXCursor_UnaryOperator:
            guard let operand = n.children.first else { return nil }
            if fn.unaryOperator(n) == nil, fn.isLogicalNot(n) {
                // A `!` written in a macro's definition: `#define FAILED(rc) (!((rc) == 0))`.
                guard let c = value(operand, s, choice) else { return nil }
                return c == 0 ? 1 : 0
            }
            guard let (op, prefix) = fn.unaryOperator(n) else {
                // Two operators spelled inside a macro (`!!(x)` of `unlikely(x)`): any pair of `!`, `-`, `~`
                // keeps whether the value is zero, which is all a branch needs.
                let inner = operand.stripped
                guard inner.kind == CXCursor_UnaryOperator, fn.unaryOperator(inner) == nil, let x = inner.children.first,
                      let v = value(x, s, choice) else { return nil }
                return v != 0 ? 1 : 0
            }
            guard prefix else { return nil }
            if op == "!" {
                guard let c = value(operand, s, choice) else { return nil }
                return c == 0 ? 1 : 0
            }
            guard let c = value(operand, s, choice) else { return nil }
            switch op {
            case "-": return -c
            case "+": return c
            case "~": return ~c
            default: return nil
            }
        case CXCursor_BinaryOperator:
            guard n.children.count == 2, let op = fn.binaryOperator(n) else { return nil }
            if op == "=" || op == "," { return value(n.children[1], s, choice) }
            let a = value(n.children[0], s, choice)
            if op == "&&", a == 0 { return 0 }
            if op == "||", let a, a != 0 { return 1 }
            guard let a, let b = value(n.children[1], s, choice) else { return nil }
            switch op {
            case "<": return a < b ? 1 : 0
            case "<=": return a <= b ? 1 : 0
            case ">": return a > b ? 1 : 0
            case ">=": return a >= b ? 1 : 0
            case "==": return a == b ? 1 : 0
            case "!=": return a != b ? 1 : 0
            case "&&": return a != 0 && b != 0 ? 1 : 0
            case "||": return a != 0 || b != 0 ? 1 : 0
            case "+": return a &+ b
            case "-": return a &- b
            case "&": return a & b
            case "|": return a | b
            default: return nil
            }
        case CXCursor_ConditionalOperator:
            guard n.children.count == 3, let c = value(n.children[0], s, choice) else { return nil }
            return value(n.children[c != 0 ? 1 : 2], s, choice)
        default:
            return nil
        }
    }

    /// A side-effect-free condition as (text, whether "true" means the text holds): `p != NULL` and `p` name the same fact.
    func conditionKey(_ cond: SyntaxNode) -> (String, Bool)? {
        let n = cond.stripped
        let impure = n.contains(where: { m in
            m.isCall || m.kind == CXCursor_CompoundAssignOperator
                || (m.kind == CXCursor_BinaryOperator && self.fn.binaryOperator(m) == "=")
                || (m.kind == CXCursor_UnaryOperator && ["++", "--"].contains(self.fn.unaryOperator(m)?.op ?? ""))
        })
        if impure { return nil }
        var key = fn.compactText(n), trueMeans = true
        if n.kind == CXCursor_BinaryOperator, n.children.count == 2, let op = fn.binaryOperator(n), op == "==" || op == "!=" {
            if constValue(n.children[1]) == 0 {
                key = fn.compactText(n.children[0].stripped)
                trueMeans = op == "!="
            } else if constValue(n.children[0]) == 0 {
                key = fn.compactText(n.children[1].stripped)
                trueMeans = op == "!="
            } else {
                key = fn.compactText(n.children[0]) + " == " + fn.compactText(n.children[1])
                trueMeans = op == "=="
            }
        }
        guard repeatedConditions.contains(key) else { return nil }
        return (key, trueMeans)
    }

    /// Conditions (by text) that more than one branch tests. The text of a node inside a macro's expansion is
    /// the text of the macro's use (`ARG_MANDATORY`, `SET_EXC(res, db)`), the same for every condition the
    /// expansion holds: a text two branches with overlapping ranges share names no single condition, and is left out.
    func findRepeatedConditions() {
        var seen: [String: [(range: Range<Int>, node: Int)]] = [:]
        var ambiguous = Set<String>()
        for b in graph.blocks {
            guard case .branch(let cond, _, _) = b.terminator else { continue }
            let n = cond.stripped
            var key = fn.compactText(n)
            if n.kind == CXCursor_BinaryOperator, n.children.count == 2, let op = fn.binaryOperator(n), op == "==" || op == "!=" {
                if constValue(n.children[1]) == 0 { key = fn.compactText(n.children[0].stripped) }
                else if constValue(n.children[0]) == 0 { key = fn.compactText(n.children[1].stripped) }
                else { key = fn.compactText(n.children[0]) + " == " + fn.compactText(n.children[1]) }
            }
            if key.isEmpty { continue }
            let range = n.range.isEmpty ? n.range.lowerBound..<(n.range.lowerBound + 1) : n.range
            if seen[key, default: []].contains(where: { $0.node != n.id && $0.range.overlaps(range) }) { ambiguous.insert(key) }
            seen[key, default: []].append((range, n.id))
        }
        repeatedConditions = Set(seen.filter { $0.value.count > 1 && !ambiguous.contains($0.key) }.keys)
    }

    /// Local arrays of views whose elements are acquired and never released nor handed on as a whole.
    func findTrackedArrays() {
        var candidates = Set<String>(), excluded = Set<String>()
        func visit(_ n: SyntaxNode, parent: SyntaxNode?, inRelease: Bool) {
            if n.kind == CXCursor_DeclRefExpr, n.mentionsView, n.isArrayType || (n.isPointerType && allocatedHere(n.referenced)) {
                let k = varKey(n.referenced) + "[]"
                candidates.insert(k)
                if inRelease || parent?.kind != CXCursor_ArraySubscriptExpr || !isLocal(n.referenced) { excluded.insert(k) }
            }
            let releasing = inRelease || (n.isCall && n.spelling == "PyBuffer_Release")
            let transparent = n.kind == CXCursor_UnexposedExpr || n.kind == CXCursor_ParenExpr
            for c in n.children { visit(c, parent: transparent ? parent : n, inRelease: releasing) }
        }
        visit(fn.body, parent: nil, inRelease: false)
        trackedArrays = candidates.subtracting(excluded)
    }

    static let allocationFunctions: Set<String> = ["alloca", "__builtin_alloca", "malloc", "calloc", "PyMem_Malloc", "PyMem_Calloc",
                                                   "PyMem_RawMalloc", "PyMem_RawCalloc", "PyObject_Malloc", "PyObject_Calloc"]

    /// A local pointer initialised with fresh memory (`alloca`, `malloc`, `PyMem_New`): its views belong to the function.
    func allocatedHere(_ decl: CXCursor) -> Bool {
        guard clang_getCursorKind(decl) == CXCursor_VarDecl, isLocal(decl) else { return false }
        let at = FlowSyntax.offset(clang_getCursorLocation(decl))
        var found = false
        fn.body.walk { n in
            guard !found, n.kind == CXCursor_VarDecl, FlowSyntax.offset(clang_getCursorLocation(n.cursor)) == at,
                  let i = n.children.last(where: { clang_isExpression($0.kind) != 0 })?.stripped else { return }
            found = i.isCall && BufferFlowAnalysis.allocationFunctions.contains(i.spelling)
        }
        return found
    }

    // MARK: - Leaving the function

    func leaving(_ s: PathState, kind: ExitKind, at: Int) {
        for (k, st) in s.views.sorted(by: { $0.key < $1.key }) {
            guard viewRefs[k]?.owned == true, let a = st.acquisition, let site = nodes[a.site] else { continue }
            let how: String
            switch kind {
            case .returnStatement: how = "the return at line \(line(at))"
            case .endOfFunction: how = "the end of the function (line \(line(at)))"
            case .exception: how = "the exception thrown at line \(line(at))"
            }
            report("BUF102", at: site, "the view acquired here is not released on the path that leaves the function through \(how): call `PyBuffer_Release` on every path after a successful acquisition")
        }
    }

    // MARK: - Flags that need no paths

    /// `PyBUF_READ` / `PyBUF_WRITE` given to `PyObject_GetBuffer`.
    func memoryviewFlags() {
        fn.body.walk { n in
            guard n.isCall, n.spelling == "PyObject_GetBuffer", n.arguments.count == 3 else { return }
            for t in fn.tokens(in: n.arguments[2].range) where t.kind == CXToken_Identifier && (t.spelling == "PyBUF_READ" || t.spelling == "PyBUF_WRITE") {
                let instead = t.spelling == "PyBUF_READ" ? "PyBUF_SIMPLE" : "PyBUF_WRITABLE"
                report("BUF105", range: t.offset..<t.end, id: "t\(t.offset)",
                       "`\(t.spelling)` is a memoryview flag (for `PyMemoryView_FromMemory`), not a buffer request flag: `PyObject_GetBuffer` rejects it; use `\(instead)`",
                       function: "PyObject_GetBuffer")
            }
        }
    }
}

/// Blocks waiting for a walk, the first in reverse postorder first (a binary heap on the rank).
struct BlockQueue {
    let rank: [Int]
    private var heap: [Int] = []
    private var queued: [Bool]

    init(rank: [Int]) {
        self.rank = rank
        queued = [Bool](repeating: false, count: rank.count)
    }

    mutating func insert(_ b: Int) {
        guard !queued[b] else { return }
        queued[b] = true
        heap.append(b)
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if less(heap[p], heap[i]) { break }
            heap.swapAt(p, i)
            i = p
        }
    }

    mutating func popFirst() -> Int? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(heap[l], heap[m]) { m = l }
                if r < heap.count && less(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        queued[first] = false
        return first
    }

    private func less(_ a: Int, _ b: Int) -> Bool { rank[a] != rank[b] ? rank[a] < rank[b] : a < b }
}
