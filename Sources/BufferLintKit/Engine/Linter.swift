import Foundation

public enum Language: String, Sendable {
    case c, cpp, swig, cython

    public static func of(path: String) -> Language {
        var ext = RegularFile.pathExtension(path)
        // A template (`x.c.src`) is in the language of the file it expands to.
        if ext == "src" { ext = RegularFile.pathExtension((path as NSString).deletingPathExtension) }
        switch ext {
        case "cc", "cpp", "cxx", "hh", "hpp", "hxx", "c++", "h++": return .cpp
        case "i", "swg": return .swig
        case "pyx", "pxd", "pxi": return .cython
        default: return .c
        }
    }
}

/// What one file produced.
public struct FileResult: Sendable {
    public var path: String
    public var findings: [Finding] = []
    public var errors: [InputError] = []
    public var parsed = false
    public var missingIncludes: [MissingInclude] = []
    public var occurrences: [Occurrence] = []
    /// The tool that generated this file ("cython", "swig", ...), from its banner; nil for hand-written code.
    public var generator: String?
    /// Generated files must be changed at their source, never edited.
    public var isGenerated: Bool { generator != nil }
    /// Functions of this file that hand out a pointer from an old function.
    public var wrappers: [WrapperFunction] = []
    /// Project headers the file reached (for the result cache).
    public var headers: [String] = []
    /// libclang parsed the file: worth caching (a token-only result is cheaper to redo than to store).
    public var usedSyntaxTree = false
    /// The planned fixes (when `LintOptions.planFixes`).
    public var fixPlan: FilePlan?
    /// What the flow checks covered; nil when they did not look at the file.
    public var flow: FlowSummary?
    /// The parse needed declarations made up for missing headers.
    public var completed = false
    /// Name offsets of the uses that are not fixed: suppressed by a comment, or accepted by the baseline.
    public var leftAlone: Set<Int> = []
    /// Old functions this file defines with a body and external linkage (`ProjectDefinitions`).
    public var exportedDefinitions: [String] = []
}

/// Runs a check: files -> prefilter -> tokens (+ libclang) -> occurrences -> rules -> findings.
public final class Linter: @unchecked Sendable {
    public static let version = "0.1.0"
    /// Files larger than this are scanned from tokens only.
    public static let syntaxTreeSizeLimit = 8 << 20
    /// Larger files are not read at all (an error names them; the run goes on): memory stays bounded
    /// by this and the jobs, whatever a tree holds.
    public static let fileSizeLimit = 64 << 20

    public let options: LintOptions
    public let rules: RuleSet
    public let python: PythonHeaders
    let database: CompilationDatabase?
    let headers = HeaderCache()
    /// Shared precompiled Python.h per preamble; nil when turned off.
    let precompiled: PrecompiledPython?
    let cwd = FileManager.default.currentDirectoryPath
    public private(set) var warnings: [String] = []
    /// Results of earlier runs; nil with --no-cache.
    public let cache: ResultCache?
    /// Where includes and include folders may lead (see `TrustedRoots`).
    public let trustedRoots: TrustedRoots
    /// Where `fix` may write: the project's folders only, links resolved.
    public let writableRoots: TrustedRoots
    /// Which C file of a folder includes which other (`#include "part.c"`), read once per folder.
    let unityIncluders = UnityIncluders()
    /// The project's headers, for quoted includes no `-I` reaches (see `ProjectHeaders`).
    let projectHeaders = ProjectHeaders()
    /// The findings a project has accepted (`--baseline`): with `keepFixEdits`, their uses are not fixed.
    public var baseline: Baseline?

    public init(options: LintOptions, rules: RuleSet) throws {
        self.options = options
        self.rules = rules
        // Precompiled headers are kept between runs where results are cached (never with --no-cache).
        precompiled = options.precompilePython && options.useSyntaxTree
            ? PrecompiledPython(store: options.cacheDirectory == nil ? nil : PrecompiledPython.defaultStore) : nil
        python = PythonHeaders(includeDir: options.pythonInclude ?? PythonHeaders.defaultIncludeDir())
        warnings = options.warnings
        let projectFolders = [FileManager.default.currentDirectoryPath] + options.trustedFolders + options.paths.map { p -> String in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: p, isDirectory: &isDir) && isDir.boolValue ? p : (p as NSString).deletingLastPathComponent
        }
        var db: CompilationDatabase? = nil
        if let path = options.compileCommands {
            db = try CompilationDatabase(path: path)
        }
        let dbFolder = options.compileCommands.map { p -> String in p.hasSuffix(".json") ? (p as NSString).deletingLastPathComponent : p }
        writableRoots = TrustedRoots(projectFolders)
        trustedRoots = TrustedRoots(projectFolders + options.includeDirs + [dbFolder ?? "", python.includeDir ?? ""] + IncludeResolver.defaultSystemDirs)
        if let d = db {
            if !d.droppedFlags.isEmpty {
                warnings.append("warning: compilation database: dropped flags that do not only select what is compiled: \(Array(Set(d.droppedFlags)).sorted().joined(separator: ", "))")
            }
            let outside = d.restrictIncludes(to: trustedRoots)
            if !outside.isEmpty {
                warnings.append("warning: compilation database: dropped include folders outside the project: \(outside.joined(separator: ", "))")
            }
        }
        database = db
        let runKey = Linter.runKey(options: options, rules: rules, python: python)
        // Cached results hold findings, not planned fixes: fixing always analyses afresh.
        if !options.keepFixEdits, let dir = options.cacheDirectory {
            let (c, warning) = ResultCache.open(directory: dir, runKey: runKey, roots: writableRoots)
            cache = c
            if let warning { warnings.append("warning: \(warning)") }
        } else {
            cache = nil
        }
        if python.includeDir == nil {
            warnings.append("warning: Python.h not found: install python3-dev or pass --python-include DIR; uses are found from tokens")
        }
    }

    public convenience init(options: LintOptions) throws {
        let all = try RuleLoader.rules(extraDirectories: options.extraRuleDirectories)
        try self.init(options: options, rules: RuleSet(rules: all, select: options.select, ignore: options.ignore,
                                                       severityOverrides: options.severityOverrides, target: options.targetPython))
    }

    public func run() -> Report {
        let discovery = FileDiscovery(includeGlobs: options.includeGlobs, excludeGlobs: options.excludeGlobs, root: options.globRoot,
                                      respectGitignore: options.respectGitignore)
        let (given, discoveryErrors) = discovery.files(for: options.paths)
        var report = Report()
        report.errors = discoveryErrors
        report.warnings = warnings

        let watched = rules.watchedNames
        // Read every file once (with the parts of a unity build the given ones include); the prefilter decides which go further.
        let flowNames = rules.enabled.contains { $0.kind == .newApi } ? FlowPass.names : []
        let budget = ReadBudget(options.readBudget), watchedOrFlow = Prefilter(names: watched.union(flowNames))
        let contents = UnityIncluders.withIncludedParts(given, isExcluded: discovery.isExcluded,
                                                        read: { self.read($0, budget: budget, watchedOrFlow: watchedOrFlow) },
                                                        includes: \.includes).map(\.1)
        unityIncluders.remember(contents.map { ($0.path, $0.includes) })
        var macroInputs: [(path: String, load: () -> [UInt8]?, namesWatched: Bool)] = contents.filter { $0.error == nil }.map { c in (c.path, { c.bytes }, c.namesWatchedOrFlow) }
        let headers = headersInIncludeDirs() + headersReached(from: contents, skipping: Set(macroInputs.map { RegularFile.lexicalPath($0.path, cwd: cwd) }))
        macroInputs += headers.map { h in (h.path, { h.bytes }, true) }
        let reaching = Prefilter.macroNames(reaching: watched, in: macroInputs)
        let filter = Prefilter(names: watched.union(reaching).union(flowNames))
        // Files that only use the new API: the plain ones are proved clean from tokens alone.
        let oldNames = Prefilter(names: watched.union(reaching))
        let provable = options.prefilter && options.provePlainViews && !flowNames.isEmpty
        /// The prefilter's answer when it is known without the bytes: always without a prefilter, and from the
        /// first read while no project macro reaches an old name (`filter` is then `watchedOrFlow`).
        func prefiltered(_ c: Content) -> Bool? {
            !options.prefilter ? true : reaching.isEmpty ? c.namesWatchedOrFlow || c.isEmpty : nil
        }

        var results = [FileResult?](repeating: nil, count: contents.count)
        let lock = NSLock()
        var next = 0
        var done = 0
        let jobs = max(1, min(options.jobs, contents.count))
        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            var parser: ClangParser? = nil
            while true {
                lock.lock()
                let k = next
                next += 1
                lock.unlock()
                guard k < contents.count else { break }
                let c = contents[k]
                var r: FileResult
                if let err = c.error {
                    r = FileResult(path: c.path, errors: [InputError(file: display(c.path), message: err, kind: .unreadable)])
                } else if let passes = prefiltered(c), !passes {
                    // Known from the first read: nothing here for the rules (its bytes need not be read again).
                    r = FileResult(path: c.path)
                } else if let bytes = c.bytes, prefiltered(c) ?? (filter.matches(bytes) || bytes.isEmpty) {
                    let flags = cache == nil ? "" : cacheFlags(for: c.path)
                    if provable, Language.of(path: c.path) == .c, !oldNames.matches(bytes), PlainViewProof.provesClean(bytes: bytes) {
                        r = FileResult(path: c.path)
                    } else if let hit = cache?.lookup(path: c.path, bytes: bytes, flags: flags) {
                        r = hit
                    } else {
                        if parser == nil && options.useSyntaxTree { parser = ClangParser() }
                        r = analyze(path: c.path, bytes: bytes, parser: parser)
                        if r.usedSyntaxTree { cache?.store(r, bytes: bytes, flags: flags) }
                    }
                } else {
                    r = FileResult(path: c.path)
                }
                lock.lock()
                results[k] = r
                done += 1
                let d = done
                lock.unlock()
                options.progress?(d, contents.count, c.path)
            }
        }

        resolveProjectDefinitions(contents: contents, results: &results)
        report.wrappers = crossFilePass(contents: contents, results: &results)
        // Only where the edits are kept (diff, fix, SARIF): the findings show the default fix, never these unsafe ones.
        if options.planFixes && options.keepFixEdits { planCrossFileWrappers(contents: contents, results: &results) }
        if options.planFixes { replanCythonIncludes(&results) }
        if options.planFixes && options.unsafeFixes {
            for k in results.indices { if let plan = results[k]?.fixPlan { plan.annotate(&results[k]!.findings, unsafe: true) } }
        }
        var missing: [(String, MissingInclude)] = []
        for r in results.compactMap({ $0 }) {
            report.findings += r.findings.map { $0.notesInFix() }
            if let plan = r.fixPlan { report.fixPlans.append(plan) }
            report.errors += r.errors
            if r.parsed { report.summary.parsed += 1 }
            if r.completed { report.summary.completed += 1 }
            if var flow = r.flow {
                for k in flow.skipped.indices { flow.skipped[k].file = display(r.path) }
                report.summary.flow.add(flow)
            }
            missing += r.missingIncludes.map { (r.path, $0) }
        }
        if !missing.isEmpty {
            let files = Set(missing.map(\.0)).count
            let (f, m) = missing[0]
            let python = missing.contains { $0.1.name == "Python.h" }
            report.warnings.append("warning: \(files) file\(files == 1 ? "" : "s") include\(files == 1 ? "s" : "") headers that were not found (first: '\(TerminalText.escape(m.name))' from \(TerminalText.path(display(f)))\(m.line > 0 ? ":\(m.line)" : ""))"
                + (python ? "; for Python.h install python3-dev or pass --python-include DIR" : "")
                + "; pass -I DIR or -p BUILD_DIR with a compile_commands.json. Uses in those files are still found, from tokens.")
        }
        report.findings.sort(by: Finding.reportOrder)
        report.summary.files = contents.count
        report.summary.findings = report.findings.count
        report.summary.errors = report.errors.filter { $0.kind != .note }.count
        return report
    }

    /// The running binary's size and modification time: a rebuilt bufferlint (same version
    /// number, different code) must not trust results cached by the previous build.
    static let buildIdentity: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
        guard let a = try? FileManager.default.attributesOfItem(atPath: exe) else { return "build unknown" }
        let size = (a[.size] as? NSNumber)?.intValue ?? 0
        let time = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "build \(exe) \(size) \(time)"
    }()

    /// What every cache entry of a run depends on besides the file itself.
    static func runKey(options: LintOptions, rules: RuleSet, python: PythonHeaders) -> String {
        var parts = [Linter.version, Linter.buildIdentity, "cwd \(FileManager.default.currentDirectoryPath)", "target \(options.targetPython)", "python \(python.includeDir ?? "-")", "syntax \(options.useSyntaxTree)", "fixes \(options.planFixes) unsafe \(options.unsafeFixes)"]
        for r in rules.enabled { parts.append("\(r.id) \(r.source) \(r.functions) \(r.message) \(r.severity) \(r.deprecated ?? "") \(r.removed ?? "")") }
        parts += options.severityOverrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return parts.joined(separator: "\n")
    }

    func cacheFlags(for path: String) -> String {
        let f = compileFlags(entry: database?.entry(for: path))
        return f.clangArguments(language: Language.of(path: path), python: python.includeDir).joined(separator: " ")
    }

    /// A file of the run. Its bytes stay in memory while the run's `ReadBudget` lasts; beyond it
    /// they are read again when needed (each pass holds one file at a time), so that memory
    /// depends on the largest file and the jobs, not on the size of the tree.
    struct Content {
        var path: String
        private var kept: [UInt8]?
        var error: String?
        /// What its `#include` lines name (C, C++ and SWIG), from its bytes.
        var includes: [(name: String, angled: Bool)] = []
        /// Whether it names a watched function or the new API the flow checks follow (the
        /// prefilter's answer before project macros are known).
        var namesWatchedOrFlow = true
        var isEmpty = false

        init(path: String, bytes: [UInt8]?, error: String?, includes: [(name: String, angled: Bool)] = [], keep: Bool = true) {
            self.path = path
            self.kept = keep ? bytes : nil
            self.error = error
            self.includes = includes
            self.isEmpty = bytes?.isEmpty ?? false
        }

        /// The file's bytes: kept ones, or read again (nil when it can no longer be read).
        var bytes: [UInt8]? {
            if let kept { return kept }
            guard error == nil, case .success(let b) = RegularFile.read(path, limit: Linter.fileSizeLimit) else { return nil }
            return b
        }
    }

    /// How many bytes of the run's files stay in memory between passes.
    final class ReadBudget: @unchecked Sendable {
        private var left: Int
        init(_ bytes: Int) { left = bytes }
        func take(_ n: Int) -> Bool {
            guard n <= left else { return false }
            left -= n
            return true
        }
    }

    func read(_ p: String, budget: ReadBudget, watchedOrFlow: Prefilter) -> Content {
        switch RegularFile.read(p, limit: Linter.fileSizeLimit) {
        case .success(let bytes):
            let includes = Language.of(path: p) != .cython && Prefilter.mayInclude(bytes) ? Prefilter.includedNames(in: bytes) : []
            var c = Content(path: p, bytes: bytes, error: nil, includes: includes, keep: budget.take(bytes.count))
            c.namesWatchedOrFlow = watchedOrFlow.matches(bytes)
            return c
        case .failure(let problem): return Content(path: p, bytes: nil, error: problem.description)
        }
    }

    func headersInIncludeDirs() -> [(path: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        let system = Set(IncludeResolver.defaultSystemDirs + [python.includeDir ?? ""])
        for dir in options.includeDirs where !system.contains(dir) {
            guard let e = FileManager.default.enumerator(atPath: dir) else { continue }
            var count = 0
            while let rel = e.nextObject() as? String, count < 5000 {
                guard ["h", "hpp", "hh", "hxx"].contains((rel as NSString).pathExtension) else { continue }
                count += 1
                if case .success(let d) = RegularFile.read((dir as NSString).appendingPathComponent(rel), limit: Linter.syntaxTreeSizeLimit) { out.append((rel, d)) }
            }
        }
        return out
    }

    /// The project headers the given files include, directly or through each other, wherever they
    /// resolve (the file's folder, its `-I` folders and the compilation database's, the project's
    /// headers): a macro defined there that reaches an old name must keep its users from being
    /// dropped by the prefilter, whichever files were given.
    func headersReached(from contents: [Content], skipping given: Set<String>) -> [(path: String, bytes: [UInt8])] {
        var out: [(path: String, bytes: [UInt8])] = []
        var seen = given
        var memo: [String: String?] = [:]
        var pending: [(path: String, includes: [(name: String, angled: Bool)], resolver: IncludeResolver, depth: Int)] = []
        for c in contents where !c.includes.isEmpty {
            pending.append((c.path, c.includes, includeResolver(compileFlags(entry: database?.entry(for: c.path))), 0))
        }
        while let f = pending.popLast() {
            let dir = (f.path as NSString).deletingLastPathComponent
            for (name, angled) in f.includes {
                let key = "\(angled ? "<" : "\"")\(dir)\u{0}\(name)\u{0}\(f.resolver.userDirs.joined(separator: "\u{0}"))"
                let header: String?
                if let hit = memo[key] { header = hit } else {
                    if case .project(let h) = f.resolver.resolve(name, angled: angled, fromDir: dir) { header = h } else { header = nil }
                    memo[key] = header
                }
                guard let header, f.depth < 16, seen.insert(RegularFile.lexicalPath(header, cwd: cwd)).inserted,
                      case .success(let bytes) = RegularFile.read(header, limit: Linter.syntaxTreeSizeLimit) else { continue }
                out.append((header, bytes))
                if Prefilter.mayInclude(bytes) { pending.append((header, Prefilter.includedNames(in: bytes), f.resolver, f.depth + 1)) }
            }
        }
        return out
    }

    public func display(_ path: String) -> String {
        var p = path
        if p.hasPrefix("/") {
            let base = cwd.hasSuffix("/") ? cwd : cwd + "/"
            if p.hasPrefix(base) { p = String(p.dropFirst(base.count)) }
        }
        while p.hasPrefix("./") { p = String(p.dropFirst(2)) }
        return p
    }

    // MARK: - One file

    /// `definedElsewhere`: old functions another file of the run defines (`ProjectDefinitions`).
    public func analyze(path: String, bytes: [UInt8], parser: ClangParser?, definedElsewhere: Set<String> = []) -> FileResult {
        var result = FileResult(path: path)
        let shown = display(path)
        if bytes.isEmpty {
            result.errors.append(InputError(file: shown, message: "empty file; nothing to check", kind: .note))
            return result
        }
        // A NUL byte is white space to a compiler (it warns and goes on), so it is to the scan;
        // the file's own bytes are what fixes are applied to.
        let hasNUL = bytes.contains(0)
        let text = SourceText(bytes: hasNUL ? bytes.map { $0 == 0 ? 0x20 : $0 } : bytes)
        let oddities = (hasNUL ? ["contains NUL bytes, read as spaces as compilers do"] : []) + (text.isValidUTF8 ? [] : ["is not valid UTF-8, scanned as Latin-1"])
        if !oddities.isEmpty {
            result.errors.append(InputError(file: shown, message: oddities.joined(separator: "; it "), kind: .note))
        }
        let language = Language.of(path: path)
        if language == .cython { return analyzeCython(path: path, text: text, result: result) }
        let entry = database?.entry(for: path)
        var flags = compileFlags(entry: entry)
        // A part of a unity build: its includer's text before the `#include`, read once for the scan and the parse.
        let prefix = language == .c || language == .cpp ? unityPrefix(of: path) : nil
        let (lexed, scan) = tokenScan(path: path, text: text, language: language, names: rules.watchedNames, flags: flags, prefix: prefix)
        // The project's folders that hold headers the file includes, as its build's `-I` would name them (inside the project only).
        flags.includeDirs += scan.projectIncludeDirs.filter { trustedRoots.contains($0) && !flags.includeDirs.contains($0) }
        var occurrences = scan.occurrences
        result.missingIncludes = scan.missingIncludes
        result.headers = scan.headers

        let needsTree = occurrences.contains { [.call, .reference, .declaration, .guarded].contains($0.kind) }
        // libclang opens whatever the file includes: only a file whose includes stay on trusted
        // regular files is parsed (detection, the flow checks and the fixes alike).
        var parser = parser
        let mayParse = needsTree || (rules.enabled.contains { $0.kind == .newApi } && FlowPass.prefilter.matches(text.bytes))
        if parser != nil, mayParse, language == .c || language == .cpp || language == .swig, bytes.count <= Linter.syntaxTreeSizeLimit,
           let why = scan.computedIncludes.first.map({ "`#include` at \($0) names its file through a macro" })
            ?? IncludeGate(resolver: includeResolver(flags), roots: trustedRoots, headers: headers).refusal(for: lexed, path: path) {
            parser = nil
            result.errors.append(InputError(file: shown, message: "not parsed: \(why); uses are found from tokens"))
        }
        // One parse of the file, made on first need, serves detection, the flow checks and the fixes.
        // A SWIG interface is parsed as the C of its `%{ %}` blocks, after Python.h as in SWIG's output.
        let swigCode = language == .swig && bytes.count <= Linter.syntaxTreeSizeLimit ? SwigRegions.compiledCode(lexed) : nil
        let parseable = bytes.count <= Linter.syntaxTreeSizeLimit && (language == .c || language == .cpp || swigCode != nil)
        var arguments = flags.clangArguments(language: language, python: python.includeDir)
        if swigCode != nil { arguments += ["-include", "Python.h"] }
        // With headers missing, the feature macros they would define around the uses are assumed defined.
        if !scan.missingIncludes.isEmpty {
            // The uses: old calls, and the new API the flow checks follow.
            let newAPI = Set(FlowPass.names)
            let uses = occurrences.filter { $0.kind == .call }.map(\.nameRange.lowerBound)
                + lexed.tokens.filter { $0.kind == .identifier && $0.directive == nil && newAPI.contains(lexed.spelling($0)) }.map(\.start)
            arguments += FeatureMacros.definitions(lexed: lexed, uses: uses).map { "-D\($0.name)=\($0.value)" }
        }
        let parsePath = swigCode == nil ? path : Linter.swigCodePath(path)
        // A file that does not include Python.h itself may be a part of a unity build, or count on a
        // project header that is missing: Python.h is added when Python's names are unknown.
        var fragment = !lexed.directives.contains { d in
            (d.kind == .include || d.kind == .includeNext) && d.tokenRange.first.map { ["<Python.h>", "\"Python.h\""].contains(lexed.spelling(at: $0)) } == true
        }
        var unsaved: [(path: String, bytes: [UInt8])] = swigCode.map { [(parsePath, $0)] } ?? []
        // A part of a unity build is parsed after what its includer has before including it.
        if fragment, swigCode == nil, parseable, mayParse, parser != nil, let prefix {
            if let why = IncludeGate(resolver: includeResolver(flags), roots: trustedRoots, headers: headers).refusal(for: prefix.lexed, path: prefix.includer) {
                result.errors.append(InputError(file: shown, message: "parsed alone: its includer \(display(prefix.includer)) is not used (\(why))", kind: .note))
            } else {
                arguments += ["-include", prefix.path]
                unsaved.append((prefix.path, prefix.bytes))
                fragment = false
                // A cached result holds only while the includer is unchanged.
                result.headers.append(prefix.includer)
            }
        }
        let unit = LazyUnit(unavailable: parser == nil ? "libclang is not used" : parseable ? nil : "not C or C++") { [precompiled] in
            guard let parser else { return .failed("libclang is not used") }
            if swigCode == nil, let pchs = precompiled, let preamble = PrecompiledPython.preamble(of: lexed),
               let pch = pchs.header(preamble: preamble, arguments: arguments, index: parser) {
                let first = parser.parse(path: path, arguments: arguments + ["-include-pch", pch], fragment: fragment, unsaved: unsaved)
                if case .parsed(let u) = first, !u.rejectedPrecompiledHeader { return first }
                pchs.reject(pch)
            }
            return parser.parse(path: parsePath, arguments: arguments, fragment: fragment, unsaved: unsaved)
        }
        if parser != nil, needsTree, parseable, swigCode == nil {
            let focus = occurrences.map(\.nameRange.lowerBound)
            result.usedSyntaxTree = true
            if let parsed = unit.get() {
                let facts = parsed.facts(names: rules.watchedNames, focus: focus)
                result.parsed = facts.errorCount == 0
                SyntaxMerge.merge(facts, into: &occurrences)
                if facts.errorCount > 0 && scan.missingIncludes.isEmpty {
                    result.errors.append(InputError(file: shown, message: "\(facts.errorCount) syntax error\(facts.errorCount == 1 ? "" : "s") (\(facts.firstError ?? "")); uses are also found from tokens"))
                }
            } else {
                result.errors.append(InputError(file: shown, message: "\(unit.failure); uses are found from tokens"))
            }
        } else if bytes.count > Linter.syntaxTreeSizeLimit {
            result.errors.append(InputError(file: shown, message: "large file (\(bytes.count >> 20) MB); scanned from tokens without a syntax tree"))
        }
        result.exportedDefinitions = ProjectDefinitions.exported(occurrences, lexed: lexed)
        ProjectDefinitions.resolve(&occurrences, elsewhere: definedElsewhere)
        result.occurrences = occurrences
        result.findings = FindingBuilder(rules: rules, text: text, lexed: lexed, file: shown).findings(for: occurrences, suppressed: &result.leftAlone)
        leaveAccepted(&result, text: text)
        checkBufferFlow(&result, text: text, lexed: lexed, functions: scan.functions, language: language, unit: unit)
        finishFile(&result, text: text, lexed: lexed, functions: scan.functions)
        if options.planFixes {
            let parse = parser != nil && parseable ? arguments : nil
            result.fixPlan = FixPlanner(rules: rules, text: text, lexed: lexed, path: path, clangArguments: parse, unit: { unit.get() })
                .plan(occurrences: occurrences, findings: &result.findings, generator: result.generator, leftAlone: result.leftAlone)
            if hasNUL { result.fixPlan?.original = bytes }
        }
        if let parsed = unit.wasParsed ? unit.get() : nil {
            result.completed = !parsed.synthesis.isEmpty
            result.parsed = parsed.errors.isEmpty
        }
        return result
    }

    /// With a baseline and the fixes' edits wanted (`fix`, `check --diff`, SARIF), the uses whose
    /// findings the baseline accepts are left as they are, as suppressed ones are.
    func leaveAccepted(_ result: inout FileResult, text: SourceText) {
        guard options.keepFixEdits, let baseline else { return }
        result.leftAlone.formUnion(baseline.acceptedUses(result.findings, occurrences: result.occurrences, text: text))
    }

    /// The file of the same folder that includes `path` (`#include "blob.c"`, under an `#if` or not), and
    /// its text before that line, as a header given to libclang before the fragment.
    /// Under an `#if`, the prefix ends with the condition open: libclang closes it at the end of the
    /// prefix (an error there, outside every function), and the part is parsed as if compiled.
    typealias UnityPrefix = (includer: String, path: String, bytes: [UInt8], lexed: LexedFile)

    func unityPrefix(of path: String) -> UnityPrefix? {
        let name = (path as NSString).lastPathComponent
        guard let includer = unityIncluders.includer(of: path),
              case .success(let bytes) = RegularFile.read(includer, limit: Linter.syntaxTreeSizeLimit) else { return nil }
        let lexed = Lexer.lex(SourceText(bytes: bytes))
        guard let d = lexed.directives.first(where: { d in d.kind == .include && d.tokenRange.first.map { lexed.spelling(at: $0) == "\"\(name)\"" } == true }) else { return nil }
        let folder = (includer as NSString).deletingLastPathComponent
        let absolute = folder.hasPrefix("/") ? folder : (cwd as NSString).appendingPathComponent(folder)
        let header = ((absolute as NSString).standardizingPath as NSString)
            .appendingPathComponent(".\((includer as NSString).lastPathComponent).before-\(name).bufferlint.h")
        let before = Array(bytes[..<d.start])
        return (includer, header, before, Lexer.lex(SourceText(bytes: before)))
    }

    /// Where the C of a SWIG interface is parsed from (given to libclang by its contents, never
    /// written): beside the interface, so that its quoted includes resolve as in SWIG's output.
    static func swigCodePath(_ path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return (dir as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).bufferlint.c")
    }

    /// The token scan of a C, C++ or SWIG file for `names` (SWIG: its included interfaces read,
    /// names in SWIG's own statements dropped).
    /// `prefix`: the includer's text when the file is a part of a unity build (`unityPrefix`).
    func tokenScan(path: String, text: SourceText, language: Language, names: Set<String>, flags: Flags, prefix: UnityPrefix?) -> (LexedFile, TokenScanResult) {
        var lexed = Lexer.lex(text, dialect: language == .swig ? .swig : .c)
        if language == .swig { lexed = SwigRegions.withIncludes(lexed, path: path, includeDirs: options.includeDirs) }
        let ctx = ScanContext(names: names, resolver: includeResolver(flags),
                              python: python, target: (options.targetPython.major, options.targetPython.minor),
                              defines: flags.defines, headers: headers)
        // A part of a unity build is read as the compiler reads it: after its includer's text up to the `#include`.
        let cplusplus = language == .cpp || prefix.map { Language.of(path: $0.includer) == .cpp } == true
        var scan = TokenScanner(context: ctx, lexed: lexed, path: path, isCPlusPlus: cplusplus,
                                prelude: prefix.map { ($0.lexed, $0.includer) }).scan()
        if let prefix { scan.headers.append(prefix.includer) }
        if language == .swig { scan.occurrences = SwigRegions(lexed: lexed).removingDirectiveNames(scan.occurrences) }
        return (lexed, scan)
    }

    func includeResolver(_ flags: Flags) -> IncludeResolver {
        IncludeResolver(userDirs: flags.includeDirs, pythonInclude: python.includeDir, projectHeaders: projectHeaders)
    }

    struct Flags {
        var includeDirs: [String] = []
        var defines: [String: String] = [:]
        var extra: [String] = []
        var std: String?

        func clangArguments(language: Language, python: String?) -> [String] {
            var args = ["-x", language == .cpp ? "c++" : "c"]
            if let std { args.append("-std=\(std)") }
            if let python { args.append("-I\(python)") }
            args += includeDirs.map { "-I\($0)" }
            args += defines.sorted(by: { $0.key < $1.key }).map { "-D\($0.key)=\($0.value)" }
            args += extra
            args += ["-w", "-ferror-limit=0"]
            return args
        }
    }

    func compileFlags(entry: CompilationDatabase.Entry?) -> Flags {
        var f = Flags()
        f.std = options.std
        func addDefine(_ d: String) {
            if let eq = d.firstIndex(of: "=") { f.defines[String(d[..<eq])] = String(d[d.index(after: eq)...]) } else { f.defines[d] = "1" }
        }
        // The entry's flags passed the database's allow-list.
        if let entry {
            var i = 0
            let a = entry.arguments
            while i < a.count {
                let s = a[i]
                if CompilationDatabase.includeFlags.contains(s), i + 1 < a.count { f.includeDirs.append(a[i + 1]); i += 2; continue }
                if let p = CompilationDatabase.includeFlags.first(where: { s.hasPrefix($0) }) { f.includeDirs.append(String(s.dropFirst(p.count))); i += 1; continue }
                if s == "-D", i + 1 < a.count { addDefine(a[i + 1]); i += 2; continue }
                if s.hasPrefix("-D") { addDefine(String(s.dropFirst(2))); i += 1; continue }
                if s.hasPrefix("-std=") { if f.std == nil { f.std = String(s.dropFirst(5)) }; i += 1; continue }
                if s == "-U", i + 1 < a.count { f.extra += [s, a[i + 1]]; i += 2; continue }
                f.extra.append(s)
                i += 1
            }
        }
        f.includeDirs += options.includeDirs
        options.defines.forEach(addDefine)
        return f
    }
}

/// Refines token occurrences with what the syntax tree knows. One sweep over the uses in file
/// order, with the functions and calls that contain the current use kept open: time grows with
/// the uses and the tree's size, not with their product (generated files hold thousands of uses).
enum SyntaxMerge {
    static func merge(_ facts: SyntaxFacts, into occurrences: inout [Occurrence]) {
        let references = facts.references.sorted { $0.key < $1.key }
        let functions = facts.functions.sorted { $0.bodyRange.lowerBound < $1.bodyRange.lowerBound }
        let calls = facts.calls.enumerated().sorted { ($0.element.range.lowerBound, $0.offset) < ($1.element.range.lowerBound, $1.offset) }
        var openFunctions: [FunctionSpan] = []
        var openCalls: [(index: Int, call: SyntaxFacts.Call)] = []
        var nextFunction = 0, nextCall = 0
        for i in occurrences.indices.sorted(by: { occurrences[$0].nameRange.lowerBound < occurrences[$1].nameRange.lowerBound }) {
            let o = occurrences[i]
            let start = o.nameRange.lowerBound
            while nextFunction < functions.count, functions[nextFunction].bodyRange.lowerBound <= start {
                openFunctions.append(functions[nextFunction]); nextFunction += 1
            }
            openFunctions.removeAll { $0.bodyRange.upperBound <= start }
            if let fn = openFunctions.filter({ $0.bodyRange.contains(start) }).min(by: { $0.bodyRange.count < $1.bodyRange.count }) {
                occurrences[i].enclosingFunction = fn.name
            }
            while nextCall < calls.count, calls[nextCall].element.range.lowerBound <= start {
                openCalls.append((calls[nextCall].offset, calls[nextCall].element)); nextCall += 1
            }
            // A call that ends before the use cannot hold it as its first reference.
            openCalls.removeAll { $0.call.range.upperBound < start }
            guard o.kind == .call || o.kind == .reference || o.kind == .guarded, facts.references[start] != nil else { continue }
            occurrences[i].resolution = .syntaxTree
            // The first call (in the tree's order) of this function that holds the use as its first reference.
            let call = openCalls.filter { c in
                c.call.name == o.function && c.call.range.lowerBound <= start && start < max(c.call.range.upperBound, start + 1)
                    && firstReference(of: o.function, in: c.call.range, references) == start
            }.min { $0.index < $1.index }?.call
            if let call {
                if o.kind == .reference { occurrences[i].kind = .call }
                if call.range.upperBound > start { occurrences[i].callRange = call.range }
            } else if o.kind == .call {
                occurrences[i].kind = .reference
                occurrences[i].callRange = nil
            }
        }
    }

    /// The lowest offset in `range` (its end included) where `references` (sorted) names `name`.
    static func firstReference(of name: String, in range: Range<Int>, _ references: [(key: Int, value: String)]) -> Int? {
        var lo = 0, hi = references.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if references[mid].key < range.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        while lo < references.count, references[lo].key <= range.upperBound {
            if references[lo].value == name { return references[lo].key }
            lo += 1
        }
        return nil
    }
}
