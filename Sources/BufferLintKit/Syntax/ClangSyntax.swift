import CClang
import Foundation

/// What libclang's syntax tree says about one file: where the watched names
/// are called or referenced, and which function bodies contain them.
public struct SyntaxFacts: Sendable {
    public struct Call: Sendable { public let name: String; public let range: Range<Int> }
    /// Offsets of name tokens that the tree shows as `DeclRefExpr`s of a watched name.
    public var references: [Int: String] = [:]
    public var calls: [Call] = []
    public var functions: [FunctionSpan] = []
    public var errorCount = 0
    /// The first error, as "line: message", to name the cause in a one-line notice.
    public var firstError: String?
    public var failure: String?
    /// The parse could not use the precompiled header it was given: parse again without.
    public var rejectedPrecompiledHeader = false
}

/// One libclang index, used by one thread at a time.
public final class ClangParser: @unchecked Sendable {
    let index: CXIndex

    public init() {
        index = clang_createIndex(0, 0)
    }

    deinit { clang_disposeIndex(index) }

    /// The one place that hands Swift strings to libclang as arguments and parses.
    /// `unsaved`: files given by their contents (path, bytes), such as the made-up declarations.
    static func parseTranslationUnit(index: CXIndex?, path: String, arguments: [String], options: UInt32,
                                     unsaved: [(path: String, bytes: [UInt8])] = []) -> (CXTranslationUnit?, CXErrorCode) {
        var tu: CXTranslationUnit? = nil
        let args = arguments.map { strdup($0) }
        let names = unsaved.map { strdup($0.path) }
        let texts: [UnsafeMutablePointer<CChar>] = unsaved.map { u in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: u.bytes.count + 1)
            u.bytes.withUnsafeBufferPointer { b in b.withMemoryRebound(to: CChar.self) { if let base = $0.baseAddress { p.update(from: base, count: u.bytes.count) } } }
            p[u.bytes.count] = 0
            return p
        }
        defer {
            (args + names).forEach { free($0) }
            texts.forEach { $0.deallocate() }
        }
        var cargs: [UnsafePointer<CChar>?] = args.map { UnsafePointer($0) }
        var files = unsaved.indices.map { k in
            CXUnsavedFile(Filename: UnsafePointer(names[k]), Contents: UnsafePointer(texts[k]), Length: UInt(unsaved[k].bytes.count))
        }
        let code = cargs.withUnsafeMutableBufferPointer { buf in
            files.withUnsafeMutableBufferPointer { f in
                clang_parseTranslationUnit2(index, path, buf.baseAddress, Int32(buf.count), f.baseAddress, UInt32(f.count), options, &tu)
            }
        }
        return (tu, code)
    }

    /// Parses a header and saves it as a precompiled header; false when either step fails.
    public func savePrecompiledHeader(source: String, arguments: [String], to output: String) -> Bool {
        let options = CXTranslationUnit_ForSerialization.rawValue | CXTranslationUnit_Incomplete.rawValue
        let (tu, code) = ClangParser.parseTranslationUnit(index: index, path: source, arguments: arguments, options: options)
        guard code == CXError_Success, let unit = tu else { return false }
        defer { clang_disposeTranslationUnit(unit) }
        for k in 0..<clang_getNumDiagnostics(unit) {
            let diag = clang_getDiagnostic(unit, k)
            let sev = clang_getDiagnosticSeverity(diag)
            clang_disposeDiagnostic(diag)
            if sev == CXDiagnostic_Error || sev == CXDiagnostic_Fatal { return false }
        }
        return clang_saveTranslationUnit(unit, output, 0) == 0
    }

    /// Parses a file once, completing what missing headers left out (see `ParsedUnit`).
    /// `unsaved`: files given by their contents rather than read from disk (the C of a SWIG interface,
    /// the part of a unity build that comes before a fragment).
    public func parse(path: String, arguments: [String], complete: Bool = true, fragment: Bool = false,
                      unsaved: [(path: String, bytes: [UInt8])] = []) -> ParsedUnit.Outcome {
        ParsedUnit.parse(parser: self, path: path, arguments: arguments, complete: complete, fragment: fragment, unsaved: unsaved)
    }

    static func string(_ s: CXString) -> String {
        defer { clang_disposeString(s) }
        guard let c = clang_getCString(s) else { return "" }
        return String(cString: c)
    }
}

/// Collects calls, references and function bodies of the main file.
final class TreeVisitor {
    let names: Set<String>
    var references: [Int: String] = [:]
    var calls: [SyntaxFacts.Call] = []
    var functions: [FunctionSpan] = []

    init(names: Set<String>) { self.names = names }

    static func offset(_ loc: CXSourceLocation) -> Int {
        var off: UInt32 = 0
        clang_getSpellingLocation(loc, nil, nil, nil, &off)
        return Int(off)
    }

    /// The outermost declarations holding the given offsets, each once.
    static func declarations(holding offsets: [Int], unit: CXTranslationUnit, file: CXFile) -> [CXCursor] {
        var seen = Set<UInt32>()
        var out: [CXCursor] = []
        for offset in offsets {
            let cursor = clang_getCursor(unit, clang_getLocationForOffset(unit, file, UInt32(offset)))
            guard let decl = outermostDeclaration(cursor), seen.insert(clang_hashCursor(decl)).inserted else { continue }
            out.append(decl)
        }
        return out
    }

    /// The declaration at file scope (or directly in a namespace or class) that holds a cursor.
    static func outermostDeclaration(_ cursor: CXCursor) -> CXCursor? {
        var c = cursor
        if clang_Cursor_isNull(c) != 0 || clang_isInvalid(clang_getCursorKind(c)) != 0 { return nil }
        if clang_isDeclaration(clang_getCursorKind(c)) == 0 {
            c = clang_getCursorSemanticParent(c)
            if clang_Cursor_isNull(c) != 0 || clang_isInvalid(clang_getCursorKind(c)) != 0 { return nil }
        }
        for _ in 0..<64 {
            let parent = clang_getCursorSemanticParent(c)
            let kind = clang_getCursorKind(parent)
            if clang_Cursor_isNull(parent) != 0 || kind == CXCursor_TranslationUnit || kind == CXCursor_Namespace
                || kind == CXCursor_ClassDecl || kind == CXCursor_StructDecl || kind == CXCursor_LinkageSpec
                || kind == CXCursor_ClassTemplate || clang_isInvalid(kind) != 0 {
                return c
            }
            c = parent
        }
        return c
    }

    /// The name of a call's callee written in parentheses: the first child, through
    /// parentheses and implicit conversions, down to its `DeclRefExpr`.
    static func calleeName(_ call: CXCursor) -> String {
        var current = firstChild(of: call)
        for _ in 0..<8 {
            let kind = clang_getCursorKind(current)
            if kind == CXCursor_DeclRefExpr { return ClangParser.string(clang_getCursorSpelling(current)) }
            guard kind == CXCursor_ParenExpr || kind == CXCursor_UnexposedExpr else { return "" }
            let inner = firstChild(of: current)
            if clang_Cursor_isNull(inner) != 0 { return "" }
            current = inner
        }
        return ""
    }

    /// A cursor's first child (the null cursor when it has none).
    static func firstChild(of cursor: CXCursor) -> CXCursor {
        var found = clang_getNullCursor()
        withUnsafeMutablePointer(to: &found) { ptr in
            _ = clang_visitChildren(cursor, { child, _, data in
                data!.assumingMemoryBound(to: CXCursor.self).pointee = child
                return CXChildVisit_Break
            }, ptr)
        }
        return found
    }

    func visit(_ cursor: CXCursor) -> CXChildVisitResult {
        let loc = clang_getCursorLocation(cursor)
        // Declarations from headers (Python's included) are not the project's code.
        if clang_Location_isFromMainFile(loc) == 0 {
            return CXChildVisit_Continue
        }
        let kind = clang_getCursorKind(cursor)
        switch kind {
        case CXCursor_DeclRefExpr:
            let name = ClangParser.string(clang_getCursorSpelling(cursor))
            if names.contains(name) {
                references[TreeVisitor.offset(loc)] = name
            }
        case CXCursor_CallExpr:
            var name = ClangParser.string(clang_getCursorSpelling(cursor))
            // `(PyObject_AsReadBuffer)(...)`: the call has no spelling, its callee does.
            if name.isEmpty { name = TreeVisitor.calleeName(cursor) }
            if names.contains(name) {
                let ext = clang_getCursorExtent(cursor)
                let s = TreeVisitor.offset(clang_getRangeStart(ext))
                let e = TreeVisitor.offset(clang_getRangeEnd(ext))
                calls.append(.init(name: name, range: s..<max(s, e)))
            }
        case CXCursor_FunctionDecl, CXCursor_CXXMethod, CXCursor_Constructor, CXCursor_Destructor, CXCursor_FunctionTemplate, CXCursor_ConversionFunction:
            if clang_isCursorDefinition(cursor) != 0 {
                let ext = clang_getCursorExtent(cursor)
                let s = TreeVisitor.offset(clang_getRangeStart(ext))
                let e = TreeVisitor.offset(clang_getRangeEnd(ext))
                if e > s { functions.append(FunctionSpan(name: ClangParser.string(clang_getCursorSpelling(cursor)), bodyRange: s..<e)) }
            }
        default:
            break
        }
        return CXChildVisit_Recurse
    }
}
