/// What the code around a call does with its result, read from the tokens against the two values
/// the rule says the function returns (`semantics.returns`). Two mistakes are named, never fixed:
/// a fix keeps the project's logic, so the finding (and its fix) says what that logic already does.
/// - a comparison no result can change: `PyObject_CheckReadBuffer(o) < 0` is never true;
/// - an inverted test: `if (!PyObject_AsReadBuffer(o, &p, &n)) return 0;` leaves when the call
///   succeeds, and the pointer is read only on the path where it failed.
struct ResultTests {
    let lexed: LexedFile

    static let conditionals: Set<Directive.Kind> = [.if, .ifdef, .ifndef, .elif, .elifdef, .elifndef, .else, .endif]
    static let comparisons: Set<String> = ["<", ">", "<=", ">=", "==", "!="]
    /// Tokens that end an operand at a lower precedence than a comparison, before or after it.
    static let before: Set<String> = ["(", "&&", "||", "?", ":", ",", "=", "return", ";", "{", "}", "and", "or", "if", "elif", "while"]
    static let after: Set<String> = [")", "&&", "||", "?", ":", ",", ";", "]", "}", "and", "or"]

    /// A test of the call's result: the tokens it spans and whether it is true for a returned value.
    struct Test {
        var first: Int
        var last: Int
        var spelled: String
        var holds: (Int) -> Bool
    }

    func note(for o: Occurrence, rule: Rule) -> String? {
        guard o.kind == .call, o.macro == nil, let returns = rule.semantics?.returns,
              let name = tokenIndex(startingAt: o.nameRange.lowerBound), lexed.isPunct(name + 1, "("),
              let close = matching(from: name + 1), let test = test(name: name, close: close) else { return nil }
        let results = "`\(o.function)` returns only \(returns.success) (success) or \(returns.failure) (failure)"
        let yes = test.holds(returns.success), no = test.holds(returns.failure)
        if yes == no {
            return "the test `\(test.spelled)` is \(yes ? "always" : "never") true: \(results); the fix keeps the test as written"
        }
        guard rule.semantics?.pointerType != "none", let pointer = pointerArgument(open: name + 1, close: close),
              let (bodyEnd, exits) = ifBody(conditionFirst: test.first, conditionLast: test.last) else { return nil }
        let body = (test.last + 2)...bodyEnd
        // A body that crosses an `#if` branch (`#ifdef X if (a) { #else if (b) { #endif`) has no one shape.
        let bytes = lexed.tokens[test.last].end..<lexed.tokens[bodyEnd].end
        if lexed.directives.contains(where: { bytes.contains($0.start) && ResultTests.conditionals.contains($0.kind) }) { return nil }
        let shown = pointer.map { lexed.spelling(at: $0) }.joined()
        if yes, exits, !reads(pointer, in: body), reads(pointer, in: (bodyEnd + 1)..<blockEnd(after: bodyEnd)) {
            return "the test `\(test.spelled)` is true when the call succeeds, since \(results): the code leaves on success and reads `\(shown)` only after a failure; the fix keeps the test as written"
        }
        if no, reads(pointer, in: body) {
            return "the branch of `\(test.spelled)` runs when the call fails, since \(results), and reads `\(shown)`, which only a success sets; the fix keeps the test as written"
        }
        return nil
    }

    func tokenIndex(startingAt offset: Int) -> Int? {
        var lo = 0, hi = lexed.tokens.count
        while lo < hi { let mid = (lo + hi) / 2; if lexed.tokens[mid].start < offset { lo = mid + 1 } else { hi = mid } }
        return lo < lexed.tokens.count && lexed.tokens[lo].start == offset ? lo : nil
    }

    /// The token that closes the bracket at `open` (`(`, `{`), or nil.
    func matching(from open: Int) -> Int? {
        let opening = lexed.spelling(at: open), closing = opening == "(" ? ")" : "}"
        var depth = 0
        for k in open..<lexed.tokens.count where lexed.tokens[k].kind == .punct {
            let s = lexed.spelling(at: k)
            if s == opening { depth += 1 } else if s == closing { depth -= 1; if depth == 0 { return k } }
        }
        return nil
    }

    func spelling(_ k: Int) -> String { k >= 0 && k < lexed.tokens.count ? lexed.spelling(at: k) : "" }

    /// A literal integer ending at `k` (`0`, `-1`) and where it starts.
    func integer(endingAt k: Int) -> (value: Int, first: Int)? {
        guard k >= 0, k < lexed.tokens.count, lexed.tokens[k].kind == .number, let v = Int(spelling(k)) else { return nil }
        return spelling(k - 1) == "-" && ResultTests.before.union(ResultTests.comparisons).contains(spelling(k - 2)) ? (-v, k - 1) : (v, k)
    }

    func integer(startingAt k: Int) -> (value: Int, last: Int)? {
        if spelling(k) == "-", k + 1 < lexed.tokens.count, lexed.tokens[k + 1].kind == .number, let v = Int(spelling(k + 1)) { return (-v, k + 1) }
        guard k < lexed.tokens.count, lexed.tokens[k].kind == .number, let v = Int(spelling(k)) else { return nil }
        return (v, k)
    }

    static func compare(_ a: Int, _ op: String, _ b: Int) -> Bool {
        switch op {
        case "<": return a < b
        case ">": return a > b
        case "<=": return a <= b
        case ">=": return a >= b
        case "==": return a == b
        default: return a != b
        }
    }

    /// The test the call is the operand of: `call OP n`, `n OP call`, `!call` or the bare call.
    func test(name: Int, close: Int) -> Test? {
        let call = "\(spelling(name))(...)"
        let op = spelling(close + 1)
        if ResultTests.comparisons.contains(op), ResultTests.before.contains(spelling(name - 1)),
           let n = integer(startingAt: close + 2), ResultTests.after.contains(spelling(n.last + 1)) {
            return Test(first: name, last: n.last, spelled: "\(call) \(op) \(n.value)") { ResultTests.compare($0, op, n.value) }
        }
        let left = spelling(name - 1)
        if ResultTests.comparisons.contains(left), let n = integer(endingAt: name - 2), ResultTests.before.contains(spelling(n.first - 1)),
           ResultTests.after.contains(spelling(close + 1)) {
            return Test(first: n.first, last: close, spelled: "\(n.value) \(left) \(call)") { ResultTests.compare(n.value, left, $0) }
        }
        guard ResultTests.after.contains(op) else { return nil }
        if left == "!" || left == "not", ResultTests.before.contains(spelling(name - 2)) {
            return Test(first: name - 1, last: close, spelled: "\(left == "!" ? "!" : "not ")\(call)") { $0 == 0 }
        }
        if ResultTests.before.contains(left) { return Test(first: name, last: close, spelled: call) { $0 != 0 } }
        return nil
    }

    /// The lvalue the call writes the pointer to: the tokens after the last `&` of its second argument.
    func pointerArgument(open: Int, close: Int) -> [Int]? {
        var depth = 0, argument = 0, amp: Int? = nil, end = close
        for k in (open + 1)..<close {
            let s = spelling(k)
            if s == "(" || s == "[" { depth += 1 } else if s == ")" || s == "]" { depth -= 1 }
            if depth == 0 && s == "," { argument += 1; if argument == 2 { end = k; break } }
            if depth == 0 && argument == 1 && s == "&" { amp = k }
        }
        guard let amp, amp + 1 < end else { return nil }
        let tokens = Array((amp + 1)..<end)
        guard tokens.allSatisfy({ lexed.tokens[$0].kind == .identifier || [".", "->"].contains(spelling($0)) }) else { return nil }
        return tokens
    }

    /// With the test the whole condition of an `if` without `else`: the end of its body, and whether
    /// the body leaves (`return` or `goto` as its only or last statement).
    func ifBody(conditionFirst: Int, conditionLast: Int) -> (Int, Bool)? {
        guard spelling(conditionFirst - 1) == "(", spelling(conditionFirst - 2) == "if", spelling(conditionLast + 1) == ")" else { return nil }
        let start = conditionLast + 2
        var end: Int, last: Int
        if spelling(start) == "{" {
            guard let e = matching(from: start) else { return nil }
            end = e
            var k = e - 1
            guard spelling(k) == ";" else { return nil }
            k -= 1
            while k > start, ![";", "{", "}"].contains(spelling(k)) { k -= 1 }
            last = k + 1
        } else {
            var k = start, depth = 0
            while k < lexed.tokens.count {
                let s = spelling(k)
                if s == "(" { depth += 1 } else if s == ")" { depth -= 1 } else if s == ";" && depth == 0 { break }
                if s == "{" || s == "}" { return nil }
                k += 1
            }
            guard k < lexed.tokens.count else { return nil }
            end = k
            last = start
        }
        guard spelling(end + 1) != "else" else { return nil }
        return (end, ["return", "goto"].contains(spelling(last)))
    }

    /// Where the block holding token `k` ends.
    func blockEnd(after k: Int) -> Int {
        var depth = 0
        for j in (k + 1)..<lexed.tokens.count {
            let s = spelling(j)
            if s == "{" { depth += 1 } else if s == "}" { depth -= 1; if depth < 0 { return j } }
        }
        return lexed.tokens.count
    }

    /// Whether the lvalue is read in a range of tokens: spelled there, not assigned, its address not taken.
    func reads(_ lvalue: [Int], in range: some Sequence<Int>) -> Bool {
        let words = lvalue.map { spelling($0) }
        for k in range where spelling(k) == words[0] {
            guard (0..<words.count).allSatisfy({ spelling(k + $0) == words[$0] }) else { continue }
            let prior = spelling(k - 1), next = spelling(k + words.count)
            if prior == "&" || prior == "." || prior == "->" || next == "=" { continue }
            return true
        }
        return false
    }
}
