import Foundation

/// The callers' side of a caller-owned view: every call of a wrapper passes `&view`, a view its
/// calling function owns and releases at its exits (the scoped plan, with `Use.wrapper`). In C++
/// it passes `view`, a `bufferlint::BufferView` guard declared at the top of the calling function,
/// whose destructor releases it on every exit.
enum CallerOwnedViews {
    struct Planned {
        var edits: [Edit] = []
        var lines: [Int] = []
        var functions = 0
    }

    /// Nil when a call is not a plain call in a function the tree shows, when a calling function also
    /// holds one of `excluding` (an old call: its own plan would share the exits), or when a call
    /// cannot own the view.
    static func plan(callers: [Int], wrapper: String, semantics: Rule.Semantics, tree: FunctionTree, text: SourceText, lexed: LexedFile,
                     identifiers: Set<String>, cplusplus: Bool, excluding: [Int]) -> Planned? {
        let rewrite = ScopedBufferRewrite(tree: tree, text: text, lexed: lexed, identifiers: identifiers, cplusplus: cplusplus)
        var out = Planned()
        for fn in tree.functions {
            let range = tree.nodes[fn].range
            let here = callers.filter { range.contains($0) }
            guard !here.isEmpty else { continue }
            if excluding.contains(where: { range.contains($0) }) { return nil }
            var uses: [ScopedBufferRewrite.Use] = []
            for c in here {
                guard let node = tree.descendants(of: fn).first(where: { tree.nodes[$0].kind == .callExpr && tree.nodes[$0].range.lowerBound == c && tree.nodes[$0].spelling == wrapper }) else { return nil }
                uses.append(.init(offset: c, callNode: node, function: wrapper, semantics: semantics, wrapper: true))
                out.lines.append(text.line(of: c))
            }
            out.functions += 1
            for (_, outcome) in rewrite.plan(function: fn, uses: uses) {
                guard case .scoped(let e, _, _) = outcome else { return nil }
                out.edits += e
            }
        }
        return out.lines.count == callers.count ? out : nil
    }
}
