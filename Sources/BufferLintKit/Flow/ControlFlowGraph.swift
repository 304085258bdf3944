import CClang

/// How a path leaves a function.
enum ExitKind: Equatable {
    case returnStatement
    case endOfFunction
    case exception

    var description: String {
        switch self {
        case .returnStatement: return "return"
        case .endOfFunction: return "end of the function"
        case .exception: return "exception"
        }
    }
}

/// The end of a basic block.
enum Terminator {
    case jump(Int)
    /// Evaluates the condition, then goes to one side (or both when unknown).
    case branch(SyntaxNode, whenTrue: Int, whenFalse: Int)
    /// Any of these (a switch's cases, a call that may throw).
    case choice([Int])
    /// Leaves the function; `at` is the byte offset of the statement that leaves.
    case exit(ExitKind, at: Int)
    /// No path continues (after a call that does not return).
    case unreachable
}

struct FlowBlock {
    /// Statements and expressions evaluated in order.
    var steps: [SyntaxNode] = []
    var terminator: Terminator = .unreachable
}

/// A function's control-flow graph; block 0 is the entry.
struct ControlFlowGraph {
    var blocks: [FlowBlock]
    /// Statement expressions (`({ ... })`, as in glibc's `assert`) whose statements have blocks of their own:
    /// the step that holds one does not evaluate it again.
    var lifted: Set<Int> = []

    /// The graph of a function body, or why it cannot be built (computed goto, setjmp).
    static func build(_ function: FunctionBody, facts: FileFacts, isCPlusPlus: Bool) -> Result<ControlFlowGraph, Unsupported> {
        let b = CFGBuilder(function: function, facts: facts, isCPlusPlus: isCPlusPlus)
        return b.build()
    }

    struct Unsupported: Error { let reason: String }
}

let noReturnFunctions = CFunctions.noReturn
let setjmpFunctions = CFunctions.returnTwice

final class CFGBuilder {
    let function: FunctionBody
    let facts: FileFacts
    let isCPlusPlus: Bool
    var blocks: [FlowBlock] = [FlowBlock()]
    var current: Int? = 0
    var labels: [String: Int] = [:]
    var gotos: [(block: Int, label: String)] = []
    var breakTargets: [Int] = []
    var continueTargets: [Int] = []
    var switchCases: [[Int]] = []
    var switchHasDefault: [Bool] = []
    /// Per enclosing `try`: the entries of its handlers and whether one catches everything.
    var handlers: [(entries: [Int], catchesAll: Bool)] = []
    var lifted: Set<Int> = []

    init(function: FunctionBody, facts: FileFacts, isCPlusPlus: Bool) {
        self.function = function
        self.facts = facts
        self.isCPlusPlus = isCPlusPlus
    }

    func build() -> Result<ControlFlowGraph, ControlFlowGraph.Unsupported> {
        if function.body.contains(where: { $0.kind == CXCursor_IndirectGotoStmt || $0.kind == CXCursor_AddrLabelExpr }) {
            return .failure(.init(reason: "computed goto"))
        }
        if function.body.contains(where: { $0.isCall && setjmpFunctions.contains($0.spelling) }) {
            return .failure(.init(reason: "setjmp"))
        }
        statement(function.body)
        if let c = current {
            blocks[c].terminator = .exit(.endOfFunction, at: max(function.body.range.upperBound - 1, function.body.range.lowerBound))
        }
        for g in gotos {
            guard let target = labels[g.label] else { return .failure(.init(reason: "goto to an unknown label")) }
            blocks[g.block].terminator = .jump(target)
        }
        return .success(ControlFlowGraph(blocks: blocks, lifted: lifted))
    }

    func newBlock() -> Int {
        blocks.append(FlowBlock())
        return blocks.count - 1
    }

    /// The current block, or a fresh unreachable one for dead code.
    func here() -> Int {
        if let c = current { return c }
        let b = newBlock()
        current = b
        return b
    }

    func finish(_ t: Terminator) {
        guard let c = current else { return }
        blocks[c].terminator = t
        current = nil
    }

    /// Continues in `b`, falling through from the current block.
    func start(_ b: Int) {
        finish(.jump(b))
        current = b
    }

    func append(_ n: SyntaxNode) {
        liftStatementExpressions(n)
        blocks[here()].steps.append(n)
    }

    /// Builds the statements of the statement expressions `n` always evaluates, before `n` (glibc's `assert` is
    /// `((void) sizeof ((expr) ? 1 : 0), __extension__ ({ if (expr) ; else __assert_fail (...); }))`), so that
    /// their branches and calls that do not return shape the paths. One on a side of `&&`, `||` or `?:` that
    /// may not be evaluated stays part of its expression, and so does one in `sizeof` or in a lambda.
    func liftStatementExpressions(_ n: SyntaxNode) {
        func visit(_ m: SyntaxNode, top: Bool) {
            switch m.kind {
            case CXCursor_StmtExpr:
                guard let body = m.children.first(where: { $0.kind == CXCursor_CompoundStmt }) else { return }
                lifted.insert(m.id)
                statement(body)
            case CXCursor_LambdaExpr, CXCursor_BlockExpr, CXCursor_UnaryExpr:
                return
            case CXCursor_ConditionalOperator:
                if let c = m.children.first { visit(c, top: false) }
            case CXCursor_BinaryOperator where function.logicalOperator(m) != nil:
                if let l = m.children.first { visit(l, top: false) }
            default:
                // Statements inside a statement that is a step (one the builder could not take apart) are not lifted.
                if !top && clang_isStatement(m.kind) != 0 && m.kind != CXCursor_DeclStmt { return }
                for c in m.children { visit(c, top: false) }
            }
        }
        visit(n, top: true)
    }

    func isExpression(_ n: SyntaxNode) -> Bool { clang_isExpression(n.kind) != 0 }

    func statement(_ n: SyntaxNode) {
        switch n.kind {
        case CXCursor_CompoundStmt:
            n.children.forEach(statement)
        case CXCursor_NullStmt:
            break
        case CXCursor_IfStmt:
            guard let ci = n.children.firstIndex(where: isExpression) else { append(n); return }
            n.children[..<ci].forEach(append)
            let rest = Array(n.children[(ci + 1)...])
            guard let then = rest.first else { append(n.children[ci]); return }
            let thenBlock = newBlock(), join = newBlock()
            let elseBlock = rest.count > 1 ? newBlock() : join
            _ = here()
            condition(n.children[ci], whenTrue: thenBlock, whenFalse: elseBlock)
            current = thenBlock
            statement(then)
            finish(.jump(join))
            if rest.count > 1 {
                current = elseBlock
                statement(rest[1])
                finish(.jump(join))
            }
            current = join
        case CXCursor_WhileStmt:
            guard let ci = n.children.firstIndex(where: isExpression), let body = n.children.last, ci < n.children.count - 1 else { append(n); return }
            let head = newBlock(), bodyBlock = newBlock(), exit = newBlock()
            n.children[..<ci].forEach(append)
            start(head)
            condition(n.children[ci], whenTrue: bodyBlock, whenFalse: exit)
            loopBody(body, entry: bodyBlock, continueTo: head, breakTo: exit)
            finish(.jump(head))
            current = exit
        case CXCursor_DoStmt:
            guard n.children.count == 2 else { append(n); return }
            let bodyBlock = newBlock(), test = newBlock(), exit = newBlock()
            start(bodyBlock)
            loopBody(n.children[0], entry: bodyBlock, continueTo: test, breakTo: exit)
            start(test)
            condition(n.children[1], whenTrue: bodyBlock, whenFalse: exit)
            current = exit
        case CXCursor_ForStmt:
            forStatement(n)
        case CXCursor_CXXForRangeStmt:
            guard let body = n.children.last else { return }
            n.children.dropLast().forEach(append)
            let head = newBlock(), bodyBlock = newBlock(), exit = newBlock()
            start(head)
            finish(.choice([bodyBlock, exit]))
            loopBody(body, entry: bodyBlock, continueTo: head, breakTo: exit)
            finish(.jump(head))
            current = exit
        case CXCursor_SwitchStmt:
            guard let ci = n.children.firstIndex(where: isExpression), let body = n.children.last, ci < n.children.count - 1 else { append(n); return }
            n.children[...ci].forEach(append)
            let dispatch = here()
            let exit = newBlock()
            current = nil
            switchCases.append([])
            switchHasDefault.append(false)
            breakTargets.append(exit)
            statement(body)
            finish(.jump(exit))
            breakTargets.removeLast()
            var targets = switchCases.removeLast()
            if !switchHasDefault.removeLast() { targets.append(exit) }
            blocks[dispatch].terminator = .choice(targets)
            current = exit
        case CXCursor_CaseStmt, CXCursor_DefaultStmt:
            let b = newBlock()
            start(b)
            if !switchCases.isEmpty {
                switchCases[switchCases.count - 1].append(b)
                if n.kind == CXCursor_DefaultStmt { switchHasDefault[switchHasDefault.count - 1] = true }
            }
            if let sub = n.children.last, n.kind == CXCursor_DefaultStmt || n.children.count >= 2 { statement(sub) }
        case CXCursor_BreakStmt:
            if let t = breakTargets.last { finish(.jump(t)) }
        case CXCursor_ContinueStmt:
            if let t = continueTargets.last { finish(.jump(t)) }
        case CXCursor_GotoStmt:
            let label = n.children.first?.spelling ?? ""
            let b = here()
            gotos.append((b, label))
            current = nil
        case CXCursor_LabelStmt:
            let b = newBlock()
            start(b)
            labels[n.spelling] = b
            if let sub = n.children.last { statement(sub) }
        case CXCursor_ReturnStmt:
            append(n)
            finish(.exit(.returnStatement, at: n.range.lowerBound))
        case CXCursor_CXXTryStmt:
            tryStatement(n)
        default:
            expressionStatement(n)
        }
    }

    func loopBody(_ body: SyntaxNode, entry: Int, continueTo: Int, breakTo: Int) {
        current = entry
        breakTargets.append(breakTo)
        continueTargets.append(continueTo)
        statement(body)
        breakTargets.removeLast()
        continueTargets.removeLast()
    }

    /// `for (init; cond; inc) body`: the parts are told apart by the header's semicolons.
    func forStatement(_ n: SyntaxNode) {
        guard let body = n.children.last else { return }
        let toks = Array(function.tokens(in: n.range))
        var semis: [Int] = [], close: Int? = nil, depth = 0
        for t in toks where t.kind == CXToken_Punctuation {
            if t.spelling == "(" { depth += 1 }
            else if t.spelling == ")" { depth -= 1; if depth == 0 { close = t.offset; break } }
            else if t.spelling == ";" && depth == 1 { semis.append(t.offset) }
        }
        var initParts: [SyntaxNode] = [], cond: SyntaxNode? = nil, inc: [SyntaxNode] = []
        if semis.count == 2, let close {
            for c in n.children.dropLast() {
                let at = c.range.lowerBound
                if at < semis[0] { initParts.append(c) } else if at < semis[1] { if isExpression(c) { cond = c } else { initParts.append(c) } } else if at < close { inc.append(c) }
            }
        } else {
            initParts = Array(n.children.dropLast())
        }
        initParts.forEach(append)
        let head = newBlock(), bodyBlock = newBlock(), step = newBlock(), exit = newBlock()
        start(head)
        if let cond {
            condition(cond, whenTrue: bodyBlock, whenFalse: exit)
        } else if semis.count == 2 {
            finish(.jump(bodyBlock))
        } else {
            finish(.choice([bodyBlock, exit]))
        }
        loopBody(body, entry: bodyBlock, continueTo: step, breakTo: exit)
        start(step)
        inc.forEach(append)
        finish(.jump(head))
        current = exit
    }

    func tryStatement(_ n: SyntaxNode) {
        guard let body = n.children.first else { return }
        let catches = n.children.dropFirst().filter { $0.kind == CXCursor_CXXCatchStmt }
        let join = newBlock()
        let entries = catches.map { _ in newBlock() }
        let catchesAll = catches.contains { c in !c.children.contains { $0.kind == CXCursor_VarDecl } }
        handlers.append((entries, catchesAll))
        statement(body)
        handlers.removeLast()
        finish(.jump(join))
        for (c, entry) in zip(catches, entries) {
            current = entry
            if let handlerBody = c.children.last { statement(handlerBody) }
            finish(.jump(join))
        }
        current = join
    }

    /// Where an exception thrown here goes: the innermost handlers, or out of the function.
    func throwTargets(at offset: Int) -> [Int] {
        var targets: [Int] = []
        if let h = handlers.last {
            targets += h.entries
            if h.catchesAll { return targets }
        }
        let out = newBlock()
        blocks[out].terminator = .exit(.exception, at: offset)
        targets.append(out)
        return targets
    }

    func expressionStatement(_ n: SyntaxNode) {
        append(n)
        let top = n.stripped
        if top.kind == CXCursor_CXXThrowExpr {
            finish(.choice(throwTargets(at: n.range.lowerBound)))
            return
        }
        if top.isCall && noReturnFunctions.contains(top.spelling) {
            finish(.unreachable)
            return
        }
        guard isCPlusPlus else { return }
        if n.contains(where: { $0.kind == CXCursor_CXXThrowExpr || ($0.isCall && facts.throwingFunctions.contains($0.spelling)) }) {
            let next = newBlock()
            finish(.choice([next] + throwTargets(at: n.range.lowerBound)))
            current = next
        }
    }

    /// A branch on `e`, with `&&`, `||`, `!`, `,` and `?:` taken apart (also when a macro spells them).
    func condition(_ e: SyntaxNode, whenTrue: Int, whenFalse: Int) {
        var s = e
        while (s.kind == CXCursor_ParenExpr || s.kind == CXCursor_UnexposedExpr), s.children.count == 1 { s = s.children[0] }
        if s.kind == CXCursor_BinaryOperator, let op = function.binaryOperator(s) {
            switch op {
            case "&&":
                let mid = newBlock()
                condition(s.children[0], whenTrue: mid, whenFalse: whenFalse)
                current = mid
                condition(s.children[1], whenTrue: whenTrue, whenFalse: whenFalse)
                return
            case "||":
                let mid = newBlock()
                condition(s.children[0], whenTrue: whenTrue, whenFalse: mid)
                current = mid
                condition(s.children[1], whenTrue: whenTrue, whenFalse: whenFalse)
                return
            case ",":
                append(s.children[0])
                condition(s.children[1], whenTrue: whenTrue, whenFalse: whenFalse)
                return
            default:
                break
            }
        }
        if s.kind == CXCursor_UnaryOperator, function.isLogicalNot(s) {
            condition(s.children[0], whenTrue: whenFalse, whenFalse: whenTrue)
            return
        }
        if s.kind == CXCursor_ConditionalOperator, s.children.count == 3 {
            let first = newBlock(), second = newBlock()
            condition(s.children[0], whenTrue: first, whenFalse: second)
            current = first
            condition(s.children[1], whenTrue: whenTrue, whenFalse: whenFalse)
            current = second
            condition(s.children[2], whenTrue: whenTrue, whenFalse: whenFalse)
            return
        }
        _ = here()
        liftStatementExpressions(s)
        _ = here()
        finish(.branch(s, whenTrue: whenTrue, whenFalse: whenFalse))
    }
}
