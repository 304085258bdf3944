import CClang
import Foundation

/// An error libclang reported, where it is.
public struct ClangError: Sendable, Equatable {
    public var message: String
    /// Path of the file it is in ("" when it has no location).
    public var file: String
    public var offset: Int
    public var line: Int
    public var inMainFile: Bool
}

/// One file's libclang translation unit: parsed once, with declarations made up for the names
/// its missing headers would have declared (`DeclarationSynthesis`), and read by detection, the
/// flow checks and fix planning alike. Alive until the last of them is done.
public final class ParsedUnit {
    let unit: CXTranslationUnit
    /// The index the unit was made in, which must outlive it.
    private let parser: ClangParser
    public let path: String
    /// The arguments it was parsed with (the made-up header's `-include` among them).
    public let arguments: [String]
    /// The errors left in the final parse.
    public let errors: [ClangError]
    /// What was made up so that the file parses; empty when it parsed as it is.
    public let synthesis: DeclarationSynthesis
    /// Parses the file took: 1 when nothing had to be made up.
    public let rounds: Int
    /// The parse could not use the precompiled header it was given.
    public let rejectedPrecompiledHeader: Bool
    /// Names of file-scope declarations that still hold an error: a function naming one may have a broken tree.
    public private(set) lazy var brokenDeclarations: Set<String> = computeBrokenDeclarations()
    /// Function bodies of the main file (byte ranges) holding an error.
    private var mainFileErrorOffsets: [Int]

    private init(parser: ClangParser, unit: CXTranslationUnit, path: String, arguments: [String], errors: [ClangError], synthesis: DeclarationSynthesis,
                 rounds: Int, rejected: Bool) {
        self.parser = parser
        self.unit = unit
        self.path = path
        self.arguments = arguments
        self.errors = errors
        self.synthesis = synthesis
        self.rounds = rounds
        rejectedPrecompiledHeader = rejected
        mainFileErrorOffsets = errors.filter(\.inMainFile).map(\.offset).sorted()
    }

    deinit { clang_disposeTranslationUnit(unit) }

    /// The outcome of a parse: a unit, or why there is none.
    public enum Outcome {
        case parsed(ParsedUnit)
        case failed(String)
    }

    static let options = CXTranslationUnit_KeepGoing.rawValue | CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles.rawValue
    /// Parses beyond the first to complete what missing headers left out.
    public static let maximumRounds = 5

    /// Parses `path`; while errors name what a missing header would declare, makes it up and parses
    /// again (at most `maximumRounds` parses). `complete: false` keeps the first parse as it is.
    /// `fragment`: the file does not include Python.h itself (see `DeclarationSynthesis.fragment`).
    /// `given`: files given by their contents rather than read from disk.
    public static func parse(parser: ClangParser, path: String, arguments: [String], complete: Bool = true, fragment: Bool = false,
                             unsaved given: [(path: String, bytes: [UInt8])] = []) -> Outcome {
        var synthesis = DeclarationSynthesis(cplusplus: arguments.contains("c++") || arguments.contains("c++-header"), fragment: fragment)
        var round = 0
        var best: ParsedUnit? = nil
        while true {
            round += 1
            var args = arguments
            var unsaved = given
            if !synthesis.isEmpty {
                args += ["-include", DeclarationSynthesis.headerPath]
                unsaved.append((DeclarationSynthesis.headerPath, Array(synthesis.header().utf8)))
            }
            let (tu, code) = ClangParser.parseTranslationUnit(index: parser.index, path: path, arguments: args, options: options, unsaved: unsaved)
            guard code == CXError_Success, let unit = tu else {
                if let best { return .parsed(best) }
                return .failed(code == CXError_Crashed ? "libclang crashed while parsing" : "libclang could not parse (error \(code.rawValue))")
            }
            let (errors, rejected) = ParsedUnit.errors(of: unit)
            let parsed = ParsedUnit(parser: parser, unit: unit, path: path, arguments: args, errors: errors, synthesis: synthesis, rounds: round, rejected: rejected)
            // A round that made things worse is not kept.
            if let b = best, errors.count > b.errors.count { return .parsed(b) }
            best = parsed
            guard complete, !rejected, !errors.isEmpty, round <= maximumRounds else { return .parsed(parsed) }
            var next = synthesis
            guard next.learn(from: errors, unit: unit, mainFile: path) else { return .parsed(parsed) }
            synthesis = next
        }
    }

    static func errors(of unit: CXTranslationUnit) -> ([ClangError], Bool) {
        var out: [ClangError] = []
        var rejected = false
        for k in 0..<clang_getNumDiagnostics(unit) {
            let diag = clang_getDiagnostic(unit, k)
            defer { clang_disposeDiagnostic(diag) }
            let sev = clang_getDiagnosticSeverity(diag)
            guard sev == CXDiagnostic_Error || sev == CXDiagnostic_Fatal else { continue }
            let message = ClangParser.string(clang_getDiagnosticSpelling(diag))
            if message.contains("precompiled header") || message.contains("PCH file") { rejected = true }
            let loc = clang_getDiagnosticLocation(diag)
            var file: CXFile? = nil
            var line: UInt32 = 0, off: UInt32 = 0
            clang_getSpellingLocation(loc, &file, &line, nil, &off)
            let name = file.map { ClangParser.string(clang_getFileName($0)) } ?? ""
            out.append(ClangError(message: message, file: name, offset: Int(off), line: Int(line), inMainFile: clang_Location_isFromMainFile(loc) != 0))
        }
        return (out, rejected)
    }

    /// The first error inside a byte range of the main file.
    public func firstError(in range: Range<Int>) -> ClangError? {
        var lo = 0, hi = mainFileErrorOffsets.count
        while lo < hi { let mid = (lo + hi) / 2; if mainFileErrorOffsets[mid] < range.lowerBound { lo = mid + 1 } else { hi = mid } }
        guard lo < mainFileErrorOffsets.count, mainFileErrorOffsets[lo] < range.upperBound else { return nil }
        let offset = mainFileErrorOffsets[lo]
        return errors.first { $0.inMainFile && $0.offset == offset }
    }

    /// Why the tree of the function over `range` cannot be trusted, or nil when it can: an error in it,
    /// or a use of a file-scope declaration that holds one (libclang drops or changes such a declaration
    /// and stays silent about its uses).
    public func brokenReason(range: Range<Int>, lexed: LexedFile) -> String? {
        if let e = firstError(in: range) { return "line \(e.line): \(e.message)" }
        // Nearly always empty: the function's names are read only when some declaration is broken.
        let broken = brokenDeclarations
        guard !broken.isEmpty else { return nil }
        if let name = lexed.identifiers(in: range).first(where: { broken.contains($0) }) { return "it uses `\(name)`, whose declaration does not parse" }
        return nil
    }

    /// Errors outside the main file's function bodies: the names of the declarations that hold them.
    private func computeBrokenDeclarations() -> Set<String> {
        var out = Set<String>()
        for e in errors where !e.message.hasSuffix("file not found") {
            guard let file = clang_getFile(unit, e.file) else { continue }
            let cursor = clang_getCursor(unit, clang_getLocationForOffset(unit, file, UInt32(e.offset)))
            guard let decl = TreeVisitor.outermostDeclaration(cursor) else { continue }
            // The declaration holding the error is in the error's file (not one the cursor refers to).
            var declFile: CXFile? = nil
            clang_getSpellingLocation(clang_getCursorLocation(decl), &declFile, nil, nil, nil)
            guard let declFile, clang_File_isEqual(declFile, file) != 0 else { continue }
            let kind = clang_getCursorKind(decl)
            // An error in a function body breaks that function only; its own check finds it.
            if FunctionTreeBuilder.kind(of: kind) == .function && clang_isCursorDefinition(decl) != 0 { continue }
            let name = ClangParser.string(clang_getCursorSpelling(decl))
            if !name.isEmpty { out.insert(name) }
            // The fields and constants a broken type declares.
            for child in ParsedUnit.children(decl) where [CXCursor_FieldDecl, CXCursor_EnumConstantDecl].contains(clang_getCursorKind(child)) {
                let n = ClangParser.string(clang_getCursorSpelling(child))
                if !n.isEmpty { out.insert(n) }
            }
        }
        return out
    }

    // MARK: - Reading the tree

    final class CursorList { var items: [CXCursor] = [] }

    /// A cursor's children.
    static func children(_ c: CXCursor) -> [CXCursor] {
        let list = CursorList()
        clang_visitChildren(c, { cursor, _, data in
            Unmanaged<CursorList>.fromOpaque(data!).takeUnretainedValue().items.append(cursor)
            return CXChildVisit_Continue
        }, Unmanaged.passUnretained(list).toOpaque())
        return list.items
    }

    /// What detection needs: calls, references and function bodies holding the uses at `focus`
    /// (nil: every declaration of the file).
    public func facts(names: Set<String>, focus: [Int]?) -> SyntaxFacts {
        var facts = SyntaxFacts()
        facts.errorCount = errors.count
        facts.rejectedPrecompiledHeader = rejectedPrecompiledHeader
        if let e = errors.first { facts.firstError = "line \(e.line): \(e.message)" }
        let visitor = TreeVisitor(names: names)
        let ctx = Unmanaged.passUnretained(visitor).toOpaque()
        let visitChildren = { (parent: CXCursor) in
            clang_visitChildren(parent, { cursor, _, data in
                let v = Unmanaged<TreeVisitor>.fromOpaque(data!).takeUnretainedValue()
                return v.visit(cursor)
            }, ctx)
        }
        if let focus, let file = clang_getFile(unit, path) {
            // Only the declarations that hold a use: walking every top-level declaration
            // would read all of Python.h back from the precompiled header.
            for decl in TreeVisitor.declarations(holding: focus, unit: unit, file: file) {
                _ = visitor.visit(decl)
                visitChildren(decl)
            }
        } else {
            visitChildren(clang_getTranslationUnitCursor(unit))
        }
        facts.references = visitor.references
        facts.calls = visitor.calls
        facts.functions = visitor.functions
        return facts
    }

    /// The trees of the function definitions holding `offsets`, for the fix planners.
    public func functionTree(offsets: [Int], lexed: LexedFile) -> FunctionTree {
        FunctionTree.build(unit: unit, path: path, offsets: offsets, lexed: lexed, parsed: self)
    }
}

/// A file's parse, made the first time a stage asks for it and then shared.
final class LazyUnit {
    private let make: () -> ParsedUnit.Outcome
    private var outcome: ParsedUnit.Outcome?
    /// Why there is no parse (set when there is none).
    let unavailable: String?

    /// `unavailable`: why the file is not parsed at all (no libclang, the include gate); nil when it may be.
    init(unavailable: String?, make: @escaping () -> ParsedUnit.Outcome) {
        self.unavailable = unavailable
        self.make = make
    }

    var wasParsed: Bool { outcome != nil }

    func get() -> ParsedUnit? {
        guard unavailable == nil else { return nil }
        if outcome == nil { outcome = make() }
        if case .parsed(let unit)? = outcome { return unit }
        return nil
    }

    /// Why `get()` gives nothing.
    var failure: String {
        if let unavailable { return unavailable }
        if case .failed(let why)? = outcome { return why }
        return "not parsed"
    }
}
