import ArgumentParser
import BufferLintKit
import Foundation

/// `check --diff`: the fixes as a unified diff, nothing written.
struct DiffOptions: ParsableArguments {
    @Flag(help: "Print the available fixes as a unified diff instead of the report; nothing is written.")
    var diff = false
    @Flag(name: .customLong("unsafe-fixes"), help: "Show the plan of `fix --unsafe-fixes`: the diff, and each finding's fix in every format, include the fixes that change behaviour.")
    var unsafeFixes = false

    func prepare(_ options: inout LintOptions) {
        if unsafeFixes {
            // The unsafe plan is audited whole, cross-file wrappers included: it is made afresh, not cached.
            options.unsafeFixes = true
            options.keepFixEdits = true
        }
        guard diff else { return }
        options.planFixes = true
        options.keepFixEdits = true
    }

    func render(_ report: Report, linter: Linter) -> [UInt8] {
        FileFixer.diff(report.fixPlans, unsafe: unsafeFixes, display: linter.display)
    }
}

struct FixFiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fix",
        abstract: "Apply the safe fixes (with --unsafe-fixes also the others) and report what could not be fixed.")

    @OptionGroup var scan: ScanOptions
    @Flag(name: .customLong("unsafe-fixes"), help: "Also apply fixes that change behaviour (each one says how).")
    var unsafeFixes = false
    @Option(name: .customLong("baseline"), help: "Leave the uses whose findings this baseline file accepts as they are.")
    var baseline: String?

    func run() throws {
        var options: LintOptions
        let linter: Linter
        let accepted = BaselineOptions.load(baseline)
        do {
            options = try scan.lintOptions()
            options.planFixes = true
            options.keepFixEdits = true
            options.cacheDirectory = nil
            linter = try Linter(options: options)
            linter.baseline = accepted
        } catch let e as RuleFileError {
            fail(e.description)
        } catch let e as ConfigError {
            fail(e.description)
        }
        let run = linter.run()
        // The baseline's findings are neither fixed nor counted as left unfixed.
        let report = accepted.map { $0.compare(run).report } ?? run
        let acceptedCount = run.findings.count - report.findings.count
        for w in report.warnings { Console.note(w) }
        report.errors.forEach(Console.inputError)

        var out = ""
        var failedWrites = 0
        var remaining = 0
        var totals: [String: Int] = [:]
        // A use left unfixed that is reported as a warning or an error makes the exit status 1.
        let serious = Set(report.findings.filter { $0.severity >= .warning }.map { "\($0.file):\($0.line):\($0.column):\($0.rule)" })
        var unfixedSerious = false
        let plans = report.fixPlans.sorted(by: { $0.path < $1.path })
        var outcomes = plans.map { FileFixer.outcome(for: $0, unsafe: unsafeFixes) }
        FileFixer.write(&outcomes, plans: plans, roots: linter.writableRoots)
        for (plan, outcome) in zip(plans, outcomes) {
            let shown = linter.display(plan.path)
            let printed = TerminalText.path(shown)
            if outcome.wroteFile {
                // Companions are the calls and prototypes of a wrapper fixed in another file, not uses.
                let uses = outcome.applied.filter { !$0.companion }
                let counts = Dictionary(grouping: uses, by: { $0.strategy.rawValue }).mapValues(\.count)
                counts.forEach { totals[$0.key, default: 0] += $0.value }
                out += uses.isEmpty ? "\(printed): changed with a wrapper fixed in another file\n"
                    : "\(printed): fixed \(uses.count) use\(uses.count == 1 ? "" : "s") ("
                    + counts.sorted { $0.key > $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ")\n"
                for f in outcome.applied.sorted(by: { $0.offset < $1.offset }) {
                    let escape = f.escape.map { " [escape: \($0.kind), line \($0.line)]" } ?? ""
                    out += "  \(printed):\(f.line):\(f.column): \(f.rule) \(f.strategy.rawValue) (\(f.safety.rawValue))\(escape): \(TerminalText.escape(f.reason))\n"
                }
                if let h = outcome.wroteHeader { out += "  wrote \(TerminalText.escape(linter.display(h)))\n" }
            }
            if let e = outcome.error {
                failedWrites += 1
                out += "\(printed): error: \(TerminalText.escape(e))\n"
            }
            for u in outcome.unfixed.sorted(by: { ($0.line, $0.column) < ($1.line, $1.column) }) {
                remaining += 1
                if serious.contains("\(shown):\(u.line):\(u.column):\(u.rule)") { unfixedSerious = true }
                out += "\(printed):\(u.line):\(u.column): \(u.rule) not fixed: \(TerminalText.escape(u.reason))\n"
            }
        }
        let fixedTotal = totals.values.reduce(0, +)
        out += "\(fixedTotal) use\(fixedTotal == 1 ? "" : "s") fixed"
            + (totals.isEmpty ? "" : " (" + totals.sorted { $0.key > $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ")")
            + ", \(remaining) not fixed" + (acceptedCount > 0 ? ", \(acceptedCount) accepted by the baseline left as \(acceptedCount == 1 ? "it is" : "they are")" : "") + (failedWrites > 0 ? ", \(failedWrites) file\(failedWrites == 1 ? "" : "s") not written" : "") + "\n"
        Console.out(out)
        if failedWrites > 0 { throw ExitCode(ExitCodes.usage) }
        throw ExitCode(unfixedSerious ? ExitCodes.findings : BufferLintExit.code(for: report) == ExitCodes.usage ? ExitCodes.usage : 0)
    }
}
