import BufferLintKit
import Foundation
import XCTest

/// Runs every rule's own examples through the real scanner: triggering ones
/// fire exactly at their `↓` markers, non-triggering ones stay silent, and a
/// triggering one stays silent inside a comment, inside a string literal and
/// after a `bufferlint: ignore[ID]` line.
final class RuleExampleTests: XCTestCase {
    static let marker = "↓"
    static let prelude = "#include <Python.h>\n"

    struct Position: Hashable, CustomStringConvertible {
        var line: Int
        var column: Int
        var description: String { "\(line):\(column)" }
    }

    /// The example without its markers, and the markers' positions (1-based, columns in bytes).
    static func markers(in example: String) -> (String, [Position]) {
        var clean = ""
        var positions: [Position] = []
        for (k, line) in example.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var out = ""
            var rest = Substring(line)
            while let r = rest.range(of: marker) {
                out += rest[..<r.lowerBound]
                positions.append(Position(line: k + 1, column: out.utf8.count + 1))
                rest = rest[r.upperBound...]
            }
            out += rest
            clean += (k == 0 ? "" : "\n") + out
        }
        return (clean, positions)
    }

    var rules: [Rule] = []
    var scratch: ScratchFolder!
    var counter = 0

    override func setUpWithError() throws {
        rules = try RuleLoader.builtIn().filter { $0.kind != .meta }
        scratch = try ScratchFolder("examples")
    }

    func findings(_ source: String) throws -> [Finding] {
        counter += 1
        let name = "example\(counter).c"
        try scratch.write(name, RuleExampleTests.prelude + source)
        return try scratch.lint([name]).findings
    }

    func testMarkersAreReadInBytes() {
        let (clean, at) = RuleExampleTests.markers(in: "a é ↓b\n  ↓c↓d")
        XCTAssertEqual(clean, "a é b\n  cd")
        XCTAssertEqual(at, [Position(line: 1, column: 6), Position(line: 2, column: 3), Position(line: 2, column: 4)])
    }

    func testEveryOldBufferRuleHasExamples() {
        XCTAssertEqual(rules.filter { $0.kind == .oldBuffer }.map(\.id), ["BUF001", "BUF002", "BUF003", "BUF004"])
        for r in rules {
            XCTAssertFalse(r.triggering.isEmpty, "\(r.id) has no triggering example")
            XCTAssertFalse(r.nonTriggering.isEmpty, "\(r.id) has no non-triggering example")
            for e in r.triggering { XCTAssertFalse(RuleExampleTests.markers(in: e).1.isEmpty, "\(r.id): example without a ↓ marker:\n\(e)") }
        }
    }

    func testTriggeringExamplesFireExactlyAtTheirMarkers() throws {
        let offset = 1  // the prelude's line
        for r in rules {
            for example in r.triggering {
                let (clean, expected) = RuleExampleTests.markers(in: example)
                let found = try findings(clean)
                let got = found.filter { $0.rule == r.id }.map { Position(line: $0.line - offset, column: $0.column) }
                XCTAssertEqual(Set(got), Set(expected), "\(r.id): findings at \(got), markers at \(expected) in:\n\(clean)")
                XCTAssertEqual(got.count, expected.count, "\(r.id): duplicate findings in:\n\(clean)")
                XCTAssertEqual(found.filter { $0.rule != r.id }.map(\.rule), [], "\(r.id): other rules fired in:\n\(clean)")
            }
        }
    }

    func testNonTriggeringExamplesStaySilent() throws {
        for r in rules {
            for example in r.nonTriggering {
                let found = try findings(example)
                XCTAssertEqual(found.map { "\($0.line):\($0.column) \($0.rule)" }, [], "\(r.id) non-triggering example fired:\n\(example)")
            }
        }
    }

    func testTriggeringExamplesInACommentStaySilent() throws {
        for r in rules {
            for example in r.triggering {
                let clean = RuleExampleTests.markers(in: example).0
                XCTAssertFalse(clean.contains("*/"), "example closes a comment itself")
                let found = try findings("/*\n\(clean)\n*/\n")
                XCTAssertEqual(found.map(\.rule), [], "\(r.id) fired inside a comment")
                let lineComments = clean.split(separator: "\n").map { "// \($0)" }.joined(separator: "\n")
                XCTAssertEqual(try findings(lineComments + "\n").map(\.rule), [], "\(r.id) fired inside line comments")
            }
        }
    }

    func testTriggeringExamplesInAStringLiteralStaySilent() throws {
        for r in rules {
            for example in r.triggering {
                let clean = RuleExampleTests.markers(in: example).0
                let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    .replacingOccurrences(of: "\n", with: "\\n")
                let found = try findings("static const char *example = \"\(escaped)\";\n")
                XCTAssertEqual(found.map(\.rule), [], "\(r.id) fired inside a string literal")
            }
        }
    }

    func testTriggeringExamplesAfterAnIgnoreLineStaySilent() throws {
        for r in rules {
            for example in r.triggering {
                let (clean, at) = RuleExampleTests.markers(in: example)
                let markerLines = Set(at.map(\.line))
                var lines: [String] = []
                for (k, line) in clean.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    if markerLines.contains(k + 1) { lines.append("// bufferlint: ignore[\(r.id)]") }
                    lines.append(String(line))
                }
                let found = try findings(lines.joined(separator: "\n"))
                XCTAssertEqual(found.map { "\($0.line) \($0.rule)" }, [], "\(r.id) not silenced (or an unused suppression) in:\n\(lines.joined(separator: "\n"))")
                // The same comment naming another rule does not silence it.
                let other = r.id == "BUF001" ? "BUF002" : "BUF001"
                let wrong = try findings(lines.joined(separator: "\n").replacingOccurrences(of: "ignore[\(r.id)]", with: "ignore[\(other)]"))
                XCTAssertEqual(wrong.filter { $0.rule == r.id }.count, at.count, "\(r.id) silenced by an ignore of \(other)")
            }
        }
    }
}

/// Every rule's `corrections` are what `fix` writes: the input with the prelude, fixed with the
/// safe fixes, is the `after` text byte for byte.
final class RuleCorrectionTests: XCTestCase {
    func testCorrectionsAreWhatFixWrites() throws {
        let scratch = try ScratchFolder("corrections")
        var checked = 0
        for rule in try RuleLoader.builtIn() {
            for (k, c) in rule.corrections.enumerated() {
                let name = "\(rule.id)-\(k + 1).c"
                try scratch.write(name, RuleExampleTests.prelude + c.before)
                let report = try scratch.lint([name]) { $0.planFixes = true; $0.keepFixEdits = true; $0.cacheDirectory = nil }
                let plan = try XCTUnwrap(report.fixPlans.first, "\(rule.id): no fix planned for its correction")
                let fixed = try XCTUnwrap(FileFixer.outcome(for: plan, unsafe: false).newContents, "\(rule.id): the correction's input is not changed")
                XCTAssertEqual(SourceText.decode(fixed), RuleExampleTests.prelude + c.after, "\(rule.id) correction \(k + 1)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 4, "each old-buffer rule has a correction")
    }
}
