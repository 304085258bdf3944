import ArgumentParser
import BufferLintKit
import Foundation

/// `--baseline`, `--write-baseline` and `--strict-baseline` of `check`.
struct BaselineOptions: ParsableArguments {
    @Option(name: .customLong("baseline"), help: "Report only findings that are not in this baseline file.")
    var baseline: String?
    @Option(name: .customLong("write-baseline"), help: "Record today's findings in this file (sorted JSON) and exit.")
    var writeBaseline: String?
    @Flag(name: .customLong("strict-baseline"), help: "Exit 1 when the baseline lists findings that no longer exist.")
    var strictBaseline = false

    func validate() throws {
        if baseline != nil && writeBaseline != nil {
            throw ValidationError("--baseline and --write-baseline cannot be combined; --write-baseline alone rewrites the file")
        }
        if strictBaseline && baseline == nil { throw ValidationError("--strict-baseline needs --baseline FILE") }
    }

    /// Writes the baseline when asked (then the command ends), or keeps only the findings
    /// not in the baseline. Returns the report to show and whether stale entries are an error.
    func apply(to report: Report, paths: [String]) -> (report: Report, failed: Bool) {
        if let path = writeBaseline {
            let code = BufferLintExit.code(for: report)
            if code == ExitCodes.usage {
                for e in report.errors { note("\(e.file): error: \(e.message)") }
                fail("baseline \(path) not written: some paths could not be read")
            }
            do { try Baseline(findings: report.findings).write(to: path) } catch let e as BaselineError { fail(e.description) } catch { fail("\(error)") }
            note("wrote \(report.findings.count) finding\(report.findings.count == 1 ? "" : "s") to baseline \(path)")
            Foundation.exit(0)
        }
        guard let path = baseline else { return (report, false) }
        let loaded: Baseline
        do { loaded = try Baseline.load(path: path) } catch let e as BaselineError { fail(e.description) } catch { fail("\(error)") }
        let comparison = loaded.compare(report, covers: Baseline.coverage(of: paths))
        let stale = comparison.stale
        if !stale.isEmpty {
            var text = "\(strictBaseline ? "error" : "warning"): baseline \(path): \(stale.count) entr\(stale.count == 1 ? "y" : "ies") no longer found; prune with --write-baseline \(path):"
            for s in stale { text += "\n  \(s.file): \(s.rule)\(s.function.isEmpty ? "" : " in \(s.function)"): \(s.snippet)" }
            note(text)
        }
        return (comparison.report, strictBaseline && !stale.isEmpty)
    }

    func note(_ s: String) { Console.note(s) }

    /// The baseline named by `--baseline`, read before the run: with a diff or SARIF, its findings get no fix.
    func load() -> Baseline? { BaselineOptions.load(baseline) }

    static func load(_ path: String?) -> Baseline? {
        guard let path else { return nil }
        do { return try Baseline.load(path: path) } catch let e as BaselineError { fail(e.description) } catch { fail("\(error)") }
    }
}

/// Appends the Markdown summary of a `--format github` run to `$GITHUB_STEP_SUMMARY`.
enum StepSummary {
    static func append(_ report: Report, context: ReportContext) {
        guard let path = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !path.isEmpty else { return }
        Console.append(GitHubReporter.stepSummary(report, context: context) + "\n", toFile: path)
    }
}
