import Foundation

/// The parts of a run specific to real extension code: Cython sources, SWIG
/// interfaces, generated files and wrappers.
extension Linter {
    /// A Cython file: scanned by `CythonScanner`, no preprocessor, no syntax tree.
    func analyzeCython(path: String, text: SourceText, result: FileResult) -> FileResult {
        var result = result
        let scan = CythonScanner(names: rules.watchedNames).scan(text)
        result.occurrences = scan.occurrences
        result.findings = FindingBuilder(rules: rules, text: text, lexed: scan.lexed, file: display(path)).findings(for: scan.occurrences, suppressed: &result.leftAlone)
        leaveAccepted(&result, text: text)
        for i in result.findings.indices where [.call, .reference, .declaration].contains(result.findings[i].kind) {
            // An extern declaration makes no C code unless used: it still builds on 3.13, so it is at most a warning.
            if result.findings[i].kind == .declaration { result.findings[i].severity = min(result.findings[i].severity, .warning) }
            if let advice = Linter.cythonAdvice[result.findings[i].function] { result.findings[i].message += "; in Cython: " + advice }
        }
        if options.planFixes {
            result.fixPlan = CythonRewrite(text: text, path: path).plan(occurrences: scan.occurrences, rules: rules, findings: &result.findings, leftAlone: result.leftAlone)
        }
        return result
    }

    /// A Cython file keeps the declaration of an old name while a file it includes still uses the
    /// name. When every such use has a safe fix in this run, its plan is made again knowing that.
    func replanCythonIncludes(_ results: inout [FileResult?]) {
        func absolute(_ p: String) -> String {
            ((p.hasPrefix("/") ? p : (cwd as NSString).appendingPathComponent(p)) as NSString).standardizingPath
        }
        var byPath: [String: Int] = [:]
        for (k, r) in results.enumerated() { if let r { byPath[absolute(r.path)] = k } }
        for k in results.indices {
            guard let r = results[k], let plan = r.fixPlan, !plan.dependsOnFixesOf.isEmpty, Language.of(path: r.path) == .cython else { continue }
            let fixed = plan.dependsOnFixesOf.allSatisfy { dep in
                guard let j = byPath[absolute(dep)], let d = results[j], let dp = d.fixPlan, dp.generatedBy == nil else { return false }
                let safe = Set(dp.selected(unsafe: false).map(\.offset))
                return d.occurrences.allSatisfy { o in
                    guard [.call, .reference, .shadowing].contains(o.kind), rules.watchedNames.contains(o.function) else { return true }
                    return safe.contains(o.nameRange.lowerBound)
                }
            }
            guard fixed else { continue }
            var again = r
            for i in again.findings.indices { again.findings[i].fix = nil }
            again.fixPlan = CythonRewrite(text: SourceText(bytes: plan.original), path: r.path, fixedIncludes: Set(plan.dependsOnFixesOf))
                .plan(occurrences: r.occurrences, rules: rules, findings: &again.findings, leftAlone: r.leftAlone)
            results[k] = again
        }
    }

    /// The Cython way to replace each old function.
    static let cythonAdvice: [String: String] = [
        "PyObject_AsCharBuffer": readAdvice,
        "PyObject_AsReadBuffer": readAdvice,
        "PyObject_AsWriteBuffer": "`from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_WRITABLE`, "
            + "get a `Py_buffer` with `PyBUF_WRITABLE` and release it in a `try`/`finally`, or use a typed memoryview (`unsigned char[::1] data = obj`)",
        "PyObject_CheckReadBuffer": "`from cpython.buffer cimport PyObject_CheckBuffer` (or try a memoryview and catch `TypeError`)",
    ]
    static let readAdvice = "`from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE`, "
        + "get a `Py_buffer` and release it in a `try`/`finally`, or use a typed memoryview (`const unsigned char[::1] data = obj`)"

    /// After a file's findings are built: the wrappers it defines, and where
    /// its findings come from when a tool generated it.
    func finishFile(_ result: inout FileResult, text: SourceText, lexed: LexedFile, functions: [FunctionSpan]) {
        let shown = display(result.path)
        result.wrappers = WrapperDetector.find(lexed: lexed, functions: functions, occurrences: result.occurrences, path: result.path, file: shown)
        guard let g = GeneratedFile.detect(path: result.path, text: text, extraPatterns: options.generatedPatterns) else { return }
        result.generator = g.tool
        // The origins of a SWIG copy are read from its interface file: a cached result depends on it.
        if let src = g.swigSource { result.headers.append(src) }
        markOrigins(&result.findings, of: g, text: text)
    }

    /// Where each finding of a generated file comes from (its source's file and line).
    func markOrigins(_ findings: inout [Finding], of g: GeneratedFile, text: SourceText) {
        for i in findings.indices where findings[i].rule != FindingBuilder.unusedSuppressionRule {
            let f = findings[i]
            findings[i].generated = g.origin(at: text.offset(line: f.line, column: f.column), lineText: f.sourceLine, display: display)
        }
    }

    /// The files that use an old function another file of the run defines are checked again knowing
    /// it: their calls and prototypes are the project's, not CPython's.
    func resolveProjectDefinitions(contents: [Content], results: inout [FileResult?]) {
        var definedBy: [String: String] = [:]
        for r in results.compactMap({ $0 }) { for name in r.exportedDefinitions where definedBy[name] == nil { definedBy[name] = r.path } }
        guard !definedBy.isEmpty else { return }
        let parser = options.useSyntaxTree ? ClangParser() : nil
        for k in results.indices {
            guard let r = results[k], Language.of(path: r.path) != .cython, let bytes = contents[k].bytes else { continue }
            let elsewhere = Set(definedBy.filter { $0.value != r.path }.keys)
            guard r.occurrences.contains(where: { elsewhere.contains($0.function) && ProjectDefinitions.resolvedKinds.contains($0.kind) }) else { continue }
            results[k] = analyze(path: r.path, bytes: bytes, parser: parser, definedElsewhere: elsewhere)
        }
    }

    /// After every file is analysed: calls of wrappers (a second pass over the
    /// files, also those without an old name), then findings in generated files
    /// that are also reported at their source are dropped.
    func crossFilePass(contents: [Content], results: inout [FileResult?]) -> [WrapperSummary] {
        let (calls, summary) = wrapperCalls(contents: contents, results: results)
        for (k, fs) in calls {
            if results[k] == nil { results[k] = FileResult(path: contents[k].path) }
            results[k]?.findings += fs
        }
        var atSource = Set<String>()
        for r in results.compactMap({ $0 }) where !r.isGenerated {
            for f in r.findings { atSource.insert("\(f.file)\u{0}\(f.line)\u{0}\(f.function)") }
        }
        for k in results.indices where results[k]?.isGenerated == true {
            results[k]?.findings.removeAll { f in
                guard let g = f.generated, let s = g.source, let l = g.line else { return false }
                return atSource.contains("\(s)\u{0}\(l)\u{0}\(f.function)")
            }
        }
        var counts: [String: Int] = [:]
        for r in results.compactMap({ $0 }) {
            for f in r.findings where f.kind == .wrapperCall { if let m = f.macro { counts[m, default: 0] += 1 } }
        }
        return summary.map { w in var w = w; w.callers = counts[w.name] ?? 0; return w }
    }
}
