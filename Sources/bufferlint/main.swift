import ArgumentParser
import BufferLintKit
import Foundation

struct BufferLint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bufferlint",
        abstract: "Finds and migrates CPython's removed old buffer protocol functions in C/C++ extensions.",
        version: Linter.version,
        subcommands: [Check.self, FixFiles.self, Rules.self, Explain.self],
        defaultSubcommand: Check.self
    )
}

/// Options shared by the commands that scan files.
struct ScanOptions: ParsableArguments {
    @Argument(help: "Files or folders to scan (default: the current folder).")
    var paths: [String] = []

    @Option(name: .customShort("p"), help: "Folder holding a compile_commands.json.")
    var buildDir: String?
    @Option(name: .customLong("compile-commands"), help: "A compile_commands.json file.")
    var compileCommands: String?
    @Option(name: .customLong("python-include"), help: "Python's include folder (default: the running python3's).")
    var pythonInclude: String?
    @Option(name: .customShort("I"), parsing: .unconditionalSingleValue, help: "Add an include folder.")
    var includeDirs: [String] = []
    @Option(name: .customShort("D"), parsing: .unconditionalSingleValue, help: "Define a macro (NAME or NAME=VALUE).")
    var defines: [String] = []
    @Option(name: .customLong("std"), help: "Language standard, e.g. c11 or c++17.")
    var std: String?
    @Option(help: "Comma-separated rule ids, id prefixes or names to enable.")
    var select: String?
    @Option(help: "Comma-separated rule ids, id prefixes or names to disable.")
    var ignore: String?
    @Option(name: .customLong("target-python"), help: "Python version the code must build for (default 3.13, lowest 3.0).")
    var targetPython: String?
    @Option(name: .customLong("rules"), help: "An extra folder of rule files.")
    var ruleDirs: [String] = []
    @Option(help: "Configuration file (default: .bufferlint.yml found upwards).")
    var config: String?
    @Option(help: "Parallel jobs (default: all cores).")
    var jobs: Int?
    @Flag(name: .customLong("no-prefilter"), help: "Scan every file, even those that cannot contain a use.")
    var noPrefilter = false
    @Flag(name: .customLong("no-respect-gitignore"), help: "Walk folders without skipping what the git work tree's .gitignore files ignore.")
    var noRespectGitignore = false
    @Flag(name: .customLong("no-cache"), help: "Neither read nor write cached results.")
    var noCache = false
    @Option(name: .customLong("cache-dir"), help: "Cache folder (default: .bufferlint-cache beside the configuration file, or in the current folder).")
    var cacheDir: String?
    @Flag(name: .customLong("no-pch"), help: "Parse Python.h for every file instead of precompiling it once.")
    var noPCH = false
    @Flag(name: .customLong("no-syntax-tree"), help: "Classify from tokens only, without libclang.")
    var noSyntaxTree = false

    func lintOptions() throws -> LintOptions {
        var o = LintOptions()
        var set = Set<String>()
        if !paths.isEmpty { o.paths = paths }
        o.compileCommands = compileCommands ?? buildDir
        o.pythonInclude = pythonInclude
        o.includeDirs = includeDirs
        o.defines = defines
        o.std = std
        if let s = select { o.select = s.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }; set.insert("select") }
        if let s = ignore { o.ignore = s.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }; set.insert("ignore") }
        if let t = targetPython {
            guard let v = PythonVersion(t) else { throw ValidationError("--target-python expects a version such as 3.13, got '\(t)'") }
            if let why = v.targetRefusal { throw ValidationError("--target-python \(t): \(why)") }
            o.targetPython = v
            set.insert("target-python")
        }
        o.extraRuleDirectories = ruleDirs
        if let j = jobs { o.jobs = max(1, j) }
        o.prefilter = !noPrefilter
        o.respectGitignore = !noRespectGitignore
        o.useSyntaxTree = !noSyntaxTree
        o.precompilePython = !noPCH
        // What the user named on the command line may be read (and the cache written) wherever it is.
        o.trustedFolders = includeDirs + [compileCommands ?? buildDir, cacheDir].compactMap { $0 }.map { p in
            p.hasSuffix(".json") ? (p as NSString).deletingLastPathComponent : p
        }
        let configPath = config ?? ConfigFile.discover(from: FileManager.default.currentDirectoryPath)
        if !noCache {
            let root = configPath.map { ($0 as NSString).deletingLastPathComponent } ?? FileManager.default.currentDirectoryPath
            o.cacheDirectory = cacheDir ?? (root as NSString).appendingPathComponent(".bufferlint-cache")
        }
        if let configPath {
            let file = try ConfigFile(path: configPath)
            file.apply(to: &o, commandLineSet: set)
        }
        return o
    }
}

enum ExitCodes {
    static let findings: Int32 = 1
    static let usage: Int32 = 2
}

func fail(_ message: String) -> Never {
    Console.note("error: \(message)")
    Foundation.exit(ExitCodes.usage)
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Report every use of the old buffer functions (the default command).")

    @OptionGroup var scan: ScanOptions
    @Option(help: "Output format: text, json, sarif, github (workflow annotations) or gitlab (Code Quality).")
    var format: String = "text"
    @OptionGroup var baselineOptions: BaselineOptions
    @Flag(name: .customLong("no-color"), help: "No colour, even on a terminal.")
    var noColor = false
    @Flag(help: "With text output, also say how many functions the checks of migrated code followed and how many files parsed.")
    var statistics = false
    @OptionGroup var fixOutput: DiffOptions

    func run() throws {
        guard let reporter = Reporters.reporter(named: format) else {
            throw ValidationError("unknown format '\(format)'; expected one of \(Reporters.identifiers.joined(separator: ", "))")
        }
        var options: LintOptions
        let linter: Linter
        do {
            options = try scan.lintOptions()
            fixOutput.prepare(&options)
            // Every finding says whether a fix exists; SARIF also carries the edits.
            options.planFixes = true
            if format == SARIFReporter.identifier { options.keepFixEdits = true }
            let terminal = isatty(STDERR_FILENO) != 0 && format == "text" && ProcessInfo.processInfo.environment["CI"] == nil
            if terminal { options.progress = Progress.make() }
            linter = try Linter(options: options)
            linter.baseline = baselineOptions.load()
        } catch let e as RuleFileError {
            fail(e.description)
        } catch let e as ConfigError {
            fail(e.description)
        }
        let run = linter.run()
        Progress.clear()
        let (report, staleBaseline) = baselineOptions.apply(to: run, paths: options.paths)
        let env = ProcessInfo.processInfo.environment
        let colour = !noColor && env["NO_COLOR"] == nil && isatty(STDOUT_FILENO) != 0
        var context = ReportContext(toolVersion: Linter.version, rules: linter.rules.all, colour: colour)
        context.statistics = statistics
        context.unsafeFixes = fixOutput.unsafeFixes
        if fixOutput.diff {
            Console.raw(fixOutput.render(report, linter: linter))
        } else {
            Console.out(reporter.render(report, context: context), commands: format == GitHubReporter.identifier)
        }
        if format == GitHubReporter.identifier { StepSummary.append(report, context: context) }
        for w in report.warnings { Console.note(w) }
        if format != "text" { report.errors.forEach(Console.inputError) }
        let code = BufferLintExit.code(for: report)
        throw ExitCode(staleBaseline && code == 0 ? ExitCodes.findings : code)
    }
}

enum BufferLintExit {
    /// 2 when a path could not be read at all, 1 when a finding is an error or a warning, else 0.
    static func code(for report: Report) -> Int32 {
        if report.errors.contains(where: { $0.kind.failsRun }) { return ExitCodes.usage }
        if report.findings.contains(where: { $0.severity >= .warning }) { return ExitCodes.findings }
        return 0
    }
}

/// A progress line on stderr, for runs on a terminal that take more than a second.
enum Progress {
    nonisolated(unsafe) static var shown = false
    static func make() -> @Sendable (Int, Int, String) -> Void {
        let start = Date()
        let lock = NSLock()
        return { done, total, path in
            guard Date().timeIntervalSince(start) > 1 else { return }
            lock.lock(); defer { lock.unlock() }
            shown = true
            let name = path.count > 50 ? "..." + path.suffix(47) : path
            Console.err("\r\u{1B}[K[\(done)/\(total)] \(TerminalText.escape(name))")
        }
    }
    static func clear() {
        if shown { Console.err("\r\u{1B}[K") }
    }
}

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the rules, or write their documentation as Markdown.")
    @Option(name: .customLong("rules"), help: "An extra folder of rule files.")
    var ruleDirs: [String] = []
    @Flag(help: "Print the rules' documentation as Markdown (docs/rules.md).")
    var markdown = false

    func run() throws {
        let rules: [Rule]
        do { rules = try RuleLoader.rules(extraDirectories: ruleDirs) } catch let e as RuleFileError { fail(e.description) }
        Console.out(markdown ? RuleDocs.markdown(rules) : RuleDocs.table(rules))
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a rule's documentation.")
    @Argument(help: "A rule id or name, e.g. BUF002 or as-read-buffer.")
    var rule: String
    @Option(name: .customLong("rules"), help: "An extra folder of rule files.")
    var ruleDirs: [String] = []

    func run() throws {
        let rules: [Rule]
        do { rules = try RuleLoader.rules(extraDirectories: ruleDirs) } catch let e as RuleFileError { fail(e.description) }
        guard let r = rules.first(where: { $0.id == rule || $0.name == rule }) else {
            fail("no rule '\(rule)'; `bufferlint rules` lists them")
        }
        Console.out(RuleDocs.explain(r))
    }
}

/// Compiler-style `-Idir` and `-DNAME=1` are split into an option and its value.
func compilerStyleArguments(_ args: [String]) -> [String] {
    var out: [String] = []
    for a in args {
        if a.count > 2, a.hasPrefix("-I") || a.hasPrefix("-D") {
            out.append(String(a.prefix(2)))
            out.append(String(a.dropFirst(2)))
        } else {
            out.append(a)
        }
    }
    return out
}

do {
    var command = try BufferLint.parseAsRoot(compilerStyleArguments(Array(CommandLine.arguments.dropFirst())))
    try command.run()
} catch {
    // Usage errors (bad options or values) exit with 2, as the README promises, not ArgumentParser's 64.
    if BufferLint.exitCode(for: error) == .validationFailure {
        Console.err(BufferLint.fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false)
            .map { TerminalText.escape(String($0)) }.joined(separator: "\n") + "\n")
        Foundation.exit(ExitCodes.usage)
    }
    BufferLint.exit(withError: error)
}
