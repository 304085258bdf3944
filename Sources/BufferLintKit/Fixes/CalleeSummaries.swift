/// Which pointer parameters of the functions defined in a file keep nothing of what they are given:
/// a parameter that is only read or written through, compared, or handed to functions that keep
/// nothing (the C library table, or another such parameter of this file) cannot let the pointer
/// outlive the call. The scoped rewrite then treats a call of such a function like `memcpy`.
/// Summaries are made on demand from the file's one parse, each once; a recursion or a body whose
/// tree is broken keeps its parameter (the safe answer).
final class CalleeSummaries {
    let parsed: ParsedUnit
    let text: SourceText
    let lexed: LexedFile
    let identifiers: Set<String>
    let cplusplus: Bool
    private var known: [String: Bool] = [:]
    private var computing: Set<String> = []
    /// Definitions of the file's functions: name -> offset of the name.
    private lazy var definitions: [String: Int] = findDefinitions()

    init(parsed: ParsedUnit, text: SourceText, lexed: LexedFile, identifiers: Set<String>, cplusplus: Bool) {
        self.parsed = parsed
        self.text = text
        self.lexed = lexed
        self.identifiers = identifiers
        self.cplusplus = cplusplus
    }

    /// Whether the function `name` keeps nothing of its argument number `index` (0 is the first).
    func keepsNothing(_ name: String, _ index: Int) -> Bool {
        let key = "\(name)#\(index)"
        if let k = known[key] { return k }
        guard !computing.contains(key), computing.count < 8, let at = definitions[name] else { return false }
        computing.insert(key)
        defer { computing.remove(key) }
        let tree = parsed.functionTree(offsets: [at], lexed: lexed)
        guard let fn = tree.functions.first(where: { tree.nodes[$0].spelling == name }), tree.broken[fn] == nil else { return remember(key, false) }
        let parameters = tree.nodes[fn].children.filter { tree.nodes[$0].kind == .parmDecl }
        guard index < parameters.count, tree.nodes[parameters[index]].typeSpelling.contains("*") else { return remember(key, false) }
        var rewrite = ScopedBufferRewrite(tree: tree, text: text, lexed: lexed, identifiers: identifiers, cplusplus: cplusplus)
        rewrite.calleeKeepsNothing = { [unowned self] in self.keepsNothing($0, $1) }
        let p = parameters[index]
        let all = tree.descendants(of: fn)
        let (escape, _, _) = rewrite.escapingUse(of: tree.nodes[p].location, pointerName: tree.nodes[p].spelling, all: all, call: nil)
        return remember(key, escape == nil)
    }

    private func remember(_ key: String, _ value: Bool) -> Bool {
        known[key] = value
        return value
    }

    /// `name ( ... ) {` at the file's top level (or in a namespace or `extern "C"` block).
    private func findDefinitions() -> [String: Int] {
        var out: [String: Int] = [:]
        let toks = lexed.tokens
        var depth = 0
        var k = 0
        while k < toks.count {
            let t = toks[k]
            if t.directive != nil { k += 1; continue }
            let sp = lexed.spelling(t)
            if sp == "{" { depth += 1 } else if sp == "}" { depth = max(0, depth - 1) }
            if depth <= 1, t.kind == .identifier, k + 1 < toks.count, lexed.isPunct(k + 1, "(") {
                // Find the matching `)`, then a `{` right after it.
                var j = k + 1, d = 0
                while j < toks.count {
                    if lexed.isPunct(j, "(") { d += 1 } else if lexed.isPunct(j, ")") { d -= 1; if d == 0 { break } }
                    j += 1
                }
                if j + 1 < toks.count, lexed.isPunct(j + 1, "{"), out[sp] == nil { out[sp] = t.start }
            }
            k += 1
        }
        return out
    }
}
