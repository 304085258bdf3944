import Foundation

/// A wrapper that is not `static` and gets a caller-owned view changes its signature, so every
/// call and prototype of it in the other scanned files changes with it: each such file gets a fix
/// of the same group, planned here once every file has been planned. When one of them cannot take
/// it (a use that is not a call, a caller that cannot own a view, a file that does not parse), the
/// wrapper's fix is withdrawn everywhere and the reason is added to the use's other fix. A C++
/// wrapper's callers pass a `bufferlint::BufferView` guard: a caller in C refuses it everywhere.
extension Linter {
    func planCrossFileWrappers(contents: [Content], results: inout [FileResult?]) {
        var wrappers: [(file: Int, fix: Fix)] = []
        for (k, r) in results.enumerated() {
            for f in r?.fixPlan?.fixes ?? [] where f.externWrapper != nil { wrappers.append((k, f)) }
        }
        for (k, fix) in wrappers {
            guard let name = fix.externWrapper else { continue }
            switch callerFixes(of: name, fix: fix, definedIn: k, contents: contents, results: results) {
            case .success(let planned):
                for (g, f) in planned {
                    if results[g] == nil { results[g] = FileResult(path: contents[g].path) }
                    if results[g]?.fixPlan == nil, let bytes = contents[g].bytes { results[g]?.fixPlan = FilePlan(path: contents[g].path, original: bytes) }
                    results[g]?.fixPlan?.fixes.append(f)
                }
                amend(&results[k], fix: fix, note: "; the other scanned files change with it: " + planned.map { display(contents[$0.0].path) }.sorted().joined(separator: ", "))
            case .failure(let refusal):
                withdraw(&results[k], fix: fix, because: refusal.message)
            }
        }
    }

    /// One fix per other file that calls or declares the wrapper. A C++ wrapper takes a
    /// `bufferlint::BufferView &`: its callers must be C++ code, and its prototypes in C++ files or
    /// in headers no scanned C source includes; each such file includes bufferlint_view.hpp.
    private func callerFixes(of name: String, fix: Fix, definedIn k: Int, contents: [Content], results: [FileResult?]) -> Result<[(Int, Fix)], ScopedBufferRewrite.Refusal> {
        guard let semantics = rules.rule(forFunction: fix.function)?.semantics else { return .failure(.init(message: "no semantics for `\(fix.function)`")) }
        let cplusplus = Language.of(path: contents[k].path) == .cpp
        let parameter = cplusplus ? "bufferlint::BufferView &view" : "Py_buffer *view"
        let needle = Array(name.utf8)
        // A project header the wrapper's file reaches that declares it must be scanned too.
        let scanned = Set(contents.map { canonical($0.path) })
        for h in results[k]?.headers ?? [] where !scanned.contains(canonical(h)) {
            if let d = RegularFile.contents(h), contains([UInt8](d), needle) {
                return .failure(.init(message: "\(display(h)) declares `\(name)` but is not among the scanned files"))
            }
        }
        var out: [(Int, Fix)] = []
        for (g, c) in contents.enumerated() where g != k {
            guard let bytes = c.bytes, contains(bytes, needle) else { continue }
            let shown = display(c.path)
            if results[g]?.isGenerated == true { return .failure(.init(message: "\(shown) is generated and uses `\(name)`")) }
            let language = Language.of(path: c.path)
            guard language == .c || language == .cpp else {
                return .failure(.init(message: "\(shown) (\(language == .cython ? "Cython" : "SWIG")) names `\(name)`; only C and C++ callers are rewritten"))
            }
            let text = SourceText(bytes: bytes)
            let lexed = Lexer.lex(text, dialect: language == .swig ? .swig : .c)
            var calls: [Int] = []
            var edits: [Edit] = []
            var depth = 0
            for t in lexed.tokens.indices {
                let sp = lexed.spelling(at: t)
                if sp == "{" { depth += 1 } else if sp == "}" { depth -= 1 }
                guard lexed.tokens[t].kind == .identifier, sp == name else { continue }
                let at = "\(shown):\(text.line(of: lexed.tokens[t].start))"
                guard lexed.tokens[t].directive == nil, t + 1 < lexed.tokens.count, lexed.spelling(at: t + 1) == "(" else {
                    return .failure(.init(message: "`\(name)` is used at \(at) other than in a call or a prototype"))
                }
                if depth > 0 { calls.append(lexed.tokens[t].start); continue }
                // A prototype at file level: `name(...);` gains the parameter.
                var j = t + 1, d = 0
                var defaulted = false
                while j < lexed.tokens.count { let s = lexed.spelling(at: j); if s == "(" { d += 1 } else if s == ")" { d -= 1; if d == 0 { break } } else if s == "=" && d == 1 { defaulted = true }; j += 1 }
                guard j + 1 < lexed.tokens.count, lexed.spelling(at: j + 1) == ";" else {
                    return .failure(.init(message: "`\(name)` is defined again or used at file level at \(at)"))
                }
                if cplusplus && defaulted {
                    return .failure(.init(message: "the prototype of `\(name)` at \(at) gives a default argument, so no parameter can follow it"))
                }
                edits.append(.insert(", \(parameter)", at: lexed.tokens[j].start))
            }
            guard !edits.isEmpty || !calls.isEmpty else { continue }
            if cplusplus && language != .cpp {
                // Only C++ can pass or declare the guard; a C header may declare it if no C source sees it.
                let ext = (c.path as NSString).pathExtension.lowercased()
                if !calls.isEmpty || language != .c || ext != "h" {
                    let what = calls.isEmpty ? "declares `\(name)`" : "calls `\(name)` (line\(calls.count == 1 ? "" : "s") \(calls.map { String(text.line(of: $0)) }.joined(separator: ", ")))"
                    return .failure(.init(message: "\(shown) \(what) in \(language == .c ? "C" : language.rawValue) code, which cannot take the C++ guard `bufferlint::BufferView &` the C++ wrapper would need"))
                }
                if let source = cSource(including: c.path, contents: contents) {
                    return .failure(.init(message: "\(display(source)), a C source, includes \(shown), whose prototype of `\(name)` would name the C++ guard `bufferlint::BufferView &`"))
                }
            }
            var lines: [Int] = []
            if !calls.isEmpty {
                guard language == (cplusplus ? .cpp : .c) else { return .failure(.init(message: "\(shown) calls `\(name)` from \(language == .cpp ? "C++" : language.rawValue) code, where the caller's view is not a plain Py_buffer")) }
                let args = compileFlags(entry: database?.entry(for: c.path)).clangArguments(language: language, python: python.includeDir)
                guard let tree = FunctionTree.build(path: c.path, arguments: args, offsets: calls, lexed: lexed), tree.errorCount == 0 else {
                    return .failure(.init(message: "\(shown), which calls `\(name)`, does not parse without errors"))
                }
                let oldCalls = (results[g]?.occurrences ?? []).filter { [.call, .reference].contains($0.kind) }.map(\.nameRange.lowerBound)
                let identifiers = Set(lexed.tokens.filter { $0.kind == .identifier }.map(lexed.spelling))
                guard let planned = CallerOwnedViews.plan(callers: calls, wrapper: name, semantics: semantics, tree: tree, text: text, lexed: lexed,
                                                          identifiers: identifiers, cplusplus: cplusplus, excluding: oldCalls) else {
                    return .failure(.init(message: "a call of `\(name)` in \(shown) (lines \(calls.map { String(text.line(of: $0)) }.joined(separator: ", "))) cannot own a view"))
                }
                edits += planned.edits
                lines = planned.lines
            }
            let first = calls.first ?? edits.map(\.range.lowerBound).min() ?? 0
            var supportFiles: [SupportFile] = []
            if cplusplus {
                // The guard's header, once, before the first use (after Python.h when the file includes it).
                let compat = CompatRewrite(text: text, lexed: lexed)
                if let include = compat.includeEdit(firstUse: edits.map(\.range.lowerBound).min() ?? first, header: CompatRewrite.viewHeaderName) { edits.append(include) }
                supportFiles = [CompatRewrite.viewHeader, CompatRewrite.header].compactMap { $0 }
            }
            let pos = text.position(of: first)
            let what: String
            if lines.isEmpty {
                what = "its prototype gains the parameter `\(parameter)`" + (cplusplus ? " and the file includes bufferlint_view.hpp" : "")
            } else if cplusplus {
                what = "the calls at lines \(lines.sorted().map(String.init).joined(separator: ", ")) pass a `bufferlint::BufferView` guard their function declares, whose destructor releases the view on every exit, returns and exceptions alike"
            } else {
                what = "the calls at lines \(lines.sorted().map(String.init).joined(separator: ", ")) pass a view their function owns and releases at its exits"
            }
            var f = Fix(rule: fix.rule, function: fix.function, offset: first, line: pos.line, column: pos.column, strategy: .scoped, safety: .unsafe,
                        reason: "caller-owned view (unsafe): `\(name)` (\(display(contents[k].path)):\(fix.line)) gains a last parameter `\(parameter)`; \(what); unsafe because the wrapper's signature changes",
                        edits: edits, group: "wrapper:\(name)", supportFiles: supportFiles, escape: EscapeSummary(kind: "out-param", line: pos.line))
            f.companion = true
            // The edits must apply together with whatever else the file's plan holds.
            var trial = results[g]?.fixPlan ?? FilePlan(path: c.path, original: bytes)
            trial.fixes.append(f)
            guard trial.apply(trial.selected(unsafe: true)) != nil else {
                return .failure(.init(message: "the changes to \(shown) overlap its other fixes"))
            }
            out.append((g, f))
        }
        // A function that is not static and that no scanned file calls is called from files not scanned.
        guard !out.isEmpty else {
            return .failure(.init(message: "no other scanned file calls or declares `\(name)`, which is not static: scan the files that call it so that they change with it"))
        }
        return .success(out)
    }

    private func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: cwd)).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// A scanned C source (not a header) that includes `header`, directly or through other scanned headers.
    private func cSource(including header: String, contents: [Content]) -> String? {
        func base(_ p: String) -> String { (p as NSString).lastPathComponent }
        var includes: [String: Set<String>] = [:]
        for c in contents {
            guard let bytes = c.bytes, [.c, .cpp].contains(Language.of(path: c.path)) else { continue }
            let text = SourceText(bytes: bytes)
            let lexed = Lexer.lex(text, dialect: .c)
            for d in lexed.directives where d.kind == .include {
                let line = text.text(d.start..<d.end)
                guard let open = line.firstIndex(where: { $0 == "\"" || $0 == "<" }) else { continue }
                let rest = line[line.index(after: open)...]
                guard let close = rest.firstIndex(where: { $0 == "\"" || $0 == ">" }) else { continue }
                includes[c.path, default: []].insert(base(String(rest[..<close])))
            }
        }
        let headersByName = Dictionary(grouping: contents.map(\.path), by: base)
        let target = base(header)
        for c in contents where Language.of(path: c.path) == .c && (c.path as NSString).pathExtension.lowercased() == "c" {
            var seen: Set<String> = [c.path]
            var queue = [c.path]
            while let p = queue.popLast() {
                for name in includes[p] ?? [] {
                    if name == target { return c.path }
                    for h in headersByName[name] ?? [] where !seen.contains(h) { seen.insert(h); queue.append(h) }
                }
            }
        }
        return nil
    }

    private func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var i = 0
        let last = bytes.count - needle.count
        while i <= last {
            if bytes[i] == first && bytes[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    private func amend(_ result: inout FileResult?, fix: Fix, note: String) {
        guard let plan = result?.fixPlan else { return }
        for j in plan.fixes.indices where plan.fixes[j].offset == fix.offset && plan.fixes[j].externWrapper != nil {
            result?.fixPlan?.fixes[j].reason += note
        }
    }

    /// The wrapper's fix (and the fixes of its group in that file, the callers there) go; the use keeps its other fix.
    private func withdraw(_ result: inout FileResult?, fix: Fix, because why: String) {
        result?.fixPlan?.fixes.removeAll { $0.group != nil && $0.group == fix.group && $0.safety == .unsafe }
        if let k = result?.fixPlan?.fixes.firstIndex(where: { $0.offset == fix.offset && $0.safety == .safe }) {
            result?.fixPlan?.fixes[k].reason += "; no caller-owned view for `\(fix.externWrapper ?? "?")`: \(why)"
        }
    }
}
