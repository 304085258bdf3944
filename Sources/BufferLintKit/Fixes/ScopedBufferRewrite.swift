import Foundation

/// The scoped strategy: `PyObject_GetBuffer` into a `Py_buffer` declared at the top of the
/// function and released before every exit that can follow the acquisition. It is planned per
/// function (views of one function share the exits) and only where the syntax tree shows it is
/// correct; every refusal carries the reason, and the use falls back to compat.
struct ScopedBufferRewrite {
    let tree: FunctionTree
    let text: SourceText
    let lexed: LexedFile
    /// Every identifier of the file: new names must not clash with any of them.
    let identifiers: Set<String>
    /// A C++ file: the view is a `bufferlint::BufferView` guard, released by its destructor on every
    /// exit (returns, exceptions, macros that return), so no release is written.
    var cplusplus = false
    /// Assume the functions the pointer is passed to do not keep it after they return (an unsafe plan).
    var trustCallees = false
    /// Whether a function of this file keeps nothing of its argument at an index (`CalleeSummaries`).
    var calleeKeepsNothing: (String, Int) -> Bool = { _, _ in false }
    /// The file's `Py_BEGIN_ALLOW_THREADS` ... `Py_END_ALLOW_THREADS` spans, found once.
    let threadRegions: [Range<Int>]

    init(tree: FunctionTree, text: SourceText, lexed: LexedFile, identifiers: Set<String>, cplusplus: Bool) {
        self.tree = tree
        self.text = text
        self.lexed = lexed
        self.identifiers = identifiers
        self.cplusplus = cplusplus
        threadRegions = ScopedBufferRewrite.threadRegions(lexed)
    }

    static func threadRegions(_ lexed: LexedFile) -> [Range<Int>] {
        var begins: [Int] = [], ends: [Int] = []
        for t in lexed.tokens where t.kind == .identifier && t.end - t.start >= 20 {
            switch lexed.spelling(t) {
            case "Py_BEGIN_ALLOW_THREADS": begins.append(t.start)
            case "Py_END_ALLOW_THREADS": ends.append(t.start)
            default: break
            }
        }
        return begins.compactMap { b in ends.first(where: { $0 > b }).map { b..<$0 } }
    }

    /// Return macros whose expansion is a plain `return` of a new reference.
    static let returnMacros: Set<String> = ["Py_RETURN_NONE", "Py_RETURN_TRUE", "Py_RETURN_FALSE", "Py_RETURN_NOTIMPLEMENTED"]
    struct Use {
        var offset: Int
        var callNode: Int
        var function: String
        var semantics: Rule.Semantics
        /// A call of a project wrapper that now takes the caller's `Py_buffer *` (in C++ its
        /// `bufferlint::BufferView &`) as a last argument.
        var wrapper = false
    }

    struct Acquisition {
        var use: Use
        var view: String
        var pointerDecl: Int
        /// The pointer's declaration and those of the local variables it is copied into.
        var pointerDeclarations: Set<Int>
        /// Where the view is acquired (the paired check's offset when there is one).
        var acquiredAt: Int
        /// The `if` whose body exits when the acquisition fails: its exits need no release of this view
        /// (unless a later acquisition of the same condition failed: see `plan`).
        var failureBranch: Int?
        var edits: [Edit]
        var escape: Escape
        var note: String
        /// The paired `PyObject_CheckReadBuffer`: its offset and its edits.
        var pairedCheck: (offset: Int, edits: [Edit])? = nil
        /// Code the rewrite deletes (the paired call's own failure test): no release goes there.
        var removed: Range<Int>? = nil
        /// An array of views filled in a loop: the counter of views acquired so far.
        var counter: String? = nil
        /// The array of views is allocated with PyMem_New (and freed at the exits).
        var allocated = false
        /// What goes at the top of the body when it is not the plain view's declaration; empty: nothing
        /// (a C++ array of guards is declared beside the array of pointers).
        var top: String? = nil

        /// The statement that releases what this acquisition holds (every view acquired so far, for an array).
        var release: String {
            if let n = counter {
                return "while (\(n) > 0) PyBuffer_Release(&\(view)[--\(n)]);" + (allocated ? " PyMem_Free(\(view));" : "")
            }
            return "PyBuffer_Release(&\(view));"
        }

        var topDeclaration: String? {
            guard let n = counter else { return nil }
            return (allocated ? "Py_buffer *\(view) = NULL; " : "") + "Py_ssize_t \(n) = 0;"
        }
    }

    /// Where the pointer could outlive the view: `out-param`, `struct-field`, `global`, `returned`,
    /// `callee`, `unknown` (a use not followed), or `none`.
    struct Escape: Equatable {
        var kind: String
        var line: Int
        var description: String = ""
    }

    enum Outcome {
        /// The edits, what the escape analysis found, and what the reason adds (threads, pairing, guard).
        case scoped([Edit], Escape, String)
        /// Why the use stays compat, and the escape when it is one.
        case fallback(String, Escape?)
    }

    var eol: String { text.usesCRLF ? "\r\n" : "\n" }

    // MARK: - Tokens and text

    func tokenIndex(startingAtOrAfter offset: Int) -> Int? {
        var lo = 0, hi = lexed.tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lexed.tokens[mid].start < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo < lexed.tokens.count ? lo : nil
    }

    func tokenSpelling(at offset: Int) -> String? {
        guard let k = tokenIndex(startingAtOrAfter: offset) else { return nil }
        return lexed.spelling(at: k)
    }

    func tokens(in range: Range<Int>) -> [String] {
        guard var k = tokenIndex(startingAtOrAfter: range.lowerBound) else { return [] }
        var out: [String] = []
        while k < lexed.tokens.count, lexed.tokens[k].end <= range.upperBound {
            out.append(lexed.spelling(at: k))
            k += 1
        }
        return out
    }

    /// The end of a statement node, including its `;` when the node's extent stops before it.
    func statementEnd(_ node: FunctionTree.Node) -> Int {
        let end = node.range.upperBound
        if let last = tokens(in: node.range).last, last == ";" || last == "}" { return end }
        if let k = tokenIndex(startingAtOrAfter: end), lexed.spelling(at: k) == ";" { return lexed.tokens[k].end }
        return end
    }

    func indentation(of offset: Int) -> String { text.indentation(ofLineAt: offset) }

    /// Operator of a binary node: the first token after its left operand.
    func binaryOperator(_ i: Int) -> String? {
        guard let lhs = tree.nodes[i].children.first else { return nil }
        return tokenSpelling(at: tree.nodes[lhs].range.upperBound)
    }

    func unaryOperator(_ i: Int) -> String? {
        let n = tree.nodes[i]
        let ts = tokens(in: n.range)
        guard let first = ts.first, let last = ts.last else { return nil }
        return ["*", "&", "!", "-", "+", "~", "++", "--"].contains(first) ? first : last
    }

    func strip(_ i: Int) -> Int {
        var k = i
        while [.paren, .unexposed].contains(tree.nodes[k].kind), tree.nodes[k].children.count == 1 { k = tree.nodes[k].children[0] }
        return k
    }

    func climb(_ i: Int) -> Int {
        var k = i
        while let p = tree.nodes[k].parent, [.paren, .unexposed].contains(tree.nodes[p].kind) { k = p }
        return k
    }

    func unique(_ base: String, avoiding taken: inout Set<String>) -> String {
        var name = base
        var n = 1
        while identifiers.contains(name) || taken.contains(name) { name = "\(base)_\(n)"; n += 1 }
        taken.insert(name)
        return name
    }

    // MARK: - Plan

    /// Plans every use in function `fn`: the edits of the uses done scoped (the shared exit
    /// edits go to the first of them) or the reason each one falls back. A `PyObject_CheckReadBuffer`
    /// gets an outcome only when it is paired with a later acquisition of the same object.
    func plan(function fn: Int, uses: [Use]) -> [Int: Outcome] {
        var out: [Int: Outcome] = [:]
        let all = tree.descendants(of: fn)
        let acquiring = uses.filter { $0.semantics.pointerType != "none" }
        let checks = uses.filter { $0.semantics.pointerType == "none" }
        var escapes: [Int: Escape] = [:]
        for u in acquiring { escapes[u.offset] = escapeAnalysis(u, all: all).escape }
        if let reason = functionWideRefusal(fn, all) {
            for u in acquiring { out[u.offset] = .fallback(reason, escapes[u.offset]) }
            return out
        }
        guard let body = tree.nodes[fn].children.last(where: { tree.nodes[$0].kind == .compound }) else {
            for u in acquiring { out[u.offset] = .fallback("the function body is not in the syntax tree", escapes[u.offset]) }
            return out
        }
        var taken = Set<String>()
        var acquisitions: [Acquisition] = []
        var pairedChecks = Set<Int>()
        for u in acquiring {
            switch acquisition(u, fn: fn, all: all, checks: checks.filter { !pairedChecks.contains($0.offset) }, taken: &taken) {
            case .success(let a):
                acquisitions.append(a)
                if let c = a.pairedCheck { pairedChecks.insert(c.offset) }
            case .failure(let r): out[u.offset] = .fallback(r.message, r.escape ?? escapes[u.offset])
            }
        }
        guard !acquisitions.isEmpty else { return out }
        var shared: [Edit] = []
        // Declarations at the top of the body.
        let open = tree.nodes[body].range.lowerBound + 1
        let firstStatement = tree.nodes[body].children.first.map { tree.nodes[$0].range.lowerBound }
        let indent = firstStatement.map(indentation(of:)) ?? (indentation(of: open) + "    ")
        let declare = cplusplus ? { (v: String) in "bufferlint::BufferView \(v);" } : { (v: String) in "Py_buffer \(v) = {NULL, NULL};" }
        let tops = acquisitions.map { $0.top ?? $0.topDeclaration ?? declare($0.view) }.filter { !$0.isEmpty }
        if !tops.isEmpty { shared.append(.insert(tops.map { eol + indent + $0 }.joined(), at: open)) }
        if !cplusplus {
            shared += releases(fn: fn, body: body, all: all, acquisitions: acquisitions, indent: indent, taken: taken)
        }
        for (k, a) in acquisitions.enumerated() {
            // The shared edits go first: a brace closing a failure branch precedes the assignments inserted after it.
            out[a.use.offset] = .scoped((k == 0 ? shared : []) + a.edits, a.escape, a.note)
            if let c = a.pairedCheck {
                let line = text.line(of: a.use.offset)
                out[c.offset] = .scoped(c.edits, Escape(kind: "none", line: text.line(of: c.offset)),
                                        "paired with the `\(a.use.function)` of the same object at line \(line): one `PyObject_GetBuffer` answers the check and gives the pointer; the failure branch clears the exporter's error, so the function's own error is raised as before")
            }
        }
        return out
    }

    /// The C releases: before every return that can follow an acquisition, and at the end of a void function.
    func releases(fn: Int, body: Int, all: [Int], acquisitions: [Acquisition], indent: String, taken: Set<String>) -> [Edit] {
        var shared: [Edit] = []
        let pointerDecls = acquisitions.reduce(into: Set<Int>()) { $0.formUnion($1.pointerDeclarations) }
        // In the failure branch of an `if` the last acquisition of its condition failed (or was never
        // tried): it is not released there. Earlier ones of a combined condition (`A < 0 || B < 0`)
        // succeeded when a later one failed, and are released (a view never acquired is `{NULL, NULL}`,
        // which PyBuffer_Release ignores).
        var lastOfBranch: [Int: Int] = [:]
        for a in acquisitions { if let b = a.failureBranch { lastOfBranch[b] = max(lastOfBranch[b] ?? -1, a.acquiredAt) } }
        var resultNames = taken
        let removed = acquisitions.compactMap(\.removed)
        for r in all where tree.nodes[r].kind == .returnStmt && !removed.contains(where: { $0.contains(tree.nodes[r].range.lowerBound) }) {
            let node = tree.nodes[r]
            let views = acquisitions.filter { a in
                guard a.acquiredAt < node.range.lowerBound else { return false }
                if let b = a.failureBranch, tree.nodes[b].range.contains(node.range.lowerBound), lastOfBranch[b] == a.acquiredAt { return false }
                return true
            }.reversed().map(\.release)
            guard !views.isEmpty else { continue }
            let release = views.joined(separator: " ")
            let start = node.range.lowerBound
            let end = statementEnd(node)
            let value = node.inMacro ? nil : node.children.first
            let readsBuffer = value.map { v in tree.descendants(of: v).contains { tree.nodes[$0].kind == .declRef && tree.nodes[$0].declarationOffset.map(pointerDecls.contains) == true } } ?? false
            if readsBuffer, let v = value {
                let type = tree.nodes[fn].typeSpelling
                let tmp = unique("result", avoiding: &resultNames)
                let expr = text.text(tree.nodes[v].range.lowerBound..<tree.nodes[v].range.upperBound)
                shared.append(Edit(range: start..<end, replacement: "{ \(declaration(type, tmp)) = \(expr); \(release) return \(tmp); }"))
            } else if needsBraces(r) {
                shared.append(.insert("{ \(release) ", at: start))
                shared.append(.insert(" }", at: end))
            } else {
                shared.append(.insert("\(release) ", at: start))
            }
        }
        // Falling off the end of a void function.
        let lastStatement = tree.nodes[body].children.last.map { tree.nodes[$0] }
        if tree.nodes[fn].typeSpelling == "void", lastStatement?.kind != .returnStmt {
            let close = tree.nodes[body].range.upperBound - 1
            let release = acquisitions.reversed().map(\.release).joined(separator: " ")
            let lineStart = text.lineStarts[text.line(of: close) - 1]
            if text.text(lineStart..<close).allSatisfy({ $0 == " " || $0 == "\t" }) {
                shared.append(.insert(indent + release + eol, at: lineStart))
            } else {
                shared.append(.insert(" " + release + " ", at: close))
            }
        }
        return shared
    }

    func declaration(_ type: String, _ name: String) -> String {
        type.hasSuffix("*") ? "\(type)\(name)" : "\(type) \(name)"
    }

    /// An exit that is the whole body of an `if`, `else` or loop needs braces around the release and itself.
    func needsBraces(_ i: Int) -> Bool {
        guard let p = tree.nodes[i].parent else { return true }
        switch tree.nodes[p].kind {
        case .compound: return false
        case .labelStmt, .caseStmt, .defaultStmt: return needsBraces(p)
        default: return true
        }
    }

    static let jumpFunctions = CFunctions.returnTwice.union(CFunctions.longJumps)

    func functionWideRefusal(_ fn: Int, _ all: [Int]) -> String? {
        for i in all {
            let n = tree.nodes[i]
            switch n.kind {
            case .callExpr where ScopedBufferRewrite.jumpFunctions.contains(n.spelling):
                return "the function uses \(n.spelling), which can leave it without passing a release"
            case _ where cplusplus:
                // The guard's destructor runs on every other exit.
                continue
            case .indirectGoto: return "the function uses a computed goto"
            case .lambda: return "the function contains a lambda, whose returns are not the function's"
            case .throwExpr, .tryStmt: return "the function throws or catches C++ exceptions, which would skip the release"
            case .returnStmt where n.inMacro:
                let macro = tokenSpelling(at: n.range.lowerBound) ?? "?"
                if !ScopedBufferRewrite.returnMacros.contains(macro) || tokenSpelling(at: n.range.upperBound) == "(" {
                    return "an exit of the function is inside the macro `\(macro)`, where no release can be added"
                }
            default: break
            }
        }
        return nil
    }

    struct Refusal: Error {
        var message: String
        /// The escape that caused the refusal, when the use's own analysis could not see it (arrays).
        var escape: Escape? = nil
    }

    /// The escape analysis of one use: the pointer's declaration, its local copies, and where it could outlive a view.
    func escapeAnalysis(_ u: Use, all: [Int]) -> (escape: Escape, declarations: Set<Int>, pointer: (name: String, declaration: Int)?) {
        let c = tree.nodes[u.callNode]
        let line = text.line(of: u.offset)
        let args = Array(c.children.dropFirst())
        guard args.count == 3, let pointer = plainAddress(args[1]) else {
            if args.count == 3, let name = parameterArgument(args[1], all: all) {
                return (Escape(kind: "out-param", line: line, description: "the pointer is handed to the caller through the parameter `\(name)`"), [], nil)
            }
            return (Escape(kind: "unknown", line: line, description: "the pointer argument is not a plain `&variable`"), [], nil)
        }
        guard all.contains(where: { tree.nodes[$0].kind == .varDecl && tree.nodes[$0].location == pointer.declaration && !tree.nodes[$0].isStatic }) else {
            let isParameter = all.contains { tree.nodes[$0].kind == .parmDecl && tree.nodes[$0].location == pointer.declaration }
            return (Escape(kind: isParameter ? "out-param" : "global", line: line,
                           description: isParameter ? "the pointer `\(pointer.name)` is a parameter of the function" : "the pointer `\(pointer.name)` is not a local variable of the function"),
                    [pointer.declaration], pointer)
        }
        let (escape, declarations, callees) = escapingUse(of: pointer.declaration, pointerName: pointer.name, all: all, call: u.callNode)
        if escape == nil, let first = callees.first {
            // Only with trustCallees: what the fix assumes is named in its reason.
            return (Escape(kind: "callee", line: first.line, description: callees.map { "`\($0.name)` (line \($0.line))" }.joined(separator: ", ")), declarations, pointer)
        }
        return (escape ?? Escape(kind: "none", line: line), declarations, pointer)
    }

    func acquisition(_ u: Use, fn: Int, all: [Int], checks: [Use], taken: inout Set<String>) -> Result<Acquisition, Refusal> {
        let call = u.callNode
        let c = tree.nodes[call]
        if c.inMacro { return .failure(Refusal(message: "the call is part of a macro expansion")) }
        if let loop = tree.ancestors(of: call).first(where: { [.forStmt, .whileStmt, .doStmt].contains(tree.nodes[$0].kind) }) {
            let element = c.children.count == 4 ? arrayElement(c.children[2], loop: loop, all: all) : nil
            if case .success(let e)? = element {
                // The C counter would count past the array if the loop ran again; a guard is
                // released before it is acquired again, and BufferViews::allocate releases them all.
                if !cplusplus, jumpsBack(above: tree.nodes[loop].range.lowerBound, all: all) {
                    return .failure(Refusal(message: "the call is in a loop and a goto jumps back above the loop, so the views could be counted twice"))
                }
                return arrayAcquisition(u, element: e, all: all, checks: checks, taken: &taken)
            }
            var why = "the call is in a loop: each iteration would need its own release"
            if case .failure(let r)? = element { why += " (\(r.message))" }
            return .failure(Refusal(message: why))
        }
        // A label above the call that a later goto targets makes a loop too.
        if jumpsBack(above: c.range.lowerBound, all: all) {
            return .failure(Refusal(message: "a goto jumps back above the call, so it can run twice"))
        }
        let args = Array(c.children.dropFirst())
        guard args.count == 3 else { return .failure(Refusal(message: "the call does not have the three arguments of `\(u.function)`")) }
        let analysis = escapeAnalysis(u, all: all)
        guard let pointer = plainAddress(args[1]), let length = plainAddress(args[2]) else {
            if analysis.escape.kind != "unknown" { return .failure(Refusal(message: analysis.escape.description)) }
            return .failure(Refusal(message: "an out-argument is not a plain `&variable`"))
        }
        guard let pDecl = all.first(where: { tree.nodes[$0].kind == .varDecl && tree.nodes[$0].location == pointer.declaration && !tree.nodes[$0].isStatic }) else {
            return .failure(Refusal(message: analysis.escape.description))
        }
        // The unsafe plan also hands a view to the object whose field keeps the pointer.
        let holdable = trustCallees && analysis.escape.kind == "struct-field"
        if analysis.escape.kind != "none" && !(trustCallees && analysis.escape.kind == "callee") && !holdable {
            return .failure(Refusal(message: analysis.escape.description))
        }
        let view = unique("view", avoiding: &taken)
        if u.wrapper {
            // The wrapper fills the pointer and the length itself; the caller owns the view (in C++ a
            // guard, passed by reference, that releases it on every exit of the caller).
            let addArgument = Edit.insert(cplusplus ? ", \(view)" : ", &\(view)", at: c.range.upperBound - 1)
            switch statementPosition(call) {
            case .failure(let r): return .failure(r)
            case .success(let position):
                var failureBranch: Int? = nil
                if case .ifCondition(_, let thenNode, _) = position { failureBranch = thenNode }
                return .success(Acquisition(use: u, view: view, pointerDecl: pDecl, pointerDeclarations: analysis.declarations, acquiredAt: u.offset,
                                            failureBranch: failureBranch, edits: [addArgument], escape: analysis.escape,
                                            note: cplusplus ? "the caller's guard `\(view)` is filled by `\(u.function)` and releases the view on every exit of the caller, returns and exceptions alike"
                                                : "the caller's view `\(view)` is filled by `\(u.function)` and released at the caller's exits"))
            }
        }
        var held: HeldTarget? = nil
        if holdable {
            let (other, _, _, stores) = escapingUses(of: pointer.declaration, pointerName: pointer.name, all: all, call: call, holdable: true)
            if let other { return .failure(Refusal(message: other.description)) }
            guard stores.count == 1 else { return .failure(Refusal(message: analysis.escape.description + "; it is stored in more than one field")) }
            switch heldTarget(storeRef: stores[0], view: view, call: call, all: all) {
            case .success(let h): held = h
            case .failure(let r): return .failure(Refusal(message: analysis.escape.description + "; no held view: " + r.message))
            }
        }
        let pType = tree.nodes[pDecl].typeSpelling.hasSuffix("*") ? tree.nodes[pDecl].typeSpelling : u.semantics.pointerType
        let lDecl = all.first { [.varDecl, .parmDecl].contains(tree.nodes[$0].kind) && tree.nodes[$0].location == length.declaration }
        let lType = lDecl.map { tree.nodes[$0].typeSpelling } ?? "Py_ssize_t"
        let (bufExpr, lenExpr) = cplusplus ? ("\(view).buf()", "\(view).len()") : ("\(view).buf", "\(view).len")
        // The length keeps its own type (int, long, DWORD, ...): the view's Py_ssize_t is cast to it.
        let lengthValue = lType == "Py_ssize_t" ? lenExpr : "(\(lType))\(lenExpr)"
        let pointerValue = "(\(pType.hasSuffix(" *") || pType.hasSuffix("*") ? pType : pType + " *"))\(bufExpr)"
        let assignments = ["\(pointer.name) = \(pointerValue);", "\(length.name) = \(lengthValue);"]

        // The exporter is the old call's first argument, as written.
        let object = text.text(tree.nodes[args[0]].range)
        let acquire = cplusplus ? "\(view).acquire(\(object), \(u.semantics.flag))" : "PyObject_GetBuffer(\(object), &\(view), \(u.semantics.flag))"
        var get = acquire
        // The old function's own exception on failure, when it replaced the exporter's.
        let raise = u.semantics.oldErrorCall.map { $0 + ";" }
        get = u.semantics.raisingOldError(get)
        var notes: [String] = []
        if cplusplus {
            notes.append("the view is a `bufferlint::BufferView` (bufferlint_view.hpp) whose destructor releases it exactly once on every exit, returns and exceptions alike")
        }
        if let threads = threadsNote(analysis.declarations, all: all) { notes.append(threads) }
        if analysis.escape.kind == "callee" {
            notes.append("unsafe: the pointer is passed to \(analysis.escape.description); the fix assumes they do not keep it after they return, since the view is released at the function's exits")
        }
        if let h = held {
            let move = cplusplus
                ? "the guard hands its view over (`\(view).move_to(&\(h.param)->\(h.field)_view)`, leaving the guard empty) to a new `Py_buffer \(h.field)_view` field of `\(h.type)`, which releases the previous view there"
                : "the view moves to a new `Py_buffer \(h.field)_view` field of `\(h.type)`, which releases the previous view there"
            notes.append("held view (unsafe): where the pointer is stored in `\(h.param)->\(h.field)` \(move) and in its deallocator; the object must be allocated zeroed (tp_alloc), and the exporter stays locked while the object holds the view")
        }

        // A `PyObject_CheckReadBuffer` of the same object earlier in the function, with the same flags.
        if let check = pairableCheck(for: u, object: args[0], checks: checks, all: all) {
            let checkEdits = pairedCheckEdits(check, acquire: acquire)
            let edits: [Edit]
            var removed: Range<Int>? = nil
            switch statementPosition(call) {
            case .success(.ifCondition(let ifNode, _, false)):
                let indent = indentation(of: tree.nodes[ifNode].range.lowerBound)
                removed = tree.nodes[ifNode].range.lowerBound..<statementEnd(tree.nodes[ifNode])
                edits = [Edit(range: removed!, replacement: assignments.joined(separator: eol + indent))]
            case .success(.resultStored(let stmt, let variable)):
                let end = statementEnd(tree.nodes[stmt])
                let indent = indentation(of: tree.nodes[stmt].range.lowerBound)
                edits = [Edit(range: c.range, replacement: "0"), .insert(eol + indent + "if (\(variable) == 0) { \(assignments.joined(separator: " ")) }", at: end)]
            case .success(.ignored):
                // The old call's result was ignored; the check already failed for a non-buffer.
                let stmt = climb(call)
                let indent = indentation(of: tree.nodes[stmt].range.lowerBound)
                removed = tree.nodes[stmt].range.lowerBound..<statementEnd(tree.nodes[stmt])
                edits = [Edit(range: removed!, replacement: assignments.joined(separator: eol + indent))]
            default:
                edits = []
            }
            if !edits.isEmpty {
                notes.append("the `PyObject_CheckReadBuffer` at line \(text.line(of: check.offset)) now acquires the view, which this call only reads")
                return .success(Acquisition(use: u, view: view, pointerDecl: pDecl, pointerDeclarations: analysis.declarations, acquiredAt: check.offset,
                                            failureBranch: check.then, edits: edits, escape: analysis.escape, note: notes.joined(separator: "; "),
                                            pairedCheck: (check.offset, checkEdits), removed: removed))
            }
        }

        // Where the call sits: the condition of an `if` whose body leaves on failure, or `rc = call;` / `int rc = call;`.
        var failureBranch: Int? = nil
        var after: Edit
        switch statementPosition(call) {
        case .failure(let r): return .failure(r)
        case .success(let position):
            switch position {
            case .ifCondition(let ifNode, let thenNode, _):
                failureBranch = thenNode
                let end = statementEnd(tree.nodes[ifNode])
                let indent = indentation(of: tree.nodes[ifNode].range.lowerBound)
                after = .insert(assignments.map { eol + indent + $0 }.joined(), at: end)
            case .resultStored(let stmt, let variable):
                let end = statementEnd(tree.nodes[stmt])
                let indent = indentation(of: tree.nodes[stmt].range.lowerBound)
                // The stored result is tested right away; PyObject_GetBuffer's failure value is -1, as the old function's was.
                let otherwise = raise.map { " else { \($0) }" } ?? ""
                after = .insert(eol + indent + "if (\(variable) == 0) { \(assignments.joined(separator: " ")) }\(otherwise)", at: end)
                if raise != nil { get = acquire }
            case .ignored(let stmt):
                // Still tested: on failure the pointer stays unset and the exception stays set, as before.
                let otherwise = raise.map { " else { \($0) }" } ?? ""
                let edits = [Edit(range: tree.nodes[stmt].range.lowerBound..<statementEnd(tree.nodes[stmt]),
                                  replacement: "if (\(acquire) == 0) { \(assignments.joined(separator: " ")) }\(otherwise)")]
                return .success(Acquisition(use: u, view: view, pointerDecl: pDecl, pointerDeclarations: analysis.declarations, acquiredAt: u.offset,
                                            failureBranch: nil, edits: edits, escape: analysis.escape, note: notes.joined(separator: "; ")))
            }
        }
        let edits = [Edit(range: c.range.lowerBound..<c.range.upperBound, replacement: get), after] + (held?.edits ?? [])
        return .success(Acquisition(use: u, view: view, pointerDecl: pDecl, pointerDeclarations: analysis.declarations, acquiredAt: u.offset,
                                    failureBranch: failureBranch, edits: edits, escape: analysis.escape, note: notes.joined(separator: "; ")))
    }

    /// The element's acquisition in place of the old call (failing with the old function's own
    /// exception where it had one) and, after the `if` that tests it, what success assigns.
    func loopElementEdits(_ u: Use, get: String, success: [String]) -> Result<(thenNode: Int, edits: [Edit]), Refusal> {
        guard case .success(.ifCondition(let ifNode, let thenNode, false)) = statementPosition(u.callNode) else {
            return .failure(Refusal(message: "the call in the loop is not the only failure test of an `if`"))
        }
        let indent = indentation(of: tree.nodes[ifNode].range.lowerBound)
        return .success((thenNode, [
            Edit(range: tree.nodes[u.callNode].range, replacement: u.semantics.raisingOldError(get)),
            .insert(success.map { eol + indent + $0 }.joined(), at: statementEnd(tree.nodes[ifNode])),
        ]))
    }

    struct ArrayElement {
        var array: String
        var arrayDeclaration: Int
        /// The array's declaration node.
        var arrayNode: Int
        /// The array's declaration statement, when the views can be an array of the same size beside it.
        var arrayDeclStmt: Int?
        var index: String
        /// Otherwise (the pointers are in allocated memory): the loop and its bound `i < BOUND`.
        var loop: Int
        var bound: String?
    }

    /// `&ARR[i]` (under casts and parentheses) where ARR is an array declared at the top level of the
    /// function and `i` the counter of the one `for` loop around the call, stepped by one and not
    /// changed in the body: each iteration fills a different element, once per call of the function.
    func arrayElement(_ arg: Int, loop: Int, all: [Int]) -> Result<ArrayElement, Refusal> {
        var a = strip(arg)
        while tree.nodes[a].kind == .cast, let inner = tree.nodes[a].children.last { a = strip(inner) }
        guard tree.nodes[a].kind == .unary, unaryOperator(a) == "&", let operand = tree.nodes[a].children.first else { return .failure(Refusal(message: "the pointer is not stored in an array element")) }
        let sub = strip(operand)
        guard tree.nodes[sub].kind == .arraySubscript, tree.nodes[sub].children.count == 2 else { return .failure(Refusal(message: "the pointer is not stored in an array element")) }
        let base = strip(tree.nodes[sub].children[0]), index = strip(tree.nodes[sub].children[1])
        guard tree.nodes[base].kind == .declRef, let arr = tree.nodes[base].declarationOffset, tree.nodes[index].kind == .declRef, let idx = tree.nodes[index].declarationOffset else {
            return .failure(Refusal(message: "the array element is not `array[counter]`"))
        }
        guard let arrDecl = all.first(where: { tree.nodes[$0].kind == .varDecl && tree.nodes[$0].location == arr && !tree.nodes[$0].isStatic }) else {
            return .failure(Refusal(message: "`\(tree.nodes[base].spelling)` is not a local variable"))
        }
        var declStmt: Int? = nil
        if tree.nodes[arrDecl].typeSpelling.contains("["), let ds = tree.nodes[arrDecl].parent, tree.nodes[ds].kind == .declStmt,
           let block = tree.nodes[ds].parent, tree.nodes[block].kind == .compound, tree.nodes[block].parent.map({ tree.nodes[$0].kind == .function }) == true {
            declStmt = ds
        } else if !tree.nodes[arrDecl].typeSpelling.replacingOccurrences(of: "restrict", with: "").replacingOccurrences(of: "const", with: "")
                    .trimmingCharacters(in: .whitespaces).hasSuffix("*") {
            return .failure(Refusal(message: "`\(tree.nodes[base].spelling)` is neither a pointer nor an array declared at the top level of the function"))
        }
        guard tree.nodes[loop].kind == .forStmt, !tree.ancestors(of: loop).contains(where: { [.forStmt, .whileStmt, .doStmt].contains(tree.nodes[$0].kind) }) else {
            return .failure(Refusal(message: "the loop is not one `for` loop outside any other"))
        }
        // The header's step is `i++`, `++i` or `i += 1`, and the body never changes `i`.
        let name = tree.nodes[index].spelling
        guard let body = tree.nodes[loop].children.last else { return .failure(Refusal(message: "the loop has no body")) }
        let header = tokens(in: tree.nodes[loop].range.lowerBound..<tree.nodes[body].range.lowerBound)
        var depth = 0, semicolons: [Int] = []
        for (k, t) in header.enumerated() {
            if t == "(" { depth += 1 } else if t == ")" { depth -= 1 } else if t == ";" && depth == 1 { semicolons.append(k) }
        }
        guard semicolons.count == 2, header.last == ")" else { return .failure(Refusal(message: "the `for` header is not read")) }
        let step = Array(header[(semicolons[1] + 1)..<(header.count - 1)])
        guard [[name, "++"], ["++", name], [name, "+=", "1"]].contains(step) else {
            return .failure(Refusal(message: "the loop does not step `\(name)` by one"))
        }
        // Without an array to measure, the loop `for (i = 0; i < BOUND; i++)` tells how many views at most.
        var bound: String? = nil
        if declStmt == nil {
            let initClause = Array(header[2..<semicolons[0]]), cond = Array(header[(semicolons[0] + 1)..<semicolons[1]])
            let plain = cond.dropFirst(2).allSatisfy { t in t == "->" || t == "." || t.first.map { $0.isLetter || $0.isNumber || $0 == "_" } == true }
            guard initClause.suffix(3) == [name, "=", "0"], cond.count >= 3, cond[0] == name, cond[1] == "<", plain else {
                return .failure(Refusal(message: "the pointers go to allocated memory and the loop is not `for (\(name) = 0; \(name) < BOUND; \(name)++)` with a plain BOUND"))
            }
            bound = cond.dropFirst(2).joined()
        }
        for i in all where tree.nodes[i].kind == .declRef && tree.nodes[i].declarationOffset == idx && tree.nodes[body].range.contains(tree.nodes[i].range.lowerBound) {
            let up = climb(i)
            guard let q = tree.nodes[up].parent else { continue }
            let changes = (tree.nodes[q].kind == .binary && binaryOperator(q) == "=" && tree.nodes[q].children.first == up)
                || tree.nodes[q].kind == .compoundAssign && tree.nodes[q].children.first == up
                || tree.nodes[q].kind == .unary && ["++", "--", "&"].contains(unaryOperator(q) ?? "")
            if changes { return .failure(Refusal(message: "the loop body changes `\(name)`")) }
        }
        return .success(ArrayElement(array: tree.nodes[base].spelling, arrayDeclaration: arr, arrayNode: arrDecl, arrayDeclStmt: declStmt, index: name, loop: loop, bound: bound))
    }

    /// An array of views beside the array of pointers, with a counter of the views acquired so far:
    /// every exit after the loop (and the failure path inside it) releases exactly those.
    func arrayAcquisition(_ u: Use, element: ArrayElement, all: [Int], checks: [Use], taken: inout Set<String>) -> Result<Acquisition, Refusal> {
        let c = tree.nodes[u.callNode]
        let args = Array(c.children.dropFirst())
        guard let length = plainAddress(args[2]) else { return .failure(Refusal(message: "the length argument is not a plain `&variable`")) }
        let (escape, declarations, callees) = escapingUse(of: element.arrayDeclaration, pointerName: element.array, all: all, call: u.callNode, levels: 1)
        var found = escape ?? Escape(kind: "none", line: text.line(of: u.offset))
        if escape == nil, let first = callees.first {
            found = Escape(kind: "callee", line: first.line, description: callees.map { "`\($0.name)` (line \($0.line))" }.joined(separator: ", "))
        }
        if let e = escape { return .failure(Refusal(message: e.description, escape: e)) }
        if element.bound != nil {
            // The allocation goes right before the loop.
            guard let p = tree.nodes[element.loop].parent, tree.nodes[p].kind == .compound else {
                return .failure(Refusal(message: "the loop is not a statement of a block, so nothing can be allocated before it"))
            }
        }
        let views = unique("\(element.array)_views", avoiding: &taken)
        let lDecl = all.first { [.varDecl, .parmDecl].contains(tree.nodes[$0].kind) && tree.nodes[$0].location == length.declaration }
        let lType = lDecl.map { tree.nodes[$0].typeSpelling } ?? "Py_ssize_t"
        if cplusplus {
            return guardArrayAcquisition(u, element: element, views: views, length: length.name, lengthType: lType, found: found, declarations: declarations, all: all, checks: checks)
        }
        let count = unique("\(element.array)_nviews", avoiding: &taken)
        let current = "\(views)[\(count)]"
        let lengthValue = lType == "Py_ssize_t" ? "\(current).len" : "(\(lType))\(current).len"
        // In C a `void *` converts to the element's pointer type, whatever its qualifiers.
        let success = ["\(element.array)[\(element.index)] = \(current).buf;", "\(length.name) = \(lengthValue);", "\(count)++;"]
        let object = text.text(tree.nodes[args[0]].range)
        let get = "PyObject_GetBuffer(\(object), &\(current), \(u.semantics.flag))"
        let placed: (thenNode: Int, edits: [Edit])
        switch loopElementEdits(u, get: get, success: success) {
        case .success(let p): placed = p
        case .failure(let r): return .failure(r)
        }
        let thenNode = placed.thenNode
        var edits = placed.edits
        var acquiredAt = u.offset
        let pair = pairedElementCheck(u, object: args[0], checks: checks, all: all, acquire: get, success: success)
        if let pair { edits = pair.edits; acquiredAt = pair.check.offset }
        if let ds = element.arrayDeclStmt {
            let declIndent = indentation(of: tree.nodes[ds].range.lowerBound)
            edits.insert(.insert(eol + declIndent + "Py_buffer \(views)[sizeof(\(element.array)) / sizeof((\(element.array))[0])];", at: statementEnd(tree.nodes[ds])), at: 0)
        } else if let bound = element.bound {
            // Allocated before the loop; on failure the call's own failure exit is taken.
            let leave: String
            switch allocationExit(thenNode, loop: element.loop, all: all) {
            case .success(let l): leave = l
            case .failure(let r): return .failure(r)
            }
            let loopStart = tree.nodes[element.loop].range.lowerBound
            let loopIndent = indentation(of: loopStart)
            edits.insert(.insert("\(views) = PyMem_New(Py_buffer, (\(bound)) > 0 ? (size_t)(\(bound)) : 1);" + eol + loopIndent
                                 + "if (\(views) == NULL) { PyErr_NoMemory(); \(leave) }" + eol + loopIndent, at: loopStart), at: 0)
            acquiredAt = loopStart
        }
        var note = "an array of views `\(views)` beside `\(element.array)`, with `\(count)` counting those acquired: every exit after the first acquisition, the failure in the middle of the loop included, releases exactly the views acquired so far"
        if found.kind == "callee" {
            note += "; unsafe: the array is passed to \(found.description); the fix assumes they do not keep the pointers after they return"
        }
        if let threads = threadsNote(declarations, all: all) { note += "; " + threads }
        if let pair { note += "; " + pair.note }
        // The failure branch releases too: the failed view is not counted, the earlier ones are.
        return .success(Acquisition(use: u, view: views, pointerDecl: element.arrayDeclaration, pointerDeclarations: declarations, acquiredAt: acquiredAt,
                                    failureBranch: nil, edits: edits, escape: found, note: note,
                                    pairedCheck: pair.map { ($0.check.offset, $0.checkEdits) }, removed: pair?.removed,
                                    counter: count, allocated: element.arrayDeclStmt == nil))
    }

    /// The failure branch of the call in the loop as one `goto` or `return` that the allocation before
    /// the loop can take too: it names nothing declared in the loop and jumps to no label inside it.
    func allocationExit(_ thenNode: Int, loop: Int, all: [Int]) -> Result<String, Refusal> {
        var exit = thenNode
        if tree.nodes[exit].kind == .compound, tree.nodes[exit].children.count == 1 { exit = tree.nodes[exit].children[0] }
        guard [.gotoStmt, .returnStmt].contains(tree.nodes[exit].kind), !tree.nodes[exit].inMacro else {
            return .failure(Refusal(message: "the failure branch of the call in the loop is more than one `goto` or `return`"))
        }
        let loopRange = tree.nodes[loop].range
        if let inner = tree.descendants(of: exit).first(where: { tree.nodes[$0].kind == .declRef && tree.nodes[$0].declarationOffset.map(loopRange.contains) == true }) {
            return .failure(Refusal(message: "the failure exit of the call in the loop names `\(tree.nodes[inner].spelling)`, declared in the loop, so the allocation before the loop cannot take it"))
        }
        if tree.nodes[exit].kind == .gotoStmt, let target = gotoTarget(exit),
           all.contains(where: { tree.nodes[$0].kind == .labelStmt && tree.nodes[$0].spelling == target && loopRange.contains(tree.nodes[$0].range.lowerBound) }) {
            return .failure(Refusal(message: "the failure exit of the call in the loop jumps to a label inside the loop"))
        }
        return .success(text.text(tree.nodes[exit].range.lowerBound..<statementEnd(tree.nodes[exit])))
    }

    /// C++: an array of guards beside the array of pointers, one per element and indexed like it:
    /// `bufferlint::BufferView V[N]` next to a local array, or `bufferlint::BufferViews V` (declared at
    /// the top, allocated right before the loop with its bound) for allocated memory. Each guard
    /// releases its view, if it holds one, on every exit: returns, the failure in the middle of the
    /// loop and C++ exceptions alike.
    func guardArrayAcquisition(_ u: Use, element: ArrayElement, views: String, length: String, lengthType: String, found: Escape,
                               declarations: Set<Int>, all: [Int], checks: [Use]) -> Result<Acquisition, Refusal> {
        let c = tree.nodes[u.callNode]
        let args = Array(c.children.dropFirst())
        // The element's type, for the cast from `void *` that C++ needs.
        var type = tree.nodes[element.arrayNode].typeSpelling.trimmingCharacters(in: .whitespaces)
        if element.arrayDeclStmt != nil {
            // `T [N]` with N a constant: a guard array of the same size can be declared beside it.
            guard type.hasSuffix("]"), let open = type.lastIndex(of: "["),
                  Int(type[type.index(after: open)..<type.index(before: type.endIndex)]) != nil else {
                return .failure(Refusal(message: "`\(element.array)` is not an array of constant size, so no array of guards can be declared beside it"))
            }
            type = String(type[..<open]).trimmingCharacters(in: .whitespaces)
        } else {
            type = String(type.dropLast()).trimmingCharacters(in: .whitespaces)
        }
        guard type.hasSuffix("*"), !type.contains("["), !type.contains("(") else {
            return .failure(Refusal(message: "the elements of `\(element.array)` are not plain pointers"))
        }
        let current = "\(views)[\(element.index)]"
        let lengthValue = lengthType == "Py_ssize_t" ? "\(current).len()" : "(\(lengthType))\(current).len()"
        let success = ["\(element.array)[\(element.index)] = (\(type))\(current).buf();", "\(length) = \(lengthValue);"]
        let object = text.text(tree.nodes[args[0]].range)
        let get = "\(current).acquire(\(object), \(u.semantics.flag))"
        let placed: (thenNode: Int, edits: [Edit])
        switch loopElementEdits(u, get: get, success: success) {
        case .success(let p): placed = p
        case .failure(let r): return .failure(r)
        }
        let thenNode = placed.thenNode
        var edits = placed.edits
        let pair = pairedElementCheck(u, object: args[0], checks: checks, all: all, acquire: get, success: success)
        if let pair { edits = pair.edits }
        var top = ""
        var holder: String
        if let ds = element.arrayDeclStmt {
            // C++ forbids a goto over the construction of the guards.
            let at = statementEnd(tree.nodes[ds])
            let labelsAfter = Set(all.filter { tree.nodes[$0].kind == .labelStmt && tree.nodes[$0].range.lowerBound >= at }.map { tree.nodes[$0].spelling })
            if all.contains(where: { tree.nodes[$0].kind == .gotoStmt && tree.nodes[$0].range.lowerBound < at && labelsAfter.contains(gotoTarget($0) ?? "") }) {
                return .failure(Refusal(message: "a goto jumps over the declaration of `\(element.array)`, where the guards would be constructed"))
            }
            let declIndent = indentation(of: tree.nodes[ds].range.lowerBound)
            edits.insert(.insert(eol + declIndent + "bufferlint::BufferView \(views)[sizeof(\(element.array)) / sizeof((\(element.array))[0])];", at: at), at: 0)
            holder = "`bufferlint::BufferView \(views)[...]` of the size of `\(element.array)`, declared beside it"
        } else if let bound = element.bound {
            // Allocated right before the loop; on failure (MemoryError) the call's own failure exit is taken.
            let leave: String
            switch allocationExit(thenNode, loop: element.loop, all: all) {
            case .success(let l): leave = l
            case .failure(let r): return .failure(r)
            }
            let loopStart = tree.nodes[element.loop].range.lowerBound
            edits.insert(.insert("if (\(views).allocate(\(bound)) < 0)" + eol + indentation(of: loopStart) + "    " + leave + eol + indentation(of: loopStart), at: loopStart), at: 0)
            top = "bufferlint::BufferViews \(views);"
            holder = "`bufferlint::BufferViews \(views)` (bufferlint_view.hpp) allocated before the loop with its bound `\(bound)`, whose failure raises MemoryError and takes the call's own failure exit"
        } else {
            return .failure(Refusal(message: "the array of pointers is neither a local array nor bounded by its loop"))
        }
        var note = "an array of guards \(holder), one per element of `\(element.array)` and indexed by `\(element.index)`: each view acquired is released exactly once by its guard on every exit, the failure in the middle of the loop and C++ exceptions included, and a guard never acquired releases nothing"
        if found.kind == "callee" {
            note += "; unsafe: the array is passed to \(found.description); the fix assumes they do not keep the pointers after they return"
        }
        if let threads = threadsNote(declarations, all: all) { note += "; " + threads }
        if let pair { note += "; " + pair.note }
        return .success(Acquisition(use: u, view: views, pointerDecl: element.arrayNode, pointerDeclarations: declarations, acquiredAt: pair?.check.offset ?? u.offset,
                                    failureBranch: nil, edits: edits, escape: found, note: note,
                                    pairedCheck: pair.map { ($0.check.offset, $0.checkEdits) }, removed: pair?.removed, top: top))
    }

    /// The paired check's edits: its condition becomes the acquisition's failure test, and its failure
    /// branch clears the exporter's error before it raises the function's own, as the old check did.
    func pairedCheckEdits(_ check: (offset: Int, condition: Int, then: Int), acquire: String) -> [Edit] {
        let then = tree.nodes[check.then]
        var edits = [Edit(range: tree.nodes[check.condition].range, replacement: "\(acquire) < 0")]
        if then.kind == .compound {
            edits.append(.insert(" PyErr_Clear();", at: then.range.lowerBound + 1))
        } else {
            edits.append(.insert("{ PyErr_Clear(); ", at: then.range.lowerBound))
            edits.append(.insert(" }", at: statementEnd(then)))
        }
        return edits
    }

    /// In a loop filling an array of views: a check of the same element right before the call's `if`
    /// (`if (!PyObject_CheckReadBuffer(items[i])) { ...; goto err; }` then `if (PyObject_AsReadBuffer(items[i], ...)) goto err;`).
    /// The check acquires the element's view; the call's `if` becomes the assignments of a success.
    func pairedElementCheck(_ u: Use, object: Int, checks: [Use], all: [Int], acquire: String, success: [String])
        -> (check: (offset: Int, condition: Int, then: Int), checkEdits: [Edit], edits: [Edit], removed: Range<Int>, note: String)? {
        guard let check = pairableCheck(for: u, object: object, checks: checks, all: all),
              case .success(.ifCondition(let fetchIf, _, false)) = statementPosition(u.callNode),
              let checkIf = tree.nodes[check.condition].parent, let block = tree.nodes[checkIf].parent,
              let k = tree.nodes[block].children.firstIndex(of: checkIf), k + 1 < tree.nodes[block].children.count,
              tree.nodes[block].children[k + 1] == fetchIf else { return nil }
        let checkEdits = pairedCheckEdits(check, acquire: acquire)
        let indent = indentation(of: tree.nodes[fetchIf].range.lowerBound)
        let removed = tree.nodes[fetchIf].range.lowerBound..<statementEnd(tree.nodes[fetchIf])
        let note = "paired with the `PyObject_CheckReadBuffer` of the same element at line \(text.line(of: check.offset)), which now acquires the view: its failure branch clears the exporter's error and raises the function's own, as before"
        return (check, checkEdits, checkEdits + [Edit(range: removed, replacement: success.joined(separator: eol + indent))], removed, note)
    }

    /// An object expression that names the same object wherever it is written while its variables
    /// keep their values: a variable or an element of one (`x`, `items[i]`), with those variables.
    func objectVariables(_ e: Int) -> [Int]? {
        let k = strip(e)
        guard !tree.nodes[k].inMacro else { return nil }
        switch tree.nodes[k].kind {
        case .declRef: return tree.nodes[k].declarationOffset.map { [$0] }
        case .arraySubscript:
            guard tree.nodes[k].children.count == 2, let a = objectVariables(tree.nodes[k].children[0]),
                  let b = objectVariables(tree.nodes[k].children[1]) else { return nil }
            return a + b
        default: return nil
        }
    }

    /// A check `if (!PyObject_CheckReadBuffer(x)) <exit>` (or `== 0`) before `u` in the same block
    /// structure, on the same object `x` (a variable or `items[i]`, spelled alike), with the same
    /// flags, none of its variables assigned in between.
    func pairableCheck(for u: Use, object: Int, checks: [Use], all: [Int]) -> (offset: Int, condition: Int, then: Int)? {
        guard let objVars = objectVariables(object) else { return nil }
        let spelled = tokens(in: tree.nodes[strip(object)].range)
        for check in checks.sorted(by: { $0.offset > $1.offset }) where check.offset < u.offset && check.semantics.flag == u.semantics.flag {
            let cc = tree.nodes[check.callNode]
            guard !cc.inMacro, let arg = cc.children.dropFirst().first, cc.children.count == 2 else { continue }
            guard objectVariables(arg) == objVars, tokens(in: tree.nodes[strip(arg)].range) == spelled else { continue }
            // `!check(x)` or `check(x) == 0` as the whole condition of an `if` without else, whose body always leaves.
            let k = climb(check.callNode)
            guard let p = tree.nodes[k].parent else { continue }
            var condition = p
            if tree.nodes[p].kind == .unary, unaryOperator(p) == "!" {
                condition = climb(p)
            } else if tree.nodes[p].kind == .binary, binaryOperator(p) == "==",
                      let other = tree.nodes[p].children.first(where: { $0 != k }), tokens(in: tree.nodes[other].range) == ["0"] {
                condition = climb(p)
            } else { continue }
            guard let ifNode = tree.nodes[condition].parent, tree.nodes[ifNode].kind == .ifStmt, tree.nodes[ifNode].children.first == condition,
                  tree.nodes[ifNode].children.count == 2, let block = tree.nodes[ifNode].parent, tree.nodes[block].kind == .compound else { continue }
            let then = tree.nodes[ifNode].children[1]
            guard alwaysExits(then) else { continue }
            // The acquisition runs after the check on every path through the block holding the check:
            // it is in the same block or nested below it, not in a loop (refused earlier) or a branch
            // that could skip it with the view held (that only delays the release to the exits).
            guard tree.ancestors(of: u.callNode).contains(block) else { continue }
            // `x` is not assigned between the check and the acquisition.
            let between = tree.nodes[ifNode].range.upperBound..<u.offset
            let assigned = all.contains { i in
                guard tree.nodes[i].kind == .declRef, tree.nodes[i].declarationOffset.map(objVars.contains) == true, between.contains(tree.nodes[i].range.lowerBound) else { return false }
                let up = climb(i)
                guard let q = tree.nodes[up].parent else { return false }
                if tree.nodes[q].kind == .binary, binaryOperator(q) == "=", tree.nodes[q].children.first == up { return true }
                if tree.nodes[q].kind == .unary, ["&", "++", "--"].contains(unaryOperator(q) ?? "") { return true }
                return tree.nodes[q].kind == .compoundAssign
            }
            if assigned { continue }
            return (check.offset, condition, then)
        }
        return nil
    }

    /// A use of the pointer between `Py_BEGIN_ALLOW_THREADS` and `Py_END_ALLOW_THREADS`, described.
    func threadsNote(_ declarations: Set<Int>, all: [Int]) -> String? {
        for region in threadRegions {
            if all.contains(where: { tree.nodes[$0].kind == .declRef && tree.nodes[$0].declarationOffset.map(declarations.contains) == true && region.contains(tree.nodes[$0].range.lowerBound) }) {
                return "the pointer is used without the GIL between Py_BEGIN_ALLOW_THREADS and Py_END_ALLOW_THREADS (line \(text.line(of: region.lowerBound))): not an escape, and the view now keeps the memory alive there, which the old borrowed pointer did not"
            }
        }
        return nil
    }

    /// A goto after `offset` to a label before it: the code at `offset` can run again.
    func jumpsBack(above offset: Int, all: [Int]) -> Bool {
        let labelsAbove = Set(all.filter { tree.nodes[$0].kind == .labelStmt && tree.nodes[$0].range.lowerBound < offset }.map { tree.nodes[$0].spelling })
        return all.contains { tree.nodes[$0].kind == .gotoStmt && tree.nodes[$0].range.lowerBound > offset && labelsAbove.contains(gotoTarget($0) ?? "") }
    }

    func gotoTarget(_ i: Int) -> String? {
        let ts = tokens(in: tree.nodes[i].range)
        return ts.count >= 2 ? ts[1] : nil
    }

    /// `&name`, in parentheses and under a cast at most (`(const void **)&p`): the name and the
    /// offset of its declaration. The cast does not matter: the variable is assigned with its own type.
    func plainAddress(_ arg: Int) -> (name: String, declaration: Int)? {
        var a = strip(arg)
        while tree.nodes[a].kind == .cast, let inner = tree.nodes[a].children.last { a = strip(inner) }
        guard tree.nodes[a].kind == .unary, unaryOperator(a) == "&", let operand = tree.nodes[a].children.first else { return nil }
        let r = strip(operand)
        guard tree.nodes[r].kind == .declRef, !tree.nodes[r].inMacro, let d = tree.nodes[r].declarationOffset else { return nil }
        let ts = tokens(in: tree.nodes[a].range).filter { $0 != "(" && $0 != ")" }
        guard ts == ["&", tree.nodes[r].spelling] else { return nil }
        return (tree.nodes[r].spelling, d)
    }

    /// A pointer argument that is itself a parameter of the function (a wrapper handing the pointer on).
    func parameterArgument(_ arg: Int, all: [Int]) -> String? {
        var a = strip(arg)
        while tree.nodes[a].kind == .cast, let inner = tree.nodes[a].children.last { a = strip(inner) }
        guard tree.nodes[a].kind == .declRef, let d = tree.nodes[a].declarationOffset,
              all.contains(where: { tree.nodes[$0].kind == .parmDecl && tree.nodes[$0].location == d }) else { return nil }
        return tree.nodes[a].spelling
    }

    /// `combined`: the call is one of several failure tests joined by `||`.
    /// `ignored`: `call(...);` whose result nobody reads (the old call then left the pointer unset on failure).
    enum Position { case ifCondition(ifNode: Int, thenNode: Int, combined: Bool), resultStored(statement: Int, variable: String), ignored(statement: Int) }

    func statementPosition(_ call: Int) -> Result<Position, Refusal> {
        var k = climb(call)
        guard let p0 = tree.nodes[k].parent else { return .failure(Refusal(message: "the call is not inside a statement")) }
        // `rc = call;` and `int rc = call;`
        if tree.nodes[p0].kind == .binary, binaryOperator(p0) == "=", tree.nodes[p0].children.count == 2, tree.nodes[p0].children[1] == k {
            let lhs = strip(tree.nodes[p0].children[0])
            guard tree.nodes[lhs].kind == .declRef, let s = tree.nodes[p0].parent, tree.nodes[s].kind == .compound else {
                return .failure(Refusal(message: "the call's result is stored in a way the rewrite does not follow"))
            }
            return .success(.resultStored(statement: p0, variable: tree.nodes[lhs].spelling))
        }
        if tree.nodes[p0].kind == .varDecl, let ds = tree.nodes[p0].parent, tree.nodes[ds].kind == .declStmt, tree.nodes[ds].children.count == 1,
           let s = tree.nodes[ds].parent, tree.nodes[s].kind == .compound {
            return .success(.resultStored(statement: ds, variable: tree.nodes[p0].spelling))
        }
        if tree.nodes[p0].kind == .compound {
            return .success(.ignored(statement: k))
        }
        // A failure test: `call`, `call < 0`, `call == -1`, `call != 0`, ... then `||`s up to an `if`.
        if tree.nodes[p0].kind == .binary, let op = binaryOperator(p0), ["<", "<=", ">", ">=", "==", "!="].contains(op) {
            let other = tree.nodes[p0].children.first { $0 != k } ?? k
            let callOnLeft = tree.nodes[p0].children.first == k
            guard let value = Int(tokens(in: tree.nodes[other].range).filter { $0 != "(" && $0 != ")" }.joined()) else {
                return .failure(Refusal(message: "the call's result is compared with something other than a constant"))
            }
            func test(_ r: Int) -> Bool {
                let (a, b) = callOnLeft ? (r, value) : (value, r)
                switch op {
                case "<": return a < b
                case "<=": return a <= b
                case ">": return a > b
                case ">=": return a >= b
                case "==": return a == b
                default: return a != b
                }
            }
            guard test(-1) && !test(0) else {
                return .failure(Refusal(message: "the condition tests for success, so the code that uses the buffer is inside it"))
            }
            k = climb(p0)
        }
        var combined = false
        while let p = tree.nodes[k].parent, tree.nodes[p].kind == .binary, binaryOperator(p) == "||" {
            k = climb(p)
            combined = true
        }
        guard let ifNode = tree.nodes[k].parent, tree.nodes[ifNode].kind == .ifStmt, tree.nodes[ifNode].children.first == k else {
            return .failure(Refusal(message: "the call is not the failure test of an `if` or a plain `rc = call;` statement"))
        }
        guard tree.nodes[ifNode].children.count == 2 else {
            return .failure(Refusal(message: "the `if` testing the call has an `else` branch"))
        }
        guard let s = tree.nodes[ifNode].parent, tree.nodes[s].kind == .compound else {
            return .failure(Refusal(message: "the `if` testing the call is not directly in a block"))
        }
        let then = tree.nodes[ifNode].children[1]
        guard alwaysExits(then) else {
            return .failure(Refusal(message: "the failure branch of the `if` does not always leave the function"))
        }
        return .success(.ifCondition(ifNode: ifNode, thenNode: then, combined: combined))
    }

    func alwaysExits(_ i: Int) -> Bool {
        let n = tree.nodes[i]
        switch n.kind {
        case .returnStmt, .gotoStmt: return true
        case .compound: return n.children.last.map(alwaysExits) ?? false
        default: return false
        }
    }

    /// The first use of the pointer, or of a local variable it is copied into, that could let it
    /// outlive the view; nil when every use only reads or writes through it. Also the declarations followed.
    /// `levels`: how many dereferences still give a pointer into the buffers (1 for an array of pointers,
    /// whose elements are followed like the pointer itself).
    func escapingUse(of declaration: Int, pointerName: String, all: [Int], call: Int?, levels: Int = 0) -> (Escape?, Set<Int>, [(name: String, line: Int)]) {
        let (e, d, c, _) = escapingUses(of: declaration, pointerName: pointerName, all: all, call: call, levels: levels)
        return (e, d, c)
    }

    /// Also the stores into fields (with trustCallees, for held views: `holdable` lists them instead of refusing).
    /// `call`: the acquisition, whose own uses of the pointer are not followed (nil: follow every use).
    func escapingUses(of declaration: Int, pointerName: String, all: [Int], call: Int?, holdable: Bool = false, levels: Int = 0) -> (Escape?, Set<Int>, [(name: String, line: Int)], [Int]) {
        var callees: [(name: String, line: Int)] = []
        var stores: [Int] = []
        let callRange = call.map { tree.nodes[$0].range } ?? 0..<0
        let locals = Set(all.filter { [.varDecl, .parmDecl].contains(tree.nodes[$0].kind) && !tree.nodes[$0].isStatic }.map { tree.nodes[$0].location })
        var followed: Set<Int> = [declaration]
        var followedLevels: [Int: Int] = [declaration: levels]
        var queue = [(declaration, pointerName, levels)]
        while let (decl, name, declLevels) = queue.first {
            queue.removeFirst()
            for i in all where tree.nodes[i].kind == .declRef && tree.nodes[i].declarationOffset == decl && !callRange.contains(tree.nodes[i].range.lowerBound) {
                let line = text.line(of: tree.nodes[i].range.lowerBound)
                let shown = name == pointerName ? "`\(pointerName)`" : "`\(pointerName)` (copied into `\(name)`)"
                if tree.nodes[i].inMacro {
                    return (Escape(kind: "unknown", line: line, description: "the pointer \(shown) is used inside a macro at line \(line)"), followed, callees, stores)
                }
                switch escape(from: i, locals: locals, levels: declLevels) {
                case .stays:
                    continue
                case .copied(let to, let toName, let toLevels):
                    if (followedLevels[to] ?? -1) < toLevels {
                        followed.insert(to)
                        followedLevels[to] = toLevels
                        queue.append((to, toName, toLevels))
                    }
                case .escapes("callee", _) where trustCallees:
                    let p = climbToCall(i)
                    callees.append((p.map { tree.nodes[$0].spelling } ?? "a function", line))
                case .escapes("struct-field", _) where holdable:
                    stores.append(i)
                case .escapes(let kind, let why):
                    return (Escape(kind: kind, line: line, description: "the pointer \(shown) \(why) at line \(line), so it could outlive the view"), followed, callees, stores)
                }
            }
        }
        return (nil, followed, callees, stores)
    }

    // MARK: - Wrappers

    /// A `static` wrapper `W(obj, buffer, len)` whose body ends in `return PyObject_As*Buffer(obj, buffer, len);`
    /// with `buffer` and `len` its own parameters: it gains a last parameter `Py_buffer *view` (in C++
    /// `bufferlint::BufferView &view`, a guard), fills it with `PyObject_GetBuffer` and hands out the
    /// view's pointer and length; its callers own the view.
    /// `allowExtern`: a wrapper that is not `static` is rewritten too (its callers in other files are
    /// then the caller's business: see `CrossFileWrappers`).
    func wrapperEdits(_ u: Use, fn: Int, viewParameter: String, allowExtern: Bool = false) -> Result<(name: String, edits: [Edit], isStatic: Bool), Refusal> {
        let c = tree.nodes[u.callNode]
        let args = Array(c.children.dropFirst())
        guard args.count == 3, let ret = tree.nodes[climb(u.callNode)].parent, tree.nodes[ret].kind == .returnStmt, !tree.nodes[ret].inMacro else {
            return .failure(Refusal(message: "the wrapper does not end in `return \(u.function)(...)`"))
        }
        let parms = tree.nodes[fn].children.filter { tree.nodes[$0].kind == .parmDecl }
        func parameter(_ a: Int) -> Int? {
            let r = strip(a)
            guard tree.nodes[r].kind == .declRef, let d = tree.nodes[r].declarationOffset else { return nil }
            return parms.first { tree.nodes[$0].location == d }
        }
        guard let pParm = parameter(args[1]), let lParm = parameter(args[2]), let lastParm = parms.last else {
            return .failure(Refusal(message: "the pointer and the length are not the wrapper's own parameters"))
        }
        guard tree.nodes[pParm].typeSpelling.hasSuffix("*"), tree.nodes[lParm].typeSpelling.hasSuffix("*") else {
            return .failure(Refusal(message: "the pointer and the length are not passed to the wrapper through pointers"))
        }
        let name = tree.nodes[fn].spelling
        let header = tokens(in: tree.nodes[fn].range.lowerBound..<tree.nodes[fn].range.lowerBound + 1)
        let isStatic = text.text(tree.nodes[fn].range.lowerBound..<tree.nodes[lastParm].range.lowerBound).contains("static") || header.first == "static"
        guard isStatic || allowExtern else {
            return .failure(Refusal(message: "`\(name)` is not static: callers in other files would need the new parameter"))
        }
        // C++: a new last parameter cannot follow one with a default argument.
        if cplusplus, tokens(in: tree.nodes[lastParm].range).contains("=") {
            return .failure(Refusal(message: "the last parameter of `\(name)` has a default argument, so no parameter can follow it"))
        }
        func pointee(_ t: String) -> String {
            var s = t.trimmingCharacters(in: .whitespaces)
            if s.hasSuffix("*") { s.removeLast() }
            return s.trimmingCharacters(in: .whitespaces)
        }
        let pType = pointee(tree.nodes[pParm].typeSpelling), lType = pointee(tree.nodes[lParm].typeSpelling)
        let object = text.text(tree.nodes[args[0]].range)
        let failure = u.semantics.oldErrorCall.map { "{ \($0); return -1; }" } ?? "return -1;"
        let pName = tree.nodes[pParm].spelling, lName = tree.nodes[lParm].spelling
        // C: `Py_buffer *view`, filled in place. C++: the caller's guard, which releases it on every exit of the caller.
        let (declared, acquire, bufExpr, lenExpr) = cplusplus
            ? ("bufferlint::BufferView &\(viewParameter)", "\(viewParameter).acquire(\(object), \(u.semantics.flag))", "\(viewParameter).buf()", "\(viewParameter).len()")
            : ("Py_buffer *\(viewParameter)", "PyObject_GetBuffer(\(object), \(viewParameter), \(u.semantics.flag))", "\(viewParameter)->buf", "\(viewParameter)->len")
        let lengthValue = lType == "Py_ssize_t" ? lenExpr : "(\(lType))\(lenExpr)"
        let body = "{ if (\(acquire) < 0) \(failure) *\(pName) = (\(pType))\(bufExpr); *\(lName) = \(lengthValue); return 0; }"
        var edits = [
            Edit(range: tree.nodes[ret].range.lowerBound..<statementEnd(tree.nodes[ret]), replacement: body),
            .insert(", \(declared)", at: tree.nodes[lastParm].range.upperBound),
        ]
        // Prototypes of the wrapper in this file (outside any function body).
        var depth = 0
        for k in lexed.tokens.indices {
            let sp = lexed.spelling(at: k)
            if sp == "{" { depth += 1 } else if sp == "}" { depth -= 1 }
            guard depth == 0, sp == name, k + 1 < lexed.tokens.count, lexed.spelling(at: k + 1) == "(", lexed.tokens[k].start != tree.nodes[fn].location else { continue }
            var j = k + 1, d = 0
            var defaulted = false
            while j < lexed.tokens.count { let t = lexed.spelling(at: j); if t == "(" { d += 1 } else if t == ")" { d -= 1; if d == 0 { break } } else if t == "=" && d == 1 { defaulted = true }; j += 1 }
            guard j + 1 < lexed.tokens.count, lexed.spelling(at: j + 1) == ";" else { continue }
            if cplusplus && defaulted {
                return .failure(Refusal(message: "a prototype of `\(name)` at line \(text.line(of: lexed.tokens[k].start)) gives a default argument, so no parameter can follow it"))
            }
            edits.append(.insert(", \(declared)", at: lexed.tokens[j].start))
        }
        return .success((name, edits, isStatic))
    }

    // MARK: - Held views

    /// A view handed to the object whose field keeps the pointer: `PARAM->FIELD = p;` where PARAM is a
    /// parameter of type `T *`, T is defined in this file and has a deallocator here.
    struct HeldTarget {
        var store: Int
        var param: String
        var type: String
        var field: String
        var edits: [Edit]
    }

    func heldTarget(storeRef: Int, view: String, call: Int, all: [Int]) -> Result<HeldTarget, Refusal> {
        var cur = storeRef
        while let p = tree.nodes[cur].parent, [.paren, .unexposed, .cast].contains(tree.nodes[p].kind) { cur = p }
        guard let assign = tree.nodes[cur].parent, tree.nodes[assign].kind == .binary, binaryOperator(assign) == "=",
              let stmtBlock = tree.nodes[assign].parent, tree.nodes[stmtBlock].kind == .compound else {
            return .failure(Refusal(message: "the pointer is stored in a field by an expression the rewrite does not follow"))
        }
        // Stored twice after one acquisition, the second hand-over would release the view the field keeps.
        let storeAt = tree.nodes[assign].range.lowerBound
        if tree.ancestors(of: assign).contains(where: { [.forStmt, .whileStmt, .doStmt].contains(tree.nodes[$0].kind) }) {
            return .failure(Refusal(message: "the pointer is stored in a loop, so the view could be handed over twice"))
        }
        let labelsBetween = Set(all.filter { tree.nodes[$0].kind == .labelStmt && tree.nodes[call].range.upperBound <= tree.nodes[$0].range.lowerBound && tree.nodes[$0].range.lowerBound < storeAt }.map { tree.nodes[$0].spelling })
        if all.contains(where: { tree.nodes[$0].kind == .gotoStmt && tree.nodes[$0].range.lowerBound > storeAt && labelsBetween.contains(gotoTarget($0) ?? "") }) {
            return .failure(Refusal(message: "a goto jumps back above the store, so the view could be handed over twice"))
        }
        let member = strip(tree.nodes[assign].children[0])
        guard tree.nodes[member].kind == .memberRef, let baseNode = tree.nodes[member].children.first, tree.nodes[baseNode].kind != .memberRef else {
            return .failure(Refusal(message: "the field is not `parameter->field`"))
        }
        let base = strip(baseNode)
        guard tree.nodes[base].kind == .declRef, let d = tree.nodes[base].declarationOffset,
              let parm = tree.nodes.indices.first(where: { tree.nodes[$0].kind == .parmDecl && tree.nodes[$0].location == d }),
              tokens(in: tree.nodes[member].range).contains("->") else {
            return .failure(Refusal(message: "the field is not `parameter->field`"))
        }
        var type = tree.nodes[parm].typeSpelling.replacingOccurrences(of: "struct ", with: "").replacingOccurrences(of: "*", with: "").trimmingCharacters(in: .whitespaces)
        // C++ spells a type declared in a namespace with its qualifiers: the definition names it without.
        if let colons = type.range(of: "::", options: .backwards) { type = String(type[colons.upperBound...]) }
        let param = tree.nodes[base].spelling, field = tree.nodes[member].spelling
        let held = "\(field)_view"
        guard !identifiers.contains(held) else { return .failure(Refusal(message: "the name `\(held)` is taken")) }
        let closes = structCloses(type)
        guard let close = closes.first else {
            return .failure(Refusal(message: "the definition of `\(type)` is not in this file, so no `Py_buffer` field can be added"))
        }
        guard closes.count == 1 else {
            return .failure(Refusal(message: "`\(type)` is defined more than once in this file, so which one gets the `Py_buffer` field is not known"))
        }
        guard let dealloc = deallocator(type) else {
            return .failure(Refusal(message: "no deallocator taking a `\(type) *` is in this file to release the held view"))
        }
        let fieldIndent = indentation(of: lexed.tokens[close].start).isEmpty ? "    " : indentation(of: lexed.tokens[close].start) + "    "
        var closeLineStart = lexed.tokens[close].start
        while closeLineStart > 0, text.bytes[closeLineStart - 1] == 0x20 || text.bytes[closeLineStart - 1] == 0x09 { closeLineStart -= 1 }
        let statementIndent = indentation(of: tree.nodes[assign].range.lowerBound)
        // The owner's field: zeroed with the object (tp_alloc), released when it dies or is given another view.
        let fieldLine: String = fieldIndent + "Py_buffer " + held + "; /* keeps `" + field + "` valid */" + eol
        let deallocLine: String = eol + "    PyBuffer_Release(&" + dealloc.param + "->" + held + ");"
        let move: String = cplusplus
            // The guard's Py_buffer goes to the field, and the guard is left empty: its destructor releases nothing.
            ? view + ".move_to(&" + param + "->" + held + ");" + eol + statementIndent
            : "PyBuffer_Release(&" + param + "->" + held + "); " + param + "->" + held + " = " + view + "; " + view + ".obj = NULL;" + eol + statementIndent
        let edits: [Edit] = [
            Edit.insert(fieldLine, at: closeLineStart),
            Edit.insert(deallocLine, at: dealloc.open + 1),
            Edit.insert(move, at: tree.nodes[assign].range.lowerBound),
        ]
        return .success(HeldTarget(store: assign, param: param, type: type, field: field, edits: edits))
    }

    /// The `}` closing each `struct T {...}` or `typedef struct ... {...} T;` (one, unless a C++ file
    /// defines T in several namespaces).
    func structCloses(_ type: String) -> [Int] {
        var out: [Int] = []
        for k in lexed.tokens.indices where lexed.spelling(at: k) == type {
            // typedef struct { ... } T;
            if k > 0, lexed.spelling(at: k - 1) == "}", k + 1 < lexed.tokens.count, lexed.spelling(at: k + 1) == ";" { out.append(k - 1); continue }
            // struct T { ... };
            if k > 0, lexed.spelling(at: k - 1) == "struct", k + 1 < lexed.tokens.count, lexed.spelling(at: k + 1) == "{" {
                var depth = 0
                for j in (k + 1)..<lexed.tokens.count {
                    let sp = lexed.spelling(at: j)
                    if sp == "{" { depth += 1 } else if sp == "}" { depth -= 1; if depth == 0 { out.append(j); break } }
                }
            }
        }
        return Set(out).sorted()
    }

    /// A function named `...dealloc...` whose parameters are `(T *name)`: its name and the offset of its `{`.
    func deallocator(_ type: String) -> (param: String, open: Int)? {
        for k in lexed.tokens.indices where lexed.tokens[k].kind == .identifier && lexed.spelling(at: k).lowercased().contains("dealloc") {
            guard k + 4 < lexed.tokens.count, lexed.spelling(at: k + 1) == "(" else { continue }
            var j = k + 2
            var params: [String] = []
            while j < lexed.tokens.count, lexed.spelling(at: j) != ")" { params.append(lexed.spelling(at: j)); j += 1 }
            guard j + 1 < lexed.tokens.count, lexed.spelling(at: j + 1) == "{", params.contains(type), params.contains("*"),
                  !params.contains(","), let name = params.last, name != "*" else { continue }
            return (name, lexed.tokens[j + 1].start)
        }
        return nil
    }

    func climbToCall(_ i: Int) -> Int? {
        tree.ancestors(of: i).first { tree.nodes[$0].kind == .callExpr }
    }

    /// `copied`: into a local variable (its declaration, name, and the levels of pointers it holds).
    enum UseKind { case stays, copied(Int, String, Int), escapes(String, String) }

    /// Where an assignment's left side keeps the pointer.
    func sink(_ lhs: Int, locals: Set<Int>, levels: Int) -> UseKind {
        let l = strip(lhs)
        let n = tree.nodes[l]
        switch n.kind {
        case .declRef:
            if let d = n.declarationOffset, locals.contains(d) { return .copied(d, n.spelling, levels) }
            return .escapes("global", "is stored in `\(n.spelling)`, which outlives the function")
        case .memberRef:
            return .escapes("struct-field", "is stored in the field `\(n.spelling)`")
        case .unary where unaryOperator(l) == "*":
            return .escapes("out-param", "is stored through the pointer `\(text.text(n.range))`")
        case .arraySubscript:
            return .escapes("out-param", "is stored in the element `\(text.text(n.range))`")
        default:
            return .escapes("unknown", "is stored in `\(text.text(n.range))`")
        }
    }

    func escape(from use: Int, locals: Set<Int>, levels: Int = 0) -> UseKind {
        var cur = use
        var levels = levels
        while let p = tree.nodes[cur].parent {
            let n = tree.nodes[p]
            switch n.kind {
            case .paren, .unexposed, .cast, .conditional:
                cur = p
            case .arraySubscript where levels > 0 && n.children.first == cur:
                // An element of an array of pointers is a pointer into a buffer too.
                levels -= 1
                cur = p
            case .arraySubscript, .memberRef:
                return .stays
            case .unary where levels > 0 && unaryOperator(p) == "*":
                levels -= 1
                cur = p
            case .unary:
                switch unaryOperator(p) {
                case "*", "!", "++", "--": return .stays
                case "&": return .escapes(tree.ancestors(of: p).contains { tree.nodes[$0].kind == .callExpr } ? "callee" : "unknown", "has its address taken")
                default: return .escapes("unknown", "is used in a way the rewrite does not follow")
                }
            case .binary:
                let op = binaryOperator(p) ?? ""
                let isLeft = n.children.first == cur
                switch op {
                case "=":
                    if isLeft { return .stays }
                    return sink(n.children[0], locals: locals, levels: levels)
                case "+", "-": cur = p
                case "==", "!=", "<", ">", "<=", ">=", "&&", "||": return .stays
                default: return .escapes("unknown", "is used in a way the rewrite does not follow")
                }
            case .compoundAssign:
                return n.children.first == cur ? .stays : .escapes("unknown", "is added to another variable")
            case .callExpr:
                if CFunctions.keepNothing.contains(n.spelling) { return .stays }
                if CFunctions.derivingPointer.contains(n.spelling) { cur = p; continue }
                if let k = n.children.firstIndex(of: cur), k > 0, calleeKeepsNothing(n.spelling, k - 1) { return .stays }
                return .escapes("callee", "is passed to `\(n.spelling.isEmpty ? "a function" : n.spelling)`, which may keep it")
            case .returnStmt:
                return .escapes("returned", "is returned")
            case .varDecl:
                if !n.isStatic { return .copied(n.location, n.spelling, levels) }
                return .escapes("global", "is stored in the static `\(n.spelling)`")
            default:
                return .escapes("unknown", "is used in a way the rewrite does not follow")
            }
        }
        return .stays
    }
}
