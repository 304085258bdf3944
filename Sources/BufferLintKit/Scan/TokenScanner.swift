import Foundation

public struct MissingInclude: Sendable, Equatable, Codable {
    public let name: String
    public let line: Int
    public let angled: Bool
}

/// A function body found in the token stream: its name and byte extent.
public struct FunctionSpan: Sendable, Equatable {
    public let name: String
    public let bodyRange: Range<Int>
}

public struct TokenScanResult: Sendable {
    public var occurrences: [Occurrence] = []
    public var missingIncludes: [MissingInclude] = []
    public var functions: [FunctionSpan] = []
    /// Project headers the file reached: their contents are part of its cache key.
    public var headers: [String] = []
    /// `#include MACRO` lines in branches that may be compiled ("line N" or "line N of header"):
    /// they could name any file, so the file is not handed to libclang.
    public var computedIncludes: [String] = []
    /// Folders a build's `-I` would name for the project headers found without one (`ProjectHeaders`).
    public var projectIncludeDirs: [String] = []
}

/// The settings a token scan needs, shared by all files of a run.
public struct ScanContext: Sendable {
    public var names: Set<String>
    public var resolver: IncludeResolver
    public var python: PythonHeaders
    /// (major, minor) the code is checked for: uses excluded there but active now are `guarded`.
    public var target: (major: Int, minor: Int)
    /// `-D` definitions from the command line or the compilation database.
    public var defines: [String: String]
    public var headers: HeaderCache

    public init(names: Set<String>, resolver: IncludeResolver, python: PythonHeaders, target: (major: Int, minor: Int),
                defines: [String: String] = [:], headers: HeaderCache = HeaderCache()) {
        self.names = names
        self.resolver = resolver
        self.python = python
        self.target = target
        self.defines = defines
        self.headers = headers
    }
}

/// Finds every use of the watched names from tokens alone, deciding `#if`
/// branches itself for two configurations at once: the Python whose headers
/// are installed ("current") and the target Python. Works whether or not the
/// file parses, so nothing is missed when headers are absent.
public struct TokenScanner {
    let ctx: ScanContext
    let lexed: LexedFile
    let path: String
    let isCPlusPlus: Bool

    /// What the compiler reads before this file when it is a part of another (`#include "part.c"`):
    /// the includer's text up to that line. Its macros and open conditions hold in the file.
    let prelude: (lexed: LexedFile, path: String)?

    public init(context: ScanContext, lexed: LexedFile, path: String, isCPlusPlus: Bool, prelude: (lexed: LexedFile, path: String)? = nil) {
        self.ctx = context
        self.lexed = lexed
        self.path = path
        self.isCPlusPlus = isCPlusPlus
        self.prelude = prelude
    }

    struct Frame {
        var parent: (Truth, Truth)
        var active: (Truth, Truth)
        var taken: (Truth, Truth)
        var open: Int
        var branch: Int
        /// The functions' nesting where the `#if` opens, and after the branch chosen for it: the
        /// first that may be compiled. Branches that are both possible (`#ifdef X { #else { #endif`)
        /// must not each count their braces, or every later function lies inside the first.
        var structureAtOpen: MainBodyTracker.Nesting? = nil
        var structureChosen: MainBodyTracker.Nesting? = nil
    }

    /// The walk's state: two macro tables and the conditional stack of the file being walked.
    final class State {
        var cur = MacroTable()
        var tgt = MacroTable()
        var visited = Set<String>()
        var result = TokenScanResult()
        var taintMemo: [String: String?] = [:]
        /// `<iso646.h>` was included: `and`, `or`, `not`, ... are operators in C too.
        var iso646 = false
    }

    public func scan() -> TokenScanResult {
        let st = State()
        seed(st)
        var parent: (Truth, Truth) = (.yes, .yes)
        if let prelude { parent = walk(prelude.lexed, path: prelude.path, isMain: false, state: st, depth: 0, parent: parent) }
        walk(lexed, path: path, isMain: true, state: st, depth: 0, parent: parent)
        st.result.headers = st.visited.sorted()
        return st.result
    }

    func seed(_ st: State) {
        func predefine(_ name: String, _ value: String) -> MacroDefinition {
            MacroDefinition(name: name, parameters: nil, body: value.isEmpty ? [] : [value], file: "<built-in>", line: 0, isProject: false, isUncertain: false)
        }
        var base: [String: MacroDefinition] = ctx.python.macros
        let builtins: [String: String] = [
            "__STDC__": "1", "__STDC_VERSION__": "201710L", "__GNUC__": "4", "__GNUC_MINOR__": "2", "__clang__": "1",
            "__clang_major__": "14", "__linux__": "1", "__linux": "1", "linux": "1", "__unix__": "1", "__unix": "1", "unix": "1",
            "__x86_64__": "1", "__LP64__": "1", "_LP64": "1", "__CHAR_BIT__": "8", "__SIZEOF_LONG__": "8",
            "__SIZEOF_POINTER__": "8", "__SIZEOF_INT__": "4", "__ORDER_LITTLE_ENDIAN__": "1234",
            "__ORDER_BIG_ENDIAN__": "4321", "__BYTE_ORDER__": "1234", "__ELF__": "1",
        ]
        for (k, v) in builtins { base[k] = predefine(k, v) }
        if isCPlusPlus { base["__cplusplus"] = predefine("__cplusplus", "201703L") }
        for (k, v) in ctx.defines { base[k] = predefine(k, v) }
        st.cur.macros = base
        st.cur.pythonHeadersLoaded = ctx.python.includeDir != nil
        st.tgt = st.cur
        // The target: the same headers as if they were the target Python's.
        let t = ctx.target
        st.tgt.macros["PY_MAJOR_VERSION"] = predefine("PY_MAJOR_VERSION", String(t.major))
        st.tgt.macros["PY_MINOR_VERSION"] = predefine("PY_MINOR_VERSION", String(t.minor))
        st.tgt.macros["PY_MICRO_VERSION"] = predefine("PY_MICRO_VERSION", "0")
        if st.tgt.macros["PY_VERSION_HEX"] == nil || st.tgt.macros["PY_VERSION_HEX"]?.body.count == 1 {
            let hex = (t.major << 24) | (t.minor << 16) | (0xF << 4)
            st.tgt.macros["PY_VERSION_HEX"] = predefine("PY_VERSION_HEX", String(hex))
        }
    }

    // MARK: - The walk

    /// Walks one file; returns whether the code at its end is compiled (for a prelude that ends
    /// inside an `#if`, the part it includes is under that condition).
    @discardableResult
    func walk(_ file: LexedFile, path: String, isMain: Bool, state st: State, depth: Int, parent: (Truth, Truth)) -> (Truth, Truth) {
        var stack: [Frame] = []
        var active: (Truth, Truth) { stack.last?.active ?? parent }
        var nextToken = 0
        let dir = (path as NSString).deletingLastPathComponent
        var body = MainBodyTracker(lexed: file, isCPlusPlus: isCPlusPlus)
        for d in file.directives where d.kind == .define {
            if let first = d.tokenRange.first {
                let n = file.spelling(at: first)
                st.cur.definedSomewhere.insert(n)
                st.tgt.definedSomewhere.insert(n)
            }
        }

        func scanTokens(upTo end: Int) {
            guard isMain else { nextToken = end; return }
            while nextToken < end {
                let i = nextToken
                nextToken += 1
                let a = active
                if a.0 != .no { body.feed(i) } else { body.inactive.insert(i) }
                let t = file.tokens[i]
                guard t.kind == .identifier else { continue }
                classifyIdentifier(i, in: file, active: a, stack: stack, state: st, body: body)
            }
        }

        for (di, d) in file.directives.enumerated() {
            scanTokens(upTo: d.tokenRange.lowerBound)
            nextToken = d.tokenRange.upperBound
            let toks = d.tokenRange.map { file.spelling(at: $0) }
            let evalCur = ConditionEvaluator(table: st.cur, isCPlusPlus: isCPlusPlus, alternativeTokens: isCPlusPlus || st.iso646)
            let evalTgt = ConditionEvaluator(table: st.tgt, isCPlusPlus: isCPlusPlus, alternativeTokens: isCPlusPlus || st.iso646)
            func cond() -> (Truth, Truth) {
                switch d.kind {
                case .ifdef, .elifdef: return toks.first.map { (evalCur.truthOfDefined($0), evalTgt.truthOfDefined($0)) } ?? (.unknown, .unknown)
                case .ifndef, .elifndef: return toks.first.map { (Truth.not(evalCur.truthOfDefined($0)), Truth.not(evalTgt.truthOfDefined($0))) } ?? (.unknown, .unknown)
                default: return (evalCur.truth(of: toks), evalTgt.truth(of: toks))
                }
            }
            /// At the end of a branch: keep its nesting if it is the one chosen, and start the next from the `#if`'s.
            /// (The next branch's declarations start after the directive: they never take a name from the branch before.)
            func endBranch(_ f: inout Frame, last: Bool) {
                guard isMain, let open = f.structureAtOpen else { return }
                if f.active.0 != .no && f.structureChosen == nil { f.structureChosen = body.nesting }
                body.nesting = last ? (f.structureChosen ?? body.nesting)
                    : MainBodyTracker.Nesting(scopes: open.scopes, headStart: max(open.headStart, d.tokenRange.upperBound))
            }
            switch d.kind {
            case .if, .ifdef, .ifndef:
                let p = active
                let c = cond()
                let act = (Truth.and(p.0, c.0), Truth.and(p.1, c.1))
                stack.append(Frame(parent: p, active: act, taken: c, open: di, branch: di, structureAtOpen: isMain ? body.nesting : nil))
            case .elif, .elifdef, .elifndef:
                guard var f = stack.popLast() else { continue }
                endBranch(&f, last: false)
                let c = cond()
                f.active = (Truth.and(f.parent.0, Truth.and(Truth.not(f.taken.0), c.0)),
                            Truth.and(f.parent.1, Truth.and(Truth.not(f.taken.1), c.1)))
                f.taken = (Truth.or(f.taken.0, c.0), Truth.or(f.taken.1, c.1))
                f.branch = di
                stack.append(f)
            case .else:
                guard var f = stack.popLast() else { continue }
                endBranch(&f, last: false)
                f.active = (Truth.and(f.parent.0, Truth.not(f.taken.0)), Truth.and(f.parent.1, Truth.not(f.taken.1)))
                f.taken = (.yes, .yes)
                f.branch = di
                stack.append(f)
            case .endif:
                if var f = stack.popLast() { endBranch(&f, last: true) }
            case .define:
                let a = active
                if isMain { classifyDefinition(d, in: file, active: a, stack: stack, state: st) }
                if a.0 != .no, let def = MacroParsing.definition(from: file, directive: d, file: path, isProject: true, uncertain: a.0 == .unknown) {
                    st.cur.macros[def.name] = def
                    st.taintMemo.removeAll()
                }
                if a.1 != .no, let def = MacroParsing.definition(from: file, directive: d, file: path, isProject: true, uncertain: a.1 == .unknown) {
                    st.tgt.macros[def.name] = def
                }
            case .undef:
                if let n = toks.first {
                    if active.0 == .yes { st.cur.macros[n] = nil; st.taintMemo.removeAll() }
                    if active.1 == .yes { st.tgt.macros[n] = nil }
                }
            case .include, .includeNext:
                let a = active
                guard a.0 != .no || a.1 != .no, let first = d.tokenRange.first else { continue }
                let spelled = file.spelling(at: first)
                guard spelled.count >= 2, let q = spelled.first, q == "<" || q == "\"" else {
                    let line = file.text.line(of: d.start)
                    st.result.computedIncludes.append(isMain ? "line \(line)" : "line \(line) of \(path)")
                    continue
                }
                let name = String(spelled.dropFirst().dropLast())
                if name == "iso646.h" && a.0 != .no { st.iso646 = true }
                let (resolution, projectFolder) = ctx.resolver.locate(name, angled: q == "<", fromDir: dir)
                if let projectFolder, !st.result.projectIncludeDirs.contains(projectFolder) { st.result.projectIncludeDirs.append(projectFolder) }
                switch resolution {
                case .project(let header):
                    guard depth < 40, !st.visited.contains(header), let h = ctx.headers.lexedHeader(header) else { continue }
                    st.visited.insert(header)
                    walk(h, path: header, isMain: false, state: st, depth: depth + 1, parent: a)
                case .python:
                    // Python.h's guard, tested by Cython's output (`#ifndef Py_PYTHON_H`).
                    if name.hasSuffix("Python.h") {
                        let guardMacro = MacroDefinition(name: "Py_PYTHON_H", parameters: nil, body: [], file: name, line: 0, isProject: false, isUncertain: false)
                        if a.0 != .no { st.cur.macros["Py_PYTHON_H"] = guardMacro }
                        if a.1 != .no { st.tgt.macros["Py_PYTHON_H"] = guardMacro }
                    }
                case .system:
                    // SWIG reads a `%include`d header (and, with -includeall, what it includes): its macros are unknown here.
                    if d.swigInclude { st.cur.hasMissingIncludes = true; st.tgt.hasMissingIncludes = true }
                case .missing:
                    st.cur.hasMissingIncludes = true
                    st.tgt.hasMissingIncludes = true
                    if isMain || st.result.missingIncludes.count < 20 {
                        st.result.missingIncludes.append(MissingInclude(name: name, line: isMain ? file.text.line(of: d.start) : 0, angled: q == "<"))
                    }
                }
            default:
                break
            }
        }
        scanTokens(upTo: file.tokens.count)
        let atEnd = active
        if isMain {
            st.result.functions = body.functions
            for i in st.result.occurrences.indices where st.result.occurrences[i].enclosingFunction == nil {
                let off = st.result.occurrences[i].nameRange.lowerBound
                st.result.occurrences[i].enclosingFunction = body.functions.last(where: { $0.bodyRange.contains(off) })?.name
            }
        }
        return atEnd
    }

    // MARK: - Classification

    func guardInfo(_ stack: [Frame], in file: LexedFile, config: Int) -> (Int, String)? {
        // The outermost branch that excludes the use names the reason.
        for f in stack {
            let a = config == 0 ? f.active.0 : f.active.1
            if a == .no {
                let d = file.directives[f.branch]
                var text = file.text.text(d.start..<d.end).replacingOccurrences(of: "\\\n", with: " ")
                text = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if f.branch != f.open {
                    let o = file.directives[f.open]
                    let openText = file.text.text(o.start..<o.end).trimmingCharacters(in: .whitespacesAndNewlines)
                    text += " (of `\(openText)` at line \(file.text.line(of: o.start)))"
                }
                return (file.text.line(of: d.start), text)
            }
        }
        return nil
    }

    func nextNormal(_ i: Int, in file: LexedFile) -> Int? {
        var j = i + 1
        while j < file.tokens.count {
            if file.tokens[j].directive == nil { return j }
            j += 1
        }
        return nil
    }

    func prevNormal(_ i: Int, in file: LexedFile) -> Int? {
        var j = i - 1
        while j >= 0 {
            if file.tokens[j].directive == nil { return j }
            j -= 1
        }
        return nil
    }

    static func matchingParen(_ open: Int, in file: LexedFile) -> Int? {
        var depth = 0
        var j = open
        while j < file.tokens.count {
            if file.tokens[j].directive == nil, file.tokens[j].kind == .punct {
                let s = file.spelling(at: j)
                if s == "(" { depth += 1 } else if s == ")" { depth -= 1; if depth == 0 { return j } }
                else if s == ";" || s == "{" || s == "}" { if depth <= 1 && s != ";" { return nil } }
            }
            j += 1
        }
        return nil
    }

    /// The name a project macro reaches through its expansion, if any.
    func taint(of macro: String, state st: State, depth: Int = 0) -> String? {
        if let memo = st.taintMemo[macro] { return memo }
        guard depth < 16, let def = st.cur.macros[macro], def.isProject else { return nil }
        var found: String? = nil
        for (k, b) in def.body.enumerated() {
            if ctx.names.contains(b) {
                let pasted = (k > 0 && def.body[k - 1] == "##") || (k + 1 < def.body.count && def.body[k + 1] == "##") || (k > 0 && def.body[k - 1] == "#")
                if !pasted && st.cur.macros[b]?.isProject != true { found = b; break }
            }
            if b != macro, st.cur.macros[b]?.isProject == true, let t = taint(of: b, state: st, depth: depth + 1) { found = t; break }
        }
        st.taintMemo[macro] = found
        return found
    }

    func classifyIdentifier(_ i: Int, in file: LexedFile, active a: (Truth, Truth), stack: [Frame], state st: State, body: MainBodyTracker) {
        let t = file.tokens[i]
        let name = file.spelling(t)
        let isName = ctx.names.contains(name)
        if !isName {
            // A use of a project macro whose expansion reaches a watched name.
            guard a.0 != .no, let def = st.cur.macros[name], def.isProject, let reached = taint(of: name, state: st) else { return }
            if def.parameters != nil && !(nextNormal(i, in: file).map { file.isPunct($0, "(") } ?? false) { return }
            var occ = Occurrence(function: reached, kind: .macroExpansion, nameRange: t.start..<t.end, macro: name)
            if def.parameters != nil, let open = nextNormal(i, in: file), let close = TokenScanner.matchingParen(open, in: file) {
                occ.callRange = t.start..<file.tokens[close].end
            }
            if a.1 == .no, let g = guardInfo(stack, in: file, config: 1) { occ.kind = .guarded; occ.guardLine = g.0; occ.guardText = g.1 }
            st.result.occurrences.append(occ)
            return
        }
        let range = t.start..<t.end
        if a.0 == .no {
            let g = guardInfo(stack, in: file, config: 0)
            st.result.occurrences.append(Occurrence(function: name, kind: .inactive, nameRange: range, guardLine: g?.0, guardText: g?.1))
            return
        }
        let prev = prevNormal(i, in: file)
        let next = nextNormal(i, in: file)
        // Token pasting, member access and the project's own macro of that name are not uses.
        if let p = prev, file.isPunct(p, "##") || file.isPunct(p, ".") || file.isPunct(p, "->") { return }
        if let n = next, file.isPunct(n, "##") { return }
        if let def = st.cur.macros[name], def.isProject { return }
        // `int PyObject_AsReadBuffer;` or `int (*PyObject_CheckReadBuffer)(void *);`: a field or variable of that name.
        if !(next.map { file.isPunct($0, "(") } ?? false), let p = prev, isTypeName(p, in: file) { return }
        if let p = prev, file.isPunct(p, "*"), let open = prevNormal(p, in: file), file.isPunct(open, "("),
           let type = prevNormal(open, in: file), isTypeName(type, in: file), let n = next, file.isPunct(n, ")") { return }
        var kind: OccurrenceKind = .reference
        var callRange: Range<Int>? = nil
        let argumentUse = macroArgumentUse(i, in: file, state: st)
        if argumentUse == .pastedOnly { return }
        if argumentUse == .called, !(next.map { file.isPunct($0, "(") } ?? false) {
            // `WRAP(PyObject_AsReadBuffer, ...)` where WRAP's body calls that parameter.
            kind = .call
        } else if let n = next, file.isPunct(n, "(") {
            let close = TokenScanner.matchingParen(n, in: file)
            if body.depthInsideFunction == 0 && isDeclarationHead(before: i, in: file) {
                // A prototype or a definition of a function with this name.
                let after = close.flatMap { nextNormal($0, in: file) }
                kind = after.map { file.isPunct($0, "{") } == true ? .shadowing : .declaration
            } else {
                kind = .call
                if let c = close { callRange = t.start..<file.tokens[c].end }
            }
        } else if let p = prev, let n = next, file.isPunct(p, "("), file.isPunct(n, ")"),
                  let after = nextNormal(n, in: file), file.isPunct(after, "("),
                  !(prevNormal(p, in: file).map { isTypeName($0, in: file) } ?? false) {
            // `(PyObject_AsReadBuffer)(...)`
            kind = .call
            if let c = TokenScanner.matchingParen(after, in: file) { callRange = t.start..<file.tokens[c].end }
        }
        var occ = Occurrence(function: name, kind: kind, nameRange: range, callRange: callRange)
        if a.1 == .no, kind == .call || kind == .reference, let g = guardInfo(stack, in: file, config: 1) {
            occ.kind = .guarded; occ.guardLine = g.0; occ.guardText = g.1
        }
        st.result.occurrences.append(occ)
    }

    enum ArgumentUse { case none, pastedOnly, called }

    /// How the innermost function-like macro whose argument list holds token `i` uses that argument.
    func macroArgumentUse(_ i: Int, in file: LexedFile, state st: State) -> ArgumentUse {
        var depth = 0
        var commas = 0
        var j = i - 1
        var steps = 0
        while j >= 0, steps < 400 {
            steps += 1
            let t = file.tokens[j]
            if t.directive != nil { j -= 1; continue }
            if t.kind == .punct {
                let s = file.spelling(t)
                if s == ")" { depth += 1 }
                else if s == "(" {
                    if depth == 0 {
                        guard let m = prevNormal(j, in: file), file.tokens[m].kind == .identifier,
                              let def = st.cur.macros[file.spelling(at: m)], let params = def.parameters else { return .none }
                        let param: String
                        if commas < params.count, params[commas] != "..." { param = params[commas] }
                        else if params.last == "..." { param = "__VA_ARGS__" } else { return .none }
                        var uses = 0, pasted = 0, called = false
                        for (k, b) in def.body.enumerated() where b == param {
                            uses += 1
                            let pastedHere = (k > 0 && (def.body[k - 1] == "##" || def.body[k - 1] == "#")) || (k + 1 < def.body.count && def.body[k + 1] == "##")
                            if pastedHere { pasted += 1 }
                            if k + 1 < def.body.count && def.body[k + 1] == "(" { called = true }
                        }
                        if uses > 0 && uses == pasted { return .pastedOnly }
                        return called ? .called : .none
                    }
                    depth -= 1
                } else if s == "," && depth == 0 { commas += 1 }
                else if s == ";" || s == "{" || s == "}" { return .none }
            }
            j -= 1
        }
        return .none
    }

    static let expressionKeywords: Set<String> = ["return", "case", "else", "do", "sizeof", "goto", "throw", "co_return", "co_yield",
                                                  "new", "delete", "typeof", "alignof", "_Alignof", "and", "or", "not"]

    /// An identifier that, before a name, makes that name a declarator rather than an expression.
    func isTypeName(_ i: Int, in file: LexedFile) -> Bool {
        file.tokens[i].kind == .identifier && !TokenScanner.expressionKeywords.contains(file.spelling(at: i))
    }

    /// At file scope, a name preceded by a type (an identifier, `*`, `)` of a
    /// `PyAPI_FUNC(int)`, `&`) starts a declaration rather than a call.
    func isDeclarationHead(before i: Int, in file: LexedFile) -> Bool {
        guard let p = prevNormal(i, in: file) else { return false }
        let s = file.spelling(at: p)
        if file.tokens[p].kind == .identifier { return !["return", "case", "else", "do", "sizeof"].contains(s) }
        return s == "*" || s == "&" || s == ")"
    }

    func classifyDefinition(_ d: Directive, in file: LexedFile, active a: (Truth, Truth), stack: [Frame], state st: State) {
        let range = d.tokenRange
        guard let first = range.first else { return }
        let macroName = file.spelling(at: first)
        if ctx.names.contains(macroName) {
            if a.0 != .no {
                let t = file.tokens[first]
                st.result.occurrences.append(Occurrence(function: macroName, kind: .shadowing, nameRange: t.start..<t.end, macro: macroName))
            }
            return
        }
        for k in range.dropFirst() {
            let t = file.tokens[k]
            guard t.kind == .identifier else { continue }
            let s = file.spelling(t)
            guard ctx.names.contains(s) else { continue }
            if (k > range.lowerBound && file.isPunct(k - 1, "##")) || (k + 1 < range.upperBound && file.isPunct(k + 1, "##"))
                || (k > range.lowerBound && file.isPunct(k - 1, "#")) { continue }
            if k > range.lowerBound && (file.isPunct(k - 1, ".") || file.isPunct(k - 1, "->")) { continue }
            if let def = st.cur.macros[s], def.isProject { continue }
            var occ = Occurrence(function: s, kind: .macroDefinition, nameRange: t.start..<t.end, macro: macroName)
            if a.0 == .no {
                let g = guardInfo(stack, in: file, config: 0)
                occ.kind = .inactive; occ.guardLine = g?.0; occ.guardText = g?.1
            } else if a.1 == .no, let g = guardInfo(stack, in: file, config: 1) {
                occ.kind = .guarded; occ.guardLine = g.0; occ.guardText = g.1
            }
            st.result.occurrences.append(occ)
        }
    }
}

/// Follows braces in active code to know which function body a token is in.
struct MainBodyTracker {
    let lexed: LexedFile
    let isCPlusPlus: Bool
    /// `initializer`: a member's braces in a C++ constructor's initializer list (`: a{1}, b{x} {`).
    enum Scope { case namespace, function(String, Int), block, initializer }
    var scopes: [Scope] = []
    var headStart = 0
    var functions: [FunctionSpan] = []
    /// Tokens of branches that are not compiled: never part of a function's head.
    var inactive = Set<Int>()

    /// Where the walk stands: the open scopes and the start of the current declaration's head.
    struct Nesting { var scopes: [Scope]; var headStart: Int }
    var nesting: Nesting {
        get { Nesting(scopes: scopes, headStart: headStart) }
        set { scopes = newValue.scopes; headStart = newValue.headStart }
    }

    init(lexed: LexedFile, isCPlusPlus: Bool) {
        self.lexed = lexed
        self.isCPlusPlus = isCPlusPlus
    }

    var depthInsideFunction: Int {
        scopes.contains { if case .function = $0 { return true }; return false } ? 1 : 0
    }

    mutating func feed(_ i: Int) {
        let t = lexed.tokens[i]
        // Braces and semicolons are one byte: test the byte rather than spelling every token.
        guard t.kind == .punct, t.end - t.start == 1 else { return }
        switch lexed.text.bytes[t.start] {
        case UInt8(ascii: "{"):
            if depthInsideFunction > 0 { scopes.append(.block) }
            else if case .initializer = scopes.last { scopes.append(.initializer) }
            else if isCPlusPlus, isMemberInitializer(head: headStart..<i) { scopes.append(.initializer); return }
            else if let name = functionName(head: headStart..<i) { scopes.append(.function(name, t.start)) }
            else { scopes.append(.namespace) }
            headStart = i + 1
        case UInt8(ascii: "}"):
            let last = scopes.popLast()
            if case .initializer = last { return }
            if let last, case .function(let name, let start) = last {
                functions.append(FunctionSpan(name: name, bodyRange: start..<t.end))
            }
            headStart = i + 1
        case UInt8(ascii: ";"):
            if depthInsideFunction == 0 { headStart = i + 1 }
        default:
            break
        }
    }

    /// A `{` that opens a member's value in a constructor's initializer list: after `name(params) :`
    /// (a lone colon outside parentheses, after the parameters), right after a name or a template's `>`.
    func isMemberInitializer(head: Range<Int>) -> Bool {
        guard let p = previousNormal(head.upperBound, floor: head.lowerBound) else { return false }
        let prev = lexed.tokens[p]
        guard prev.kind == .identifier || lexed.spelling(prev) == ">" else { return false }
        var depth = 0
        var closedParams = false
        for k in head where lexed.tokens[k].directive == nil && !inactive.contains(k) && lexed.tokens[k].kind == .punct {
            switch lexed.spelling(at: k) {
            case "(": depth += 1
            case ")": depth -= 1; if depth == 0 { closedParams = true }
            case ":": if depth == 0 && closedParams { return true }
            default: break
            }
        }
        return false
    }

    /// `type name(params) qualifiers {`: the identifier before the first top-level `(`.
    func functionName(head: Range<Int>) -> String? {
        // SWIG's code sections (`%fragment("name", "header") {`, `%header {`, ...) hold functions, not statements.
        // (SWIG's own statements end without a semicolon: the section may come late in the head,
        // with nothing after it but its arguments.)
        if let pct = head.last(where: { lexed.tokens[$0].directive == nil && lexed.spelling(at: $0) == "%" }), pct + 1 < head.upperBound,
           MainBodyTracker.swigCodeSections.contains(lexed.spelling(at: pct + 1)) {
            let rest = (pct + 2)..<head.upperBound
            if rest.isEmpty || (lexed.spelling(at: rest.lowerBound) == "(" && TokenScanner.matchingParen(rest.lowerBound, in: lexed) == rest.upperBound - 1) { return nil }
        }
        var sawAssign = false
        var k = head.lowerBound
        while k < head.upperBound {
            let t = lexed.tokens[k]
            if t.directive != nil || inactive.contains(k) { k += 1; continue }
            let s = lexed.spelling(t)
            if t.kind == .identifier && ["struct", "class", "union", "enum", "namespace", "extern"].contains(s) && k == firstNormal(head) {
                if s != "extern" { return nil }
            }
            if s == "=" { sawAssign = true }
            if s == "(" {
                guard !sawAssign, let p = previousNormal(k, floor: head.lowerBound), lexed.tokens[p].kind == .identifier else { return nil }
                let name = lexed.spelling(at: p)
                if ["if", "while", "for", "switch", "sizeof", "return"].contains(name) { return nil }
                return name
            }
            k += 1
        }
        return nil
    }

    static let swigCodeSections: Set<String> = ["fragment", "header", "wrapper", "init", "runtime", "insert", "inline", "begin"]

    func firstNormal(_ r: Range<Int>) -> Int? { r.first { lexed.tokens[$0].directive == nil && !inactive.contains($0) } }
    func previousNormal(_ k: Int, floor: Int) -> Int? {
        var j = k - 1
        while j >= floor { if lexed.tokens[j].directive == nil && !inactive.contains(j) { return j }; j -= 1 }
        return nil
    }
}
