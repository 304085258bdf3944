import CClang
import Foundation

/// One node of a function body, copied out of libclang's tree. The cursor stays
/// valid while the translation unit is alive, which is the whole analysis.
final class SyntaxNode {
    let id: Int
    let cursor: CXCursor
    let kind: CXCursorKind
    /// Byte range in the main file (macro expansions sit at the macro's use).
    let range: Range<Int>
    var children: [SyntaxNode] = []

    init(id: Int, cursor: CXCursor, range: Range<Int>) {
        self.id = id
        self.cursor = cursor
        kind = clang_getCursorKind(cursor)
        self.range = range
    }

    /// Callee name of a call, name of a variable, member, label or declaration.
    lazy var spelling: String = ClangParser.string(clang_getCursorSpelling(cursor))
    /// The canonical type, e.g. `struct bufferinfo`, `struct bufferinfo [4]`, `int`.
    lazy var canonicalType: String = ClangParser.string(clang_getTypeSpelling(clang_getCanonicalType(clang_getCursorType(cursor))))
    /// The type is `Py_buffer`, a pointer to one or an array of them.
    lazy var mentionsView: Bool = canonicalType.contains("bufferinfo") || canonicalType.contains("Py_buffer")
    lazy var isPointerType: Bool = canonicalType.utf8.last == UInt8(ascii: "*")
    lazy var isArrayType: Bool = canonicalType.utf8.contains(UInt8(ascii: "["))
    lazy var typeSpelling: String = ClangParser.string(clang_getTypeSpelling(clang_getCursorType(cursor)))

    var isCall: Bool { kind == CXCursor_CallExpr }
    func child(_ k: Int) -> SyntaxNode? { k < children.count ? children[k] : nil }

    /// Call arguments (the first child of a call is the callee).
    var arguments: [SyntaxNode] {
        let n = Int(clang_Cursor_getNumArguments(cursor))
        guard n > 0, children.count >= n else { return [] }
        return Array(children.suffix(n))
    }

    /// The node without parentheses and implicit conversions.
    var stripped: SyntaxNode {
        var n = self
        while (n.kind == CXCursor_ParenExpr || n.kind == CXCursor_UnexposedExpr || n.kind == CXCursor_CStyleCastExpr
               || n.kind == CXCursor_CXXStaticCastExpr || n.kind == CXCursor_CXXReinterpretCastExpr || n.kind == CXCursor_CXXConstCastExpr
               || n.kind == CXCursor_CXXFunctionalCastExpr), let c = n.children.last {
            n = c
        }
        return n
    }

    /// The declaration a reference names.
    var referenced: CXCursor { clang_getCursorReferenced(cursor) }

    func walk(_ body: (SyntaxNode) -> Void) {
        body(self)
        for c in children { c.walk(body) }
    }

    func contains(where test: (SyntaxNode) -> Bool) -> Bool {
        if test(self) { return true }
        return children.contains { $0.contains(where: test) }
    }
}

struct FlowToken {
    var offset: Int
    var end: Int
    var kind: CXTokenKind
    var spelling: String
}

/// A function definition ready for analysis: its tree and its source tokens.
final class FunctionBody {
    let name: String
    let root: SyntaxNode
    let body: SyntaxNode
    let tokens: [FlowToken]
    let returnsVoid: Bool
    /// The translation unit, alive as long as the analysis: it spells the operators written inside macro definitions.
    let unit: CXTranslationUnit?

    init(name: String, root: SyntaxNode, body: SyntaxNode, tokens: [FlowToken], returnsVoid: Bool, unit: CXTranslationUnit? = nil) {
        self.name = name
        self.root = root
        self.body = body
        self.tokens = tokens
        self.returnsVoid = returnsVoid
        self.unit = unit
    }

    /// Index of the first token at or after `offset`.
    func tokenIndex(atOrAfter offset: Int) -> Int {
        var lo = 0, hi = tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tokens[mid].offset < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The tokens inside a byte range.
    func tokens(in range: Range<Int>) -> ArraySlice<FlowToken> {
        let a = tokenIndex(atOrAfter: range.lowerBound)
        var b = a
        while b < tokens.count && tokens[b].offset < range.upperBound { b += 1 }
        return tokens[a..<b]
    }

    var binaryOperators: [Int: String?] = [:]
    var unaryOperators: [Int: (op: String, prefix: Bool)?] = [:]

    /// The operator of a binary or compound-assignment node: the first punctuation token after its left
    /// operand, or when the operator is written in a macro's definition, the token there (`spelledOperator`);
    /// nil when neither finds it.
    func binaryOperator(_ n: SyntaxNode) -> String? {
        if let known = binaryOperators[n.id] { return known }
        var op: String? = nil
        if n.children.count == 2 {
            let lhs = n.children[0], rhs = n.children[1]
            if lhs.range.upperBound < rhs.range.lowerBound {
                op = tokens(in: lhs.range.upperBound..<rhs.range.lowerBound)
                    .first(where: { $0.kind == CXToken_Punctuation && $0.spelling != ")" && $0.spelling != "]" })?.spelling
            }
            if op == nil { op = spelledOperator(n) }
        }
        binaryOperators[n.id] = op
        return op
    }

    /// The operator of a unary node and whether it comes first (`!x`, `*p`, `&v`, `++i`) or last (`i++`);
    /// nil inside a macro expansion.
    func unaryOperator(_ n: SyntaxNode) -> (op: String, prefix: Bool)? {
        if let known = unaryOperators[n.id] { return known }
        var result: (op: String, prefix: Bool)? = nil
        if let operand = n.children.first {
            let first = tokenIndex(atOrAfter: n.range.lowerBound)
            if first < tokens.count, tokens[first].offset < operand.range.lowerBound, tokens[first].kind == CXToken_Punctuation,
               ["!", "-", "+", "~", "*", "&", "++", "--"].contains(tokens[first].spelling) {
                result = (tokens[first].spelling, true)
            } else if operand.range.upperBound < n.range.upperBound,
                      let t = tokens(in: operand.range.upperBound..<n.range.upperBound).first(where: { $0.kind == CXToken_Punctuation }),
                      t.spelling == "++" || t.spelling == "--" {
                result = (t.spelling, false)
            }
        }
        unaryOperators[n.id] = result
        return result
    }

    /// `&&` or `||` when `n` is one, also when the operator is written in a macro's definition (`assert`'s
    /// argument keeps its own tokens; `#define OK(r, v) ((r) == 0 && (v)->len)` does not): nil otherwise.
    func logicalOperator(_ n: SyntaxNode) -> String? {
        guard n.kind == CXCursor_BinaryOperator, let op = binaryOperator(n), op == "&&" || op == "||" else { return nil }
        return op
    }

    /// Whether `n` is a prefix `!`, also one written in a macro's definition.
    func isLogicalNot(_ n: SyntaxNode) -> Bool {
        guard n.kind == CXCursor_UnaryOperator, let operand = n.children.first else { return false }
        if let (op, prefix) = unaryOperator(n) { return op == "!" && prefix }
        let start = clang_getRangeStart(clang_getCursorExtent(n.cursor))
        guard clang_equalLocations(start, clang_getRangeStart(clang_getCursorExtent(operand.cursor))) == 0,
              let t = spelledTokens(from: start, to: start).first else { return false }
        return t.spelling == "!"
    }

    /// The operator of a binary node read where its tokens are written: between the start of the left operand
    /// and the start of the right one, in the macro definition when they come from one (libclang lexes a range
    /// of macro locations at their spelling). Only a token that is an operator counts: when the right operand is a
    /// macro argument and the operator is in the definition, the token before it is the call's `(` or `,`.
    func spelledOperator(_ n: SyntaxNode) -> String? {
        guard n.children.count == 2 else { return nil }
        let l = clang_getRangeStart(clang_getCursorExtent(n.children[0].cursor))
        let r = clang_getRangeStart(clang_getCursorExtent(n.children[1].cursor))
        guard let lt = spelledTokens(from: l, to: l).first, let rt = spelledTokens(from: r, to: r).first,
              let lf = lt.file, let rf = rt.file, clang_File_isEqual(lf, rf) != 0,
              lt.offset < rt.offset, rt.offset - lt.offset <= 4096 else { return nil }
        guard let before = spelledTokens(from: l, to: r).last(where: { $0.offset < rt.offset && $0.file.map { clang_File_isEqual($0, rf) != 0 } == true }),
              before.kind == CXToken_Punctuation, !["(", ")", "[", "]", "{", "}", ",", ";"].contains(before.spelling) else { return nil }
        return before.spelling
    }

    /// The tokens libclang lexes from `a` to `b`, at their spelling (inside a macro definition for a macro's own tokens).
    func spelledTokens(from a: CXSourceLocation, to b: CXSourceLocation) -> [(file: CXFile?, offset: Int, kind: CXTokenKind, spelling: String)] {
        guard let unit else { return [] }
        var raw: UnsafeMutablePointer<CXToken>? = nil
        var count: UInt32 = 0
        clang_tokenize(unit, clang_getRange(a, b), &raw, &count)
        guard let raw else { return [] }
        defer { clang_disposeTokens(unit, raw, count) }
        var out: [(file: CXFile?, offset: Int, kind: CXTokenKind, spelling: String)] = []
        for k in 0..<Int(count) {
            let t = raw[k]
            let kind = clang_getTokenKind(t)
            if kind == CXToken_Comment { continue }
            var file: CXFile? = nil
            var off: UInt32 = 0
            clang_getSpellingLocation(clang_getRangeStart(clang_getTokenExtent(unit, t)), &file, nil, nil, &off)
            out.append((file, Int(off), kind, ClangParser.string(clang_getTokenSpelling(unit, t))))
        }
        return out
    }

    /// Whether a member access is written with `->` (or has no written base: `this->`).
    func isArrow(_ member: SyntaxNode) -> Bool {
        guard let base = member.children.first else { return true }
        guard base.range.upperBound < member.range.upperBound else { return base.canonicalType.hasSuffix("*") }
        let between = tokens(in: base.range.upperBound..<member.range.upperBound)
        return between.first(where: { $0.kind == CXToken_Punctuation && $0.spelling != ")" && $0.spelling != "]" })?.spelling == "->"
    }

    /// Source text of a node, whitespace removed: an identity for repeated conditions.
    func compactText(_ n: SyntaxNode) -> String {
        tokens(in: n.range).map(\.spelling).joined(separator: " ")
    }
}

/// Reads a translation unit's main-file function definitions into `FunctionBody` values.
enum FlowSyntax {
    static func children(_ c: CXCursor) -> [CXCursor] { ParsedUnit.children(c) }

    static func offset(_ loc: CXSourceLocation) -> Int {
        var off: UInt32 = 0
        clang_getSpellingLocation(loc, nil, nil, nil, &off)
        return Int(off)
    }

    static func range(_ c: CXCursor) -> Range<Int> {
        let ext = clang_getCursorExtent(c)
        let s = offset(clang_getRangeStart(ext))
        let e = offset(clang_getRangeEnd(ext))
        return s..<max(s, e)
    }

    static let functionKinds: Set<UInt32> = [CXCursor_FunctionDecl.rawValue, CXCursor_CXXMethod.rawValue, CXCursor_Constructor.rawValue,
                                             CXCursor_Destructor.rawValue, CXCursor_FunctionTemplate.rawValue, CXCursor_ConversionFunction.rawValue]
    static let containerKinds: Set<UInt32> = [CXCursor_Namespace.rawValue, CXCursor_StructDecl.rawValue, CXCursor_ClassDecl.rawValue,
                                              CXCursor_ClassTemplate.rawValue, CXCursor_LinkageSpec.rawValue, CXCursor_UnionDecl.rawValue]

    /// Function definitions of the main file, outermost first.
    static func definitions(in unit: CXTranslationUnit) -> [CXCursor] {
        var out: [CXCursor] = []
        func visit(_ parent: CXCursor) {
            for c in children(parent) {
                guard clang_Location_isFromMainFile(clang_getCursorLocation(c)) != 0 else { continue }
                let k = clang_getCursorKind(c).rawValue
                if functionKinds.contains(k) {
                    if clang_isCursorDefinition(c) != 0 { out.append(c) }
                } else if containerKinds.contains(k) {
                    visit(c)
                }
            }
        }
        visit(clang_getTranslationUnitCursor(unit))
        return out
    }

    /// Copies a cursor's subtree; nodes outside the main file (none in a body) keep their offsets.
    static func tree(_ c: CXCursor, next: inout Int) -> SyntaxNode {
        let node = SyntaxNode(id: next, cursor: c, range: range(c))
        next += 1
        for child in children(c) { node.children.append(tree(child, next: &next)) }
        return node
    }

    static func tokens(of c: CXCursor, unit: CXTranslationUnit) -> [FlowToken] {
        var raw: UnsafeMutablePointer<CXToken>? = nil
        var count: UInt32 = 0
        clang_tokenize(unit, clang_getCursorExtent(c), &raw, &count)
        guard let raw else { return [] }
        defer { clang_disposeTokens(unit, raw, count) }
        var out: [FlowToken] = []
        out.reserveCapacity(Int(count))
        for k in 0..<Int(count) {
            let t = raw[k]
            let kind = clang_getTokenKind(t)
            if kind == CXToken_Comment { continue }
            let ext = clang_getTokenExtent(unit, t)
            out.append(FlowToken(offset: offset(clang_getRangeStart(ext)), end: offset(clang_getRangeEnd(ext)), kind: kind,
                                 spelling: ClangParser.string(clang_getTokenSpelling(unit, t))))
        }
        return out
    }

    /// The body of a definition as a `FunctionBody`; nil without a compound body.
    static func function(_ c: CXCursor, unit: CXTranslationUnit) -> FunctionBody? {
        var next = 0
        let root = tree(c, next: &next)
        guard let body = root.children.last(where: { $0.kind == CXCursor_CompoundStmt }) else { return nil }
        let result = clang_getCursorResultType(c)
        let returnsVoid = clang_getCanonicalType(result).kind == CXType_Void
        return FunctionBody(name: root.spelling, root: root, body: body, tokens: tokens(of: c, unit: unit), returnsVoid: returnsVoid, unit: unit)
    }
}

/// What the analysis of one function needs to know about the rest of the file.
struct FileFacts {
    /// Classes whose destructor calls `PyBuffer_Release` (guards): canonical type names.
    var guardTypes: Set<String> = []
    /// Functions defined in this file that release or keep a view they are given.
    var keepingFunctions: Set<String> = []
    /// Functions defined in this file that may throw (a `throw`, or a call of one that may).
    var throwingFunctions: Set<String> = []
    /// Functions defined in this file (calls to others are unknown).
    var definedFunctions: Set<String> = []
}
