/// Feature macros a missing header would define: `#ifdef CAIRO_HAS_PNG_FUNCTIONS` around a use,
/// where the macro comes from `cairo.h`. The token scan counts such a branch as compiled (the
/// macro's value is unknown); libclang, without the header, would skip it and give no tree there.
/// The parse of a file with missing headers defines them, so the uses in those branches get a tree.
public enum FeatureMacros {
    /// Platform macros are never assumed: the code under them is not the code this machine compiles.
    static let platform: Set<String> = ["WIN32", "WIN64", "MS_WINDOWS", "MS_WIN32", "MS_WIN64", "WINDOWS", "ANDROID", "APPLE"]

    /// Macros tested with `#ifdef X` or `#if defined(X)` around a use (in the branch where X is
    /// defined), never defined in the file, never tested the other way around a use, not a platform
    /// or reserved name. `uses`: byte offsets of the uses.
    public static func assumed(lexed: LexedFile, uses: [Int]) -> [String] {
        definitions(lexed: lexed, uses: uses).map(\.name)
    }

    /// The same, with the value each is given: 1, or for a version test `#if X >= N` (`>`, `==`)
    /// the least value that takes the branch.
    public static func definitions(lexed: LexedFile, uses: [Int]) -> [(name: String, value: String)] {
        var values: [String: String] = [:]
        var definedHere = Set<String>()
        for d in lexed.directives where d.kind == .define || d.kind == .undef {
            if let first = d.tokenRange.first { definedHere.insert(lexed.spelling(at: first)) }
        }
        // A stack of the open conditions: the macro a branch needs defined (true) or undefined (false).
        var stack: [(macro: String?, defined: Bool)] = []
        var wanted = Set<String>(), unwanted = Set<String>()
        let sorted = uses.sorted()
        var u = 0
        func record() {
            for frame in stack { if let m = frame.macro { if frame.defined { wanted.insert(m) } else { unwanted.insert(m) } } }
        }
        for d in lexed.directives {
            while u < sorted.count && sorted[u] < d.start { record(); u += 1 }
            let toks = d.tokenRange.map { lexed.spelling(at: $0) }
            switch d.kind {
            case .ifdef: stack.append((toks.first, true))
            case .ifndef: stack.append((toks.first, false))
            case .if:
                if toks.count == 3, [">=", ">", "=="].contains(toks[1]), let n = integer(toks[2]), toks[0].first.map({ $0 == "_" || $0.isLetter }) == true {
                    // `#if CUDA_VERSION >= 5050`: the version the branch needs.
                    values[toks[0]] = String(toks[1] == ">" ? n + 1 : n)
                    stack.append((toks[0], true))
                }
                else if toks.count == 2, toks[0] == "defined" { stack.append((toks[1], true)) }
                else if toks.count == 4, toks[0] == "defined", toks[1] == "(", toks[3] == ")" { stack.append((toks[2], true)) }
                else { stack.append((nil, true)) }
            case .else:
                if let top = stack.popLast() { stack.append((top.macro, !top.defined)) }
            case .elif, .elifdef, .elifndef:
                if !stack.isEmpty { stack[stack.count - 1] = (nil, true) }
            case .endif:
                _ = stack.popLast()
            default:
                break
            }
        }
        while u < sorted.count { record(); u += 1 }
        return wanted.subtracting(unwanted).subtracting(definedHere).filter { name in
            !platform.contains(name) && !name.hasPrefix("__") && !(name.hasPrefix("_") && name.dropFirst().first?.isUppercase == true)
                && !name.hasPrefix("Py") && !name.hasPrefix("PY")
        }.sorted().map { ($0, values[$0] ?? "1") }
    }

    /// A C integer literal's value (`5050`, `0x030d0000`, `10UL`).
    static func integer(_ literal: String) -> Int64? {
        var t = literal.lowercased()
        while let last = t.last, last == "u" || last == "l" { t.removeLast() }
        if t.hasPrefix("0x") { return Int64(t.dropFirst(2), radix: 16) }
        return Int64(t)
    }
}
