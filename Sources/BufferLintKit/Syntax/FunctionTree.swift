import CClang
import Foundation

/// The syntax tree of the function definitions that contain given offsets, as plain values:
/// what the scoped rewrite needs to see statements, exits and the uses of a variable.
public struct FunctionTree: Sendable {
    public enum Kind: Sendable, Equatable {
        case function, compound, ifStmt, forStmt, whileStmt, doStmt, switchStmt, caseStmt, defaultStmt, labelStmt
        case returnStmt, gotoStmt, indirectGoto, declStmt, varDecl, parmDecl, callExpr, declRef, memberRef
        case paren, unexposed, cast, unary, binary, compoundAssign, conditional, arraySubscript, literal
        case lambda, throwExpr, tryStmt, other
    }

    public struct Node: Sendable {
        public var kind: Kind
        public var spelling: String
        /// File offsets where the code is written (a macro's use for code from a macro).
        public var range: Range<Int>
        /// Offset of the cursor's own location (a declaration's name).
        public var location: Int
        /// Part of a macro expansion (or of a macro's argument).
        public var inMacro: Bool
        public var parent: Int?
        public var children: [Int] = []
        /// For a variable or function: its type (a function's result type).
        public var typeSpelling: String = ""
        public var isStatic = false
        /// For a reference: the offset of the declaration it names, when in this file.
        public var declarationOffset: Int?
    }

    public var nodes: [Node] = []
    /// Indices of the `.function` nodes.
    public var functions: [Int] = []

    public func children(_ i: Int) -> [Node] { nodes[i].children.map { nodes[$0] } }

    public func ancestors(of i: Int) -> [Int] {
        var out: [Int] = []
        var k = nodes[i].parent
        while let p = k { out.append(p); k = nodes[p].parent }
        return out
    }

    /// Every node under `i`, `i` included, in source order.
    public func descendants(of i: Int) -> [Int] {
        var out = [i]
        var k = 0
        while k < out.count { out += nodes[out[k]].children; k += 1 }
        return out.sorted { (nodes[$0].range.lowerBound, $0) < (nodes[$1].range.lowerBound, $1) }
    }

    /// Functions (node indices) whose tree cannot be trusted, with the reason (an error in them, or
    /// a use of a declaration that does not parse).
    public var broken: [Int: String] = [:]
    /// How many of the kept functions are broken: a tree with any may miss statements.
    public var errorCount: Int { broken.count }

    /// Parses `path` (completing what missing headers left out) and keeps the functions whose extent
    /// contains one of `offsets`.
    public static func build(path: String, arguments: [String], offsets: [Int], lexed: LexedFile) -> FunctionTree? {
        guard case .parsed(let unit) = ClangParser().parse(path: path, arguments: arguments) else { return nil }
        return unit.functionTree(offsets: offsets, lexed: lexed)
    }

    /// The functions of a parsed unit whose extent contains one of `offsets`.
    static func build(unit: CXTranslationUnit, path: String, offsets: [Int], lexed: LexedFile, parsed: ParsedUnit) -> FunctionTree {
        let builder = FunctionTreeBuilder(offsets: offsets, lexed: lexed)
        builder.mainFile = clang_getFile(unit, path)
        if let file = builder.mainFile, !offsets.isEmpty {
            // Only the declarations holding the offsets: walking every top-level declaration would
            // read all of Python.h back from a precompiled header.
            for decl in TreeVisitor.declarations(holding: offsets, unit: unit, file: file) { builder.visit(decl) }
        } else {
            FunctionTreeBuilder.visitChildren(clang_getTranslationUnitCursor(unit), builder)
        }
        var tree = builder.tree
        for fn in tree.functions {
            let range = tree.nodes[fn].range
            if let why = parsed.brokenReason(range: range, lexed: lexed) { tree.broken[fn] = why }
        }
        return tree
    }
}

final class FunctionTreeBuilder {
    let offsets: [Int]
    let lexed: LexedFile
    var tree = FunctionTree()
    var stack: [Int] = []
    var mainFile: CXFile?

    init(offsets: [Int], lexed: LexedFile) {
        self.offsets = offsets
        self.lexed = lexed
    }

    static func visitChildren(_ cursor: CXCursor, _ builder: FunctionTreeBuilder) {
        let data = Unmanaged.passUnretained(builder).toOpaque()
        clang_visitChildren(cursor, { c, _, d in
            let b = Unmanaged<FunctionTreeBuilder>.fromOpaque(d!).takeUnretainedValue()
            b.visit(c)
            return CXChildVisit_Continue
        }, data)
    }

    static func expansionOffset(_ loc: CXSourceLocation) -> Int {
        var off: UInt32 = 0
        clang_getExpansionLocation(loc, nil, nil, nil, &off)
        return Int(off)
    }

    static func spellingOffset(_ loc: CXSourceLocation) -> (CXFile?, Int) {
        var off: UInt32 = 0
        var file: CXFile? = nil
        clang_getSpellingLocation(loc, &file, nil, nil, &off)
        return (file, Int(off))
    }

    static func kind(of c: CXCursorKind) -> FunctionTree.Kind {
        switch c {
        case CXCursor_FunctionDecl, CXCursor_CXXMethod, CXCursor_Constructor, CXCursor_Destructor, CXCursor_FunctionTemplate, CXCursor_ConversionFunction:
            return .function
        case CXCursor_CompoundStmt: return .compound
        case CXCursor_IfStmt: return .ifStmt
        case CXCursor_ForStmt, CXCursor_CXXForRangeStmt: return .forStmt
        case CXCursor_WhileStmt: return .whileStmt
        case CXCursor_DoStmt: return .doStmt
        case CXCursor_SwitchStmt: return .switchStmt
        case CXCursor_CaseStmt: return .caseStmt
        case CXCursor_DefaultStmt: return .defaultStmt
        case CXCursor_LabelStmt: return .labelStmt
        case CXCursor_ReturnStmt: return .returnStmt
        case CXCursor_GotoStmt: return .gotoStmt
        case CXCursor_IndirectGotoStmt: return .indirectGoto
        case CXCursor_DeclStmt: return .declStmt
        case CXCursor_VarDecl: return .varDecl
        case CXCursor_ParmDecl: return .parmDecl
        case CXCursor_CallExpr: return .callExpr
        case CXCursor_DeclRefExpr: return .declRef
        case CXCursor_MemberRefExpr: return .memberRef
        case CXCursor_ParenExpr: return .paren
        case CXCursor_UnexposedExpr: return .unexposed
        case CXCursor_CStyleCastExpr, CXCursor_CXXStaticCastExpr, CXCursor_CXXConstCastExpr, CXCursor_CXXReinterpretCastExpr, CXCursor_CXXFunctionalCastExpr:
            return .cast
        case CXCursor_UnaryOperator: return .unary
        case CXCursor_BinaryOperator: return .binary
        case CXCursor_CompoundAssignOperator: return .compoundAssign
        case CXCursor_ConditionalOperator: return .conditional
        case CXCursor_ArraySubscriptExpr: return .arraySubscript
        case CXCursor_IntegerLiteral, CXCursor_StringLiteral, CXCursor_CharacterLiteral, CXCursor_FloatingLiteral, CXCursor_CXXNullPtrLiteralExpr:
            return .literal
        case CXCursor_LambdaExpr: return .lambda
        case CXCursor_CXXThrowExpr: return .throwExpr
        case CXCursor_CXXTryStmt: return .tryStmt
        default: return .other
        }
    }

    /// The end of the token that covers `offset - 1`, so a range ends after its last token.
    func tokenEnd(after start: Int, _ end: Int) -> Int {
        let probe = max(start, end - 1)
        var lo = 0, hi = lexed.tokens.count - 1, found: Int? = nil
        while lo <= hi {
            let mid = (lo + hi) / 2
            if lexed.tokens[mid].start <= probe { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        if let f = found, lexed.tokens[f].end > probe { return max(end, lexed.tokens[f].end) }
        return max(end, start)
    }

    func firstToken(at offset: Int) -> String? {
        var lo = 0, hi = lexed.tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lexed.tokens[mid].start < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo < lexed.tokens.count && lexed.tokens[lo].start == offset ? lexed.spelling(at: lo) : nil
    }

    func visit(_ c: CXCursor) {
        let loc = clang_getCursorLocation(c)
        // Code expanded from a macro used in this file counts as this file's (its location is the macro's use).
        var file: CXFile? = nil
        clang_getExpansionLocation(loc, &file, nil, nil, nil)
        guard let file, let main = mainFile, clang_File_isEqual(file, main) != 0 else { return }
        let ck = clang_getCursorKind(c)
        let kind = FunctionTreeBuilder.kind(of: ck)
        let ext = clang_getCursorExtent(c)
        let start = FunctionTreeBuilder.expansionOffset(clang_getRangeStart(ext))
        let rawEnd = FunctionTreeBuilder.expansionOffset(clang_getRangeEnd(ext))
        let end = tokenEnd(after: start, rawEnd)
        if stack.isEmpty {
            // Outside functions: look only for definitions holding an offset (and into namespaces and classes).
            if kind == .function {
                guard clang_isCursorDefinition(c) != 0, offsets.contains(where: { start <= $0 && $0 < end }) else { return }
            } else {
                FunctionTreeBuilder.visitChildren(c, self)
                return
            }
        }
        let (spFile, spOff) = FunctionTreeBuilder.spellingOffset(clang_getRangeStart(ext))
        // libclang may give a macro's use as the spelling of code from its body: the token written there tells.
        let written = firstToken(at: start)
        let keyword: String? = [.returnStmt: "return", .gotoStmt: "goto", .ifStmt: "if", .forStmt: "for", .whileStmt: "while", .doStmt: "do", .switchStmt: "switch"][kind]
        let spelled = ClangSyntaxText.string(clang_getCursorSpelling(c))
        let mismatch = (keyword.map { $0 != written } ?? false) || (kind == .declRef && written != spelled)
        let inMacro = mismatch || spFile == nil || spOff != start || clang_isMacroLikeLocation(clang_getRangeStart(ext))
        var node = FunctionTree.Node(kind: kind, spelling: ClangSyntaxText.string(clang_getCursorSpelling(c)),
                                     range: start..<max(start, end), location: FunctionTreeBuilder.expansionOffset(loc), inMacro: inMacro, parent: stack.last)
        switch kind {
        case .function:
            node.typeSpelling = ClangSyntaxText.string(clang_getTypeSpelling(clang_getResultType(clang_getCursorType(c))))
        case .varDecl, .parmDecl:
            node.typeSpelling = ClangSyntaxText.string(clang_getTypeSpelling(clang_getCursorType(c)))
            node.isStatic = clang_Cursor_getStorageClass(c) == CX_SC_Static || clang_Cursor_getStorageClass(c) == CX_SC_Extern
        case .declRef:
            let ref = clang_getCursorReferenced(c)
            if clang_Cursor_isNull(ref) == 0 {
                let rl = clang_getCursorLocation(ref)
                if clang_Location_isFromMainFile(rl) != 0 { node.declarationOffset = FunctionTreeBuilder.expansionOffset(rl) }
            }
        default:
            break
        }
        let index = tree.nodes.count
        tree.nodes.append(node)
        if let p = stack.last { tree.nodes[p].children.append(index) } else { tree.functions.append(index) }
        stack.append(index)
        FunctionTreeBuilder.visitChildren(c, self)
        stack.removeLast()
    }
}

/// A macro-like location: the location itself lies in a macro expansion.
func clang_isMacroLikeLocation(_ loc: CXSourceLocation) -> Bool {
    var eFile: CXFile? = nil, sFile: CXFile? = nil
    var eOff: UInt32 = 0, sOff: UInt32 = 0
    clang_getExpansionLocation(loc, &eFile, nil, nil, &eOff)
    clang_getSpellingLocation(loc, &sFile, nil, nil, &sOff)
    if eOff != sOff { return true }
    if let e = eFile, let s = sFile { return clang_File_isEqual(e, s) == 0 }
    return false
}

enum ClangSyntaxText {
    static func string(_ s: CXString) -> String {
        defer { clang_disposeString(s) }
        guard let c = clang_getCString(s) else { return "" }
        return String(cString: c)
    }
}
