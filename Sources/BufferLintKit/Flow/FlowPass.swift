import CClang
import Foundation

/// The checks of code that already uses `PyObject_GetBuffer` / `PyBuffer_Release`
/// (rules of kind `new-api`, BUF101–BUF106), over one translation unit.
enum FlowPass {
    /// A file is analysed only when it names one of these.
    static let names = ["PyObject_GetBuffer", "Py_buffer", "PyBuffer_Release"]
    static let prefilter = Prefilter(names: names)
    static let throwPrefilter = Prefilter(names: ["throw"])

    /// What the checks found in one file, and which functions they could not follow.
    struct Result {
        var issues: [(function: String, issue: FlowIssue)] = []
        /// Functions that name a view or the new functions.
        var functions = 0
        /// Those that could not be analysed.
        var skipped: [FlowSummary.Skipped] = []
    }

    /// The issues of every function of the main file (found from the token scanner's function spans, so
    /// that the declarations of the headers are never walked); a function whose paths cannot be
    /// followed says nothing, and is counted as skipped with the reason.
    static func issues(parsed: ParsedUnit, unit: CXTranslationUnit, text: SourceText, lexed: LexedFile, spans: [FunctionSpan],
                       isCPlusPlus: Bool) -> Result {
        var result = Result()
        guard let file = clang_getFile(unit, parsed.path) else { return result }
        var facts = FileFacts()
        var interesting: [FunctionBody] = [], broken: [(FunctionBody, String)] = []
        var throwing: [String] = [], others: [(name: String, range: Range<Int>)] = []
        var seen = Set<Int>()
        for span in spans {
            let short = String(span.name.split(separator: ":").last ?? Substring(span.name))
            facts.definedFunctions.insert(short)
            let bodyRange = span.bodyRange.lowerBound..<min(span.bodyRange.upperBound, text.count)
            let holdsView = prefilter.matches(Array(text.bytes[bodyRange]))
            guard let (cursor, head) = definition(of: span, short: short, unit: unit, file: file, lexed: lexed) else {
                if holdsView && seen.insert(bodyRange.lowerBound).inserted {
                    result.functions += 1
                    result.skipped.append(.init(function: short, line: text.line(of: span.bodyRange.lowerBound), reason: "not in the syntax tree"))
                }
                continue
            }
            let range = head..<min(span.bodyRange.upperBound, text.count)
            guard !range.isEmpty, seen.insert(range.lowerBound).inserted else { continue }
            let bytes = Array(text.bytes[range])
            if isCPlusPlus {
                if throwPrefilter.matches(bytes) && !isNoexcept(cursor) { throwing.append(short) } else { others.append((short, range)) }
            }
            guard prefilter.matches(bytes) else { continue }
            result.functions += 1
            guard let f = FlowSyntax.function(cursor, unit: unit) else {
                result.skipped.append(.init(function: short, line: text.line(of: range.lowerBound), reason: "no body in the syntax tree"))
                continue
            }
            if let why = parsed.brokenReason(range: range, lexed: lexed) {
                broken.append((f, why))
                continue
            }
            interesting.append(f)
            var keeps = false
            f.body.walk { n in
                if n.isCall && n.spelling == "PyBuffer_Release" { keeps = true }
                // A view parameter copied somewhere (`*param`): the callee keeps it.
                if n.kind == CXCursor_UnaryOperator, let p = n.children.first?.stripped, p.kind == CXCursor_DeclRefExpr,
                   clang_getCursorKind(p.referenced) == CXCursor_ParmDecl, BufferFlowAnalysis.isViewType(p.canonicalType),
                   f.tokens(in: n.range).first?.spelling == "*" { keeps = true }
            }
            if keeps { facts.keepingFunctions.insert(f.name) }
            if f.root.kind == CXCursor_Destructor && keeps {
                let parent = clang_getCursorSemanticParent(cursor)
                facts.guardTypes.insert(ClangParser.string(clang_getTypeSpelling(clang_getCanonicalType(clang_getCursorType(parent)))))
            }
        }
        if isCPlusPlus {
            // A function that names a function that may throw may throw too.
            var names = Set(throwing)
            var changed = !names.isEmpty
            while changed {
                changed = false
                let filter = Prefilter(names: names)
                for c in others where !names.contains(c.name) && filter.matches(Array(text.bytes[c.range])) {
                    names.insert(c.name)
                    changed = true
                }
            }
            facts.throwingFunctions = names
        }
        for (f, why) in broken {
            // The flags are read from the call's tokens: no paths needed.
            let graph = ControlFlowGraph(blocks: [])
            let analysis = BufferFlowAnalysis(function: f, facts: facts, graph: graph, text: text)
            analysis.memoryviewFlags()
            result.issues += analysis.order.compactMap { analysis.issues[$0] }.map { (f.name, $0) }
            result.skipped.append(.init(function: f.name, line: text.line(of: f.root.range.lowerBound), reason: "does not parse", detail: why))
        }
        for f in interesting {
            let line = text.line(of: f.root.range.lowerBound)
            let graph: ControlFlowGraph
            switch ControlFlowGraph.build(f, facts: facts, isCPlusPlus: isCPlusPlus) {
            case .success(let g): graph = g
            case .failure(let why):
                result.skipped.append(.init(function: f.name, line: line, reason: why.reason))
                continue
            }
            let analysis = BufferFlowAnalysis(function: f, facts: facts, graph: graph, text: text)
            analysis.memoryviewFlags()
            let flags = analysis.order.compactMap { analysis.issues[$0] }
            analysis.issues = [:]
            analysis.order = []
            guard let found = analysis.run() else {
                result.issues += flags.map { (f.name, $0) }
                result.skipped.append(.init(function: f.name, line: line, reason: "too many paths"))
                continue
            }
            result.issues += (flags + found).map { (f.name, $0) }
        }
        return result
    }

    /// The definition cursor of a function the token scanner found, and where its text starts (its name).
    static func definition(of span: FunctionSpan, short: String, unit: CXTranslationUnit, file: CXFile,
                           lexed: LexedFile) -> (CXCursor, Int)? {
        var lo = 0, hi = lexed.tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lexed.tokens[mid].start < span.bodyRange.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        var k = lo - 1
        var nameOffset: Int? = nil
        while k >= 0 && k >= lo - 400 {
            let t = lexed.tokens[k]
            if t.kind == .identifier && lexed.spelling(t) == short { nameOffset = t.start; break }
            if t.kind == .punct && ["}", ";"].contains(lexed.spelling(t)) && t.directive == nil { break }
            k -= 1
        }
        for offset in [nameOffset, span.bodyRange.lowerBound].compactMap({ $0 }) {
            var c = clang_getCursor(unit, clang_getLocationForOffset(unit, file, UInt32(offset)))
            if clang_isStatement(clang_getCursorKind(c)) != 0 { c = clang_getCursorSemanticParent(c) }
            if FlowSyntax.functionKinds.contains(clang_getCursorKind(c).rawValue), clang_isCursorDefinition(c) != 0 {
                return (c, min(nameOffset ?? offset, FlowSyntax.range(c).lowerBound))
            }
        }
        return nil
    }

    static func isNoexcept(_ c: CXCursor) -> Bool {
        let spec = clang_getCursorExceptionSpecificationType(c)
        return spec == Int32(CXCursor_ExceptionSpecificationKind_BasicNoexcept.rawValue)
            || spec == Int32(CXCursor_ExceptionSpecificationKind_DynamicNone.rawValue)
    }
}

extension Linter {
    /// Adds the findings of the rules about `PyObject_GetBuffer` / `PyBuffer_Release` (BUF101–BUF106) to a file's result.
    /// `unit`: the file's parse, made on first need and shared with detection and fix planning.
    func checkBufferFlow(_ result: inout FileResult, text: SourceText, lexed: LexedFile, functions: [FunctionSpan], language: Language,
                         unit: LazyUnit) {
        let enabled = rules.enabled.filter { $0.kind == .newApi }
        guard !enabled.isEmpty, language == .c || language == .cpp || language == .swig, text.count <= Linter.syntaxTreeSizeLimit,
              FlowPass.prefilter.matches(text.bytes) else { return }
        // The functions naming a view, counted here only where no parse counts them.
        var holding: [FunctionSpan] { functions.filter { FlowPass.prefilter.matches(Array(text.bytes[$0.bodyRange.clamped(to: 0..<text.count)])) } }
        // Plain, provably correct C code needs no parse.
        if options.provePlainViews && language == .c && PlainViewProof.provesClean(lexed: lexed, functions: functions) {
            result.flow = FlowSummary(functions: holding.count, skipped: [])
            return
        }
        guard let parsed = unit.get() else {
            let holding = holding
            result.flow = FlowSummary(functions: holding.count, skipped: holding.map {
                .init(function: $0.name, line: text.line(of: $0.bodyRange.lowerBound), reason: "file not parsed", detail: unit.failure)
            })
            return
        }
        result.usedSyntaxTree = true
        let found = FlowPass.issues(parsed: parsed, unit: parsed.unit, text: text, lexed: lexed, spans: functions, isCPlusPlus: language == .cpp)
        result.flow = FlowSummary(functions: found.functions, skipped: found.skipped)
        if let first = found.skipped.first {
            let n = found.skipped.count
            result.errors.append(InputError(file: display(result.path), message: "flow checks skipped \(n) of \(found.functions) function\(found.functions == 1 ? "" : "s") (first: `\(first.function)` at line \(first.line): \(first.reason)\(first.detail.isEmpty ? "" : ", \(first.detail)")); BUF101-BUF106 say nothing there"))
        }
        let issues = found.issues
        guard !issues.isEmpty else { return }

        let shown = display(result.path)
        let suppressions = Suppression.find(in: lexed)
        var used = Set<Int>()
        for (function, issue) in issues {
            guard let rule = enabled.first(where: { $0.id == issue.rule }) else { continue }
            let start = text.position(of: issue.range.lowerBound)
            let end = text.position(of: issue.range.upperBound)
            if let k = suppressions.indices.first(where: { suppressions[$0].covers(rule: rule, line: start.line) }) {
                used.insert(k)
                continue
            }
            let snippet = text.text(issue.range).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
            result.findings.append(Finding(rule: rule.id, ruleName: rule.name, function: issue.function, kind: .call,
                                           severity: rules.severity(of: rule, kind: .call), file: shown, line: start.line, column: start.column,
                                           endLine: end.line, endColumn: end.column, message: issue.message, enclosingFunction: function,
                                           resolution: .syntaxTree, sourceLine: text.lineText(start.line), snippet: snippet))
        }
        // A suppression these findings used is not an unused one.
        let usedAt = Set(used.map { "\(suppressions[$0].line):\(suppressions[$0].column)" })
        result.findings.removeAll { $0.rule == FindingBuilder.unusedSuppressionRule && usedAt.contains("\($0.line):\($0.column)") }
    }
}
