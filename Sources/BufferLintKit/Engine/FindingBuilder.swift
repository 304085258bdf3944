/// Turns one file's occurrences into findings: rule, severity, message,
/// position, suppressions (and the unused-suppression findings they leave).
struct FindingBuilder {
    let rules: RuleSet
    let text: SourceText
    let lexed: LexedFile
    let file: String

    static let unusedSuppressionRule = "BUF000"

    func findings(for occurrences: [Occurrence]) -> [Finding] {
        var suppressed = Set<Int>()
        return findings(for: occurrences, suppressed: &suppressed)
    }

    /// The findings, and in `suppressed` the name offsets of the occurrences a comment suppresses:
    /// those are never fixed either.
    func findings(for occurrences: [Occurrence], suppressed: inout Set<Int>) -> [Finding] {
        let suppressions = Suppression.find(in: lexed)
        var used = [Bool](repeating: false, count: suppressions.count)
        var out: [Finding] = []
        let tests = ResultTests(lexed: lexed)
        for o in occurrences {
            guard let rule = rules.rule(forFunction: o.function) else { continue }
            let start = text.position(of: o.nameRange.lowerBound)
            let endOffset = o.callRange?.upperBound ?? o.nameRange.upperBound
            let end = text.position(of: endOffset)
            if let k = suppressions.indices.first(where: { suppressions[$0].covers(rule: rule, line: start.line) }) {
                used[k] = true
                suppressed.insert(o.nameRange.lowerBound)
                continue
            }
            // From the name to the call's end: the same text whether libclang placed the call (its
            // extent starts at `(` of `(f)(...)` or at `::`) or the tokens did, so the fingerprint is too.
            let snippetRange = o.nameRange.lowerBound..<max(o.nameRange.upperBound, o.callRange?.upperBound ?? 0)
            let snippet = text.text(snippetRange).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
            out.append(Finding(rule: rule.id, ruleName: rule.name, function: o.function, kind: o.kind,
                               severity: rules.severity(of: rule, kind: o.kind), file: file, line: start.line, column: start.column,
                               endLine: end.line, endColumn: end.column, message: rules.message(of: rule, occurrence: o), macro: o.macro,
                               enclosingFunction: o.enclosingFunction, resolution: o.resolution, sourceLine: text.lineText(start.line),
                               snippet: snippet))
            if let note = tests.note(for: o, rule: rule) { out[out.count - 1].notes = [note] }
        }
        if rules.isEnabled(FindingBuilder.unusedSuppressionRule), let meta = rules.rule(id: FindingBuilder.unusedSuppressionRule) {
            for (k, s) in suppressions.enumerated() where !used[k] {
                // A suppression naming only rules that are not selected is not stale.
                if !s.rules.isEmpty && !s.rules.contains(where: { sel in rules.enabled.contains { $0.matches(selector: sel) } }) { continue }
                out.append(Finding(rule: meta.id, ruleName: meta.name, function: "", kind: .reference, severity: meta.severity, file: file,
                                   line: s.line, column: s.column, endLine: s.line, endColumn: s.column + 10, message: meta.message,
                                   sourceLine: text.lineText(s.line), snippet: "bufferlint: ignore"))
            }
        }
        return out
    }
}

extension Baseline {
    /// The name offsets of the occurrences whose findings (of one file, in any order) this baseline accepts.
    func acceptedUses(_ findings: [Finding], occurrences: [Occurrence], text: SourceText) -> Set<Int> {
        let sorted = findings.sorted(by: Finding.reportOrder)
        let known = Set(entries)
        let accepted = zip(sorted, Fingerprint.of(sorted)).filter { known.contains($0.1) }
            .map { "\($0.0.line):\($0.0.column):\($0.0.function)" }
        guard !accepted.isEmpty else { return [] }
        let keys = Set(accepted)
        return Set(occurrences.filter { o in
            let p = text.position(of: o.nameRange.lowerBound)
            return keys.contains("\(p.line):\(p.column):\(o.function)")
        }.map(\.nameRange.lowerBound))
    }
}
