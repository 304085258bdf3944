import CClang
import Foundation

/// The checks of code that already uses `PyObject_GetBuffer` / `PyBuffer_Release`
/// (rules of kind `new-api`, BUF101–BUF106), over one translation unit.
enum FlowPass {
    /// A file is analysed only when it names one of these.
    static let names = ["PyObject_GetBuffer", "Py_buffer", "PyBuffer_Release"]
    static let prefilter = Prefilter(names: names)
    static let throwPrefilter = Prefilter(names: ["throw"])

    /// The issues of every function of the main file (found from the token scanner's function spans, so
    /// that the declarations of the headers are never walked); functions whose paths cannot be followed
    /// say nothing.
    static func issues(unit: CXTranslationUnit, path: String, text: SourceText, lexed: LexedFile, spans: [FunctionSpan],
                       isCPlusPlus: Bool) -> [(function: String, issue: FlowIssue)] {
        // A function with a syntax error (a header not found, say) has a broken tree: it says nothing.
        var errorOffsets: [Int] = []
        for k in 0..<clang_getNumDiagnostics(unit) {
            let diag = clang_getDiagnostic(unit, k)
            let sev = clang_getDiagnosticSeverity(diag)
            let loc = clang_getDiagnosticLocation(diag)
            if (sev == CXDiagnostic_Error || sev == CXDiagnostic_Fatal) && clang_Location_isFromMainFile(loc) != 0 {
                errorOffsets.append(FlowSyntax.offset(loc))
            }
            clang_disposeDiagnostic(diag)
        }
        guard let file = clang_getFile(unit, path) else { return [] }
        var facts = FileFacts()
        var interesting: [FunctionBody] = [], broken: [FunctionBody] = []
        var throwing: [String] = [], others: [(name: String, range: Range<Int>)] = []
        var seen = Set<Int>()
        for span in spans {
            let short = String(span.name.split(separator: ":").last ?? Substring(span.name))
            facts.definedFunctions.insert(short)
            guard let (cursor, head) = definition(of: span, short: short, unit: unit, file: file, lexed: lexed) else { continue }
            let range = head..<min(span.bodyRange.upperBound, text.count)
            guard !range.isEmpty, seen.insert(range.lowerBound).inserted else { continue }
            let bytes = Array(text.bytes[range])
            if isCPlusPlus {
                if throwPrefilter.matches(bytes) && !isNoexcept(cursor) { throwing.append(short) } else { others.append((short, range)) }
            }
            guard prefilter.matches(bytes), let f = FlowSyntax.function(cursor, unit: unit) else { continue }
            if errorOffsets.contains(where: { range.contains($0) }) {
                broken.append(f)
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
        var out: [(String, FlowIssue)] = []
        for f in broken {
            // The flags are read from the call's tokens: no paths needed.
            let graph = ControlFlowGraph(blocks: [])
            let analysis = BufferFlowAnalysis(function: f, facts: facts, graph: graph, text: text)
            analysis.memoryviewFlags()
            out += analysis.order.compactMap { analysis.issues[$0] }.map { (f.name, $0) }
        }
        for f in interesting {
            guard case .success(let graph) = ControlFlowGraph.build(f, facts: facts, isCPlusPlus: isCPlusPlus) else { continue }
            let analysis = BufferFlowAnalysis(function: f, facts: facts, graph: graph, text: text)
            analysis.memoryviewFlags()
            let flags = analysis.order.compactMap { analysis.issues[$0] }
            analysis.issues = [:]
            analysis.order = []
            let found = analysis.run() ?? []
            out += (flags + found).map { (f.name, $0) }
        }
        return out
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

extension ClangParser {
    /// Parses a file and hands its translation unit to `body`; nil when libclang cannot parse it.
    func withTranslationUnit<T>(path: String, arguments: [String], _ body: (CXTranslationUnit, _ rejectedPrecompiledHeader: Bool) -> T) -> T? {
        let options = CXTranslationUnit_KeepGoing.rawValue | CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles.rawValue
        let (tu, code) = ClangParser.parseTranslationUnit(index: index, path: path, arguments: arguments, options: options)
        guard code == CXError_Success, let unit = tu else { return nil }
        defer { clang_disposeTranslationUnit(unit) }
        var rejected = false
        for k in 0..<clang_getNumDiagnostics(unit) {
            let diag = clang_getDiagnostic(unit, k)
            let message = ClangParser.string(clang_getDiagnosticSpelling(diag))
            if message.contains("precompiled header") || message.contains("PCH file") { rejected = true }
            clang_disposeDiagnostic(diag)
        }
        return body(unit, rejected)
    }
}

extension Linter {
    /// Adds the findings of the rules about `PyObject_GetBuffer` / `PyBuffer_Release` (BUF101–BUF106) to a file's result.
    func checkBufferFlow(_ result: inout FileResult, text: SourceText, lexed: LexedFile, functions: [FunctionSpan], language: Language,
                         flags: Flags, parser: ClangParser?) {
        let enabled = rules.enabled.filter { $0.kind == .newApi }
        guard let parser, !enabled.isEmpty, language == .c || language == .cpp, text.count <= Linter.syntaxTreeSizeLimit,
              FlowPass.prefilter.matches(text.bytes) else { return }
        // Plain, provably correct C code needs no parse.
        if options.provePlainViews && language == .c && PlainViewProof.provesClean(lexed: lexed, functions: functions) { return }
        let arguments = flags.clangArguments(language: language, python: python.includeDir)
        let path = result.path
        result.usedSyntaxTree = true
        let analyse = { (unit: CXTranslationUnit, _: Bool) in
            FlowPass.issues(unit: unit, path: path, text: text, lexed: lexed, spans: functions, isCPlusPlus: language == .cpp)
        }
        var found: [(function: String, issue: FlowIssue)]? = nil
        if let pchs = precompiled, let preamble = PrecompiledPython.preamble(of: lexed),
           let pch = pchs.header(preamble: preamble, arguments: arguments, index: parser) {
            found = parser.withTranslationUnit(path: result.path, arguments: arguments + ["-include-pch", pch]) { unit, rejected in
                rejected ? nil : analyse(unit, rejected)
            } ?? nil
        }
        if found == nil { found = parser.withTranslationUnit(path: result.path, arguments: arguments, analyse) }
        guard let issues = found, !issues.isEmpty else { return }

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
