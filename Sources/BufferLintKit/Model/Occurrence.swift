/// What kind of use of a watched name an occurrence is.
public enum OccurrenceKind: String, Sendable, Codable, CaseIterable {
    case call
    case reference
    case macroDefinition = "macro-definition"
    case macroExpansion = "macro-expansion"
    case inactive
    case guarded
    case declaration
    /// A project's own macro or function with the same name as a removed API.
    case shadowing
    case wrapperCall = "wrapper-call"
}

/// Where the kind of an occurrence was decided.
public enum Resolution: String, Sendable, Codable {
    /// Confirmed by libclang's syntax tree.
    case syntaxTree = "syntax-tree"
    /// Classified from tokens: the syntax tree was missing or did not cover this use.
    case tokens
}

/// One use of a watched name in a file, before rules give it a severity and message.
public struct Occurrence: Sendable, Equatable {
    public var function: String
    public var kind: OccurrenceKind
    /// Byte range of the name token (for a macro expansion, of the macro name).
    public var nameRange: Range<Int>
    /// Byte range of the whole call, from the name to the closing parenthesis.
    public var callRange: Range<Int>?
    public var macro: String?
    /// A Cython name the function is declared under (`int alias "PyObject_AsWriteBuffer"(...)`).
    public var alias: String?
    public var enclosingFunction: String?
    /// For inactive and guarded uses: the directive that excludes the branch.
    public var guardLine: Int?
    public var guardText: String?
    public var resolution: Resolution

    public init(function: String, kind: OccurrenceKind, nameRange: Range<Int>, callRange: Range<Int>? = nil,
                macro: String? = nil, enclosingFunction: String? = nil, guardLine: Int? = nil,
                guardText: String? = nil, resolution: Resolution = .tokens) {
        self.function = function
        self.kind = kind
        self.nameRange = nameRange
        self.callRange = callRange
        self.macro = macro
        self.enclosingFunction = enclosingFunction
        self.guardLine = guardLine
        self.guardText = guardText
        self.resolution = resolution
    }
}
