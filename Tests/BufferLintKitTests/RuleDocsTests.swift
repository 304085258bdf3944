import BufferLintKit
import Foundation
import XCTest

final class RuleDocsTests: XCTestCase {
    func testCheckedInRulesMarkdownIsCurrent() throws {
        let path = FixturePaths.packageDir.appendingPathComponent("docs/rules.md").path
        let checkedIn = try String(contentsOfFile: path, encoding: .utf8)
        let generated = RuleDocs.markdown(try RuleLoader.builtIn())
        guard checkedIn != generated else { return }
        let a = checkedIn.components(separatedBy: "\n"), b = generated.components(separatedBy: "\n")
        let k = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        XCTFail("docs/rules.md is stale at line \(k + 1): run `bufferlint rules --markdown > docs/rules.md`\n"
            + "  checked in: \(k < a.count ? a[k] : "<end>")\n  generated:  \(k < b.count ? b[k] : "<end>")")
    }

    func testMarkdownHasEverySectionOfEveryRule() throws {
        let rules = try RuleLoader.builtIn()
        let md = RuleDocs.markdown(rules)
        for r in rules {
            XCTAssertTrue(md.contains("\n## \(r.id) \(r.name)\n"), r.id)
            XCTAssertTrue(md.contains("| [\(r.id)](#\(r.id.lowercased())-\(r.name)) |"), r.id)
        }
        for r in rules where r.kind == .oldBuffer {
            let section = md.components(separatedBy: "\n## \(r.id) ")[1].components(separatedBy: "\n## ")[0]
            for title in ["What it does", "Why is this bad", "Example", "Use instead", "Fix safety", "References"] {
                XCTAssertTrue(section.contains("### \(title)\n"), "\(r.id) lacks \(title)")
            }
        }
    }
}
