import BufferLintKit
import XCTest

final class SuppressionTests: XCTestCase {
    func suppressions(_ source: String) -> [Suppression] {
        Suppression.find(in: Lexer.lex(SourceText(source)))
    }

    func testTrailingCommentCoversItsLineOnly() throws {
        let rule = try XCTUnwrap(RuleLoader.builtIn().first { $0.id == "BUF002" })
        let s = suppressions("int a = f(); // bufferlint: ignore[BUF002]\nint b = g();\n")
        XCTAssertEqual(s.count, 1)
        XCTAssertTrue(s[0].isTrailing)
        XCTAssertTrue(s[0].covers(rule: rule, line: 1))
        XCTAssertFalse(s[0].covers(rule: rule, line: 2))
    }

    func testCommentOnItsOwnLinesCoversThemAndTheNext() throws {
        let rule = try XCTUnwrap(RuleLoader.builtIn().first { $0.id == "BUF002" })
        let s = suppressions("int a;\n  /* why:\n     bufferlint: ignore[as-read-buffer] */\nint b = g();\nint c;\n")
        XCTAssertEqual(s.map(\.line), [3])
        XCTAssertFalse(s[0].isTrailing)
        XCTAssertEqual((1...5).map { s[0].covers(rule: rule, line: $0) }, [false, false, true, true, false])
    }

    func testRuleListsAndFileScope() throws {
        let rules = try RuleLoader.builtIn()
        let buf1 = try XCTUnwrap(rules.first { $0.id == "BUF001" })
        let buf4 = try XCTUnwrap(rules.first { $0.id == "BUF004" })
        let s = suppressions("// bufferlint: ignore-file[BUF004]\n// bufferlint: ignore\nx;\n// bufferlint: ignore[BUF002, check-read-buffer]\n")
        XCTAssertEqual(s.map(\.rules), [["BUF004"], [], ["BUF002", "check-read-buffer"]])
        XCTAssertTrue(s[0].covers(rule: buf4, line: 900))
        XCTAssertFalse(s[0].covers(rule: buf1, line: 1))
        XCTAssertTrue(s[1].covers(rule: buf1, line: 3))
        XCTAssertTrue(s[2].covers(rule: buf4, line: 5))
        XCTAssertFalse(s[2].covers(rule: buf1, line: 5))
    }

    func testStringsAreNotSuppressions() {
        XCTAssertEqual(suppressions("const char *s = \"// bufferlint: ignore\";\n").count, 0)
    }
}
