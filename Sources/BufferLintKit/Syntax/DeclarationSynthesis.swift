import CClang
import Foundation

/// Declarations made up for the names a file uses whose headers are missing (generated, third-party,
/// of another platform), so that libclang gives a complete tree of the functions that matter.
///
/// Each round reads the errors of a parse: an unknown type name becomes a type (a record when the
/// code points to it or reaches into it, an integer otherwise), an undeclared identifier a value of
/// the shape its next token asks for (`->` a pointer to a record, `[` or `*` a pointer, else an
/// integer constant; in C++ a value of a type that converts to anything and can be called), a
/// member of a made-up or incomplete record a field. Only names libclang reports as unknown are
/// declared, so a file that parses is parsed exactly as before.
public struct DeclarationSynthesis: Sendable, Equatable {
    public static let headerPath = "/.bufferlint/made-up-declarations.h"

    /// What a made-up name stands for.
    public enum Shape: Sendable, Equatable {
        case integer
        /// A pointer to a made-up record (by its tag), or to `char` when nil.
        case pointer(String?)
        /// A record by value (its tag).
        case record(String)
        /// A field called as a function.
        case function
    }

    public let cplusplus: Bool
    /// Type names, in the order they were met.
    public private(set) var types: [(name: String, shape: Shape)] = []
    /// Record tags with their fields, in the order they were met.
    public private(set) var records: [(tag: String, fields: [(name: String, shape: Shape)])] = []
    /// Undeclared identifiers.
    public private(set) var values: [(name: String, shape: Shape)] = []
    /// Names written before a declaration's type (`NPY_NO_EXPORT PyObject *f(...)`): attribute macros,
    /// made up as macros that expand to nothing.
    public private(set) var attributes: [String] = []
    /// Names written between string literals: macros spelling a string, made up as an empty one.
    public private(set) var strings: [String] = []
    /// Undeclared identifiers that are assigned or incremented: variables, not constants.
    public private(set) var assigned: Set<String> = []

    /// The file does not include Python.h itself (a part of a unity build, or one that counts on a
    /// missing project header): when Python's names are unknown, Python.h is added.
    public let fragment: Bool
    /// Python.h is included before the made-up declarations.
    public private(set) var includesPython = false

    public init(cplusplus: Bool, fragment: Bool = false) {
        self.cplusplus = cplusplus
        self.fragment = fragment
    }

    public var isEmpty: Bool { types.isEmpty && records.isEmpty && values.isEmpty && attributes.isEmpty && strings.isEmpty && !includesPython }
    /// How many names were made up.
    public var count: Int { types.count + values.count + attributes.count + strings.count + records.reduce(0) { $0 + $1.fields.count } }

    public static func == (a: DeclarationSynthesis, b: DeclarationSynthesis) -> Bool { a.header() == b.header() }

    /// How many names were made up, and whether Python.h was added, in words.
    public var description: String {
        var parts: [String] = []
        if includesPython { parts.append("Python.h included") }
        if count > 0 { parts.append("\(count) declaration\(count == 1 ? "" : "s") made up") }
        return parts.joined(separator: ", ")
    }

    static let prefix = "bufferlint_made_up_"

    // MARK: - The header

    public func header() -> String {
        var out = "/* Declarations bufferlint made up for names whose headers were not found. */\n"
        if includesPython { out += "#include <Python.h>\n" }
        for a in attributes { out += "#define \(a)\n" }
        for s in strings { out += "#define \(s) \"\"\n" }
        if cplusplus { out += DeclarationSynthesis.universalType }
        for r in records { out += "struct \(r.tag);\n" }
        for t in types {
            switch t.shape {
            case .record(let tag), .pointer(let tag?): out += "typedef struct \(tag) \(t.name);\n"
            default: out += cplusplus ? "typedef \(DeclarationSynthesis.any) \(t.name);\n" : "typedef long \(t.name);\n"
            }
        }
        // Records by value must be complete before a record holds one: emitted depth first.
        var emitted = Set<String>()
        func emit(_ tag: String, _ depth: Int) {
            guard depth < 16, !emitted.contains(tag), let r = records.first(where: { $0.tag == tag }) else { return }
            emitted.insert(tag)
            for f in r.fields { if case .record(let inner) = f.shape { emit(inner, depth + 1) } }
            out += "struct \(tag) { long \(DeclarationSynthesis.prefix)pad;"
            for f in r.fields { out += " \(declaration(f.name, f.shape, field: true));" }
            out += " };\n"
        }
        for r in records { emit(r.tag, 0) }
        // Constants get distinct values: a `switch` over several of them must not see duplicate cases.
        for (k, v) in values.enumerated() {
            switch v.shape {
            case .integer where !cplusplus && !assigned.contains(v.name): out += "enum { \(v.name) = \(0x5A000 + k) };\n"
            default: out += "extern \(declaration(v.name, v.shape, field: false));\n"
            }
        }
        return out
    }

    static let any = "bufferlint_made_up_any"

    /// C++: one type that converts to and from anything, can be called, indexed and dereferenced.
    static let universalType: String = {
        let a = any
        var s = """
        struct \(a) {
          \(a)();
          template <class T> \(a)(const T &);
          template <class T> operator T() const;
          template <class... A> \(a) operator()(A &&...) const;
          template <class T> \(a) operator[](const T &) const;
          \(a) *operator->() const;
          \(a) operator*() const;
          \(a) operator!() const;
          \(a) operator-() const;
          \(a) &operator++();
          \(a) &operator--();
          \(a) operator++(int);
          \(a) operator--(int);

        """
        // Hidden friends: found only when one side is made up, so Python's own operators are left alone.
        for op in ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "==", "!=", "<", ">", "<=", ">=", "&&", "||"] {
            s += "  template <class T> friend \(a) operator\(op)(const \(a) &, const T &);\n"
            s += "  template <class T> friend \(a) operator\(op)(const T &, const \(a) &);\n"
            s += "  friend \(a) operator\(op)(const \(a) &, const \(a) &);\n"
        }
        s += "  template <class T> \(a) &operator=(const T &);\n"
        for op in ["+=", "-=", "*=", "/=", "|=", "&="] { s += "  template <class T> \(a) &operator\(op)(const T &);\n" }
        s += "};\n"
        return s
    }()

    func declaration(_ name: String, _ shape: Shape, field: Bool) -> String {
        if cplusplus && !field { return "\(DeclarationSynthesis.any) \(name)" }
        switch shape {
        case .integer: return cplusplus ? "\(DeclarationSynthesis.any) \(name)" : "long \(name)"
        case .pointer(let tag?): return "struct \(tag) *\(name)"
        case .pointer(nil): return "char *\(name)"
        case .record(let tag): return "struct \(tag) \(name)"
        case .function: return cplusplus ? "\(DeclarationSynthesis.any) \(name)" : "long (*\(name))()"
        }
    }

    // MARK: - Learning from errors

    /// Reads a parse's errors; true when something new was made up.
    public mutating func learn(from errors: [ClangError], unit: CXTranslationUnit, mainFile: String) -> Bool {
        let before = self
        let declared = DeclarationSynthesis.declaredNames(unit: unit, path: mainFile)
        // Values are learned in a round that learns no type: a declaration whose type is unknown makes
        // its variable undeclared too, and that name must not become a value.
        var deferred: [(String, ArraySlice<String>)] = []
        if fragment && !includesPython, !DeclarationSynthesis.includesPythonH(unit), errors.contains(where: { e in
            (e.message.hasPrefix("unknown type name ") || e.message.hasPrefix("use of undeclared identifier "))
                && DeclarationSynthesis.quoted(e.message).first.map { $0.hasPrefix("Py") || $0.hasPrefix("_Py") } == true
        }) {
            // Python's own names first: what else is unknown shows in the next round.
            includesPython = true
            return true
        }
        for e in errors {
            let names = DeclarationSynthesis.quoted(e.message)
            guard let first = names.first else { continue }
            let context = Context(unit: unit, error: e)
            let isAttribute = DeclarationSynthesis.isAttributeMacro(first, before: context.startsLine ? nil : context.before.last, after: Array(context.after.dropFirst().prefix(2)))
            let besideString = [context.before.last, context.after.dropFirst().first].contains { $0?.hasSuffix("\"") == true }
            let stringBefore = context.before.last?.hasSuffix("\"") == true
            if e.message.hasPrefix("expected "), stringBefore, let name = context.after.first, isIdentifier(name), !known(name) {
                // `"(%" NPY_INTP_FMT ")"` with the macro unknown: the parser expected the literal to end.
                strings.append(name)
            } else if besideString && e.message.hasPrefix("use of undeclared identifier ") {
                // `"length (%" NPY_INTP_FMT ")"`: a macro spelling a string literal.
                guard isIdentifier(first), !known(first), !strings.contains(first) else { continue }
                strings.append(first)
            } else if isAttribute && (e.message.hasPrefix("unknown type name ") || e.message.hasPrefix("use of undeclared identifier ")) {
                guard isIdentifier(first), !known(first), !attributes.contains(first) else { continue }
                attributes.append(first)
            } else if e.message.hasPrefix("unknown type name ") {
                guard isIdentifier(first), !known(first) else { continue }
                let pointed = context.after.dropFirst().first == "*" || context.after.dropFirst().first == "&"
                addType(first, pointed ? .record(DeclarationSynthesis.prefix + first) : .integer)
            } else if e.message.hasPrefix("use of undeclared identifier ") {
                guard isIdentifier(first), !known(first) else { continue }
                let next = Array(context.after.dropFirst().prefix(3))
                let previous = context.before.last ?? ";"
                let statementStart = [";", "{", "}", ")"].contains(previous)
                if let n = next.first, n.first.map({ $0 == "_" || $0.isLetter }) == true, statementStart || previous == "," || previous == "(" && next.count > 1 && [")", ",", "="].contains(next[1]) {
                    // `T name` where a statement or parameter starts: a declaration of an unknown type.
                    addType(first, .integer)
                } else if previous == "(", next.first == ")", let operand = next.dropFirst().first,
                          operand.first.map({ $0 == "_" || $0 == "(" || $0 == "&" || $0 == "\"" || $0.isLetter || $0.isNumber }) == true {
                    // `(T)expr`: a cast to an unknown type.
                    addType(first, .integer)
                } else if previous == "(" && next.first == "*" && next.dropFirst().first == ")" || statementStart && next.first == "*" {
                    // `(T *)expr`, or `T *name` where a statement starts.
                    addType(first, .record(DeclarationSynthesis.prefix + first))
                } else if !declared.contains(first), let n = next.first,
                          ["=", "+=", "-=", "*=", "/=", "|=", "&=", "^=", "<<=", ">>=", "%=", "++", "--"].contains(n) || ["++", "--", "&"].contains(previous) {
                    // Assigned, incremented or pointed to: a variable.
                    values.append((first, .integer))
                    assigned.insert(first)
                } else if declared.contains(first) {
                    deferred.append((first, context.after.dropFirst()))
                } else {
                    values.append((first, shape(after: context.after.dropFirst(), owner: first)))
                }
            } else if e.message.hasPrefix("no member named "), names.count >= 2 {
                guard let tag = recordTag(names[1]) else { continue }
                addField(first, to: tag, shape: shape(after: context.after.dropFirst(), owner: "\(tag)_\(first)"))
            } else if e.message.contains("incomplete"), let tag = names.compactMap(DeclarationSynthesis.structTag).first {
                if !records.contains(where: { $0.tag == tag }) { records.append((tag, [])) }
            } else if e.message.contains("is not a structure or union") || e.message.contains("is not a pointer") {
                // A made-up integer type or value reached into: a record after all.
                if let t = types.firstIndex(where: { $0.name == first && $0.shape == .integer }) {
                    let tag = DeclarationSynthesis.prefix + first
                    types[t].shape = .record(tag)
                    ensureRecord(.record(tag))
                } else {
                    upgrade(nearest: context.before.reversed(), arrow: true)
                }
            } else if e.message.hasPrefix("indirection requires pointer operand") || e.message.hasPrefix("subscripted value is not") {
                upgrade(nearest: e.message.hasPrefix("subscripted") ? Array(context.before.reversed()) : Array(context.after.prefix(12).reversed()), arrow: false)
            } else if let t = names.firstIndex(where: { n in types.contains { $0.name == n && $0.shape == .record(DeclarationSynthesis.prefix + n) } }),
                      !e.message.contains("'\(names[t]) *'") {
                // A made-up record used as a number (compared, assigned an integer): an integer type.
                if let k = types.firstIndex(where: { $0.name == names[t] }) { types[k].shape = .integer }
            }
        }
        if types.count == before.types.count {
            for (name, after) in deferred where !known(name) { values.append((name, shape(after: after, owner: name))) }
        }
        return self != before
    }

    static let typeWords: Set<String> = ["static", "extern", "inline", "const", "volatile", "void", "char", "short", "int", "long", "unsigned",
                                         "signed", "float", "double", "struct", "union", "enum", "_Bool", "bool", "auto", "register"]

    /// `NPY_NO_EXPORT PyObject *f`, `EXPORT static int g`: an all-capitals name where a declaration
    /// starts, followed by a type word or by a name and `*` or another name.
    static func isAttributeMacro(_ name: String, before: String?, after: [String]) -> Bool {
        guard name.count > 2, name.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }), name.contains(where: \.isLetter) else { return false }
        guard before == nil || [";", "}", "{", ")"].contains(before!) || before!.hasPrefix("#") || typeWords.contains(before!) else { return false }
        guard let next = after.first else { return false }
        if typeWords.contains(next) { return true }
        guard next.first.map({ $0 == "_" || $0.isLetter }) == true, after.count > 1 else { return false }
        return after[1] == "*" || after[1].first.map({ $0 == "_" || $0.isLetter }) == true
    }

    /// Whether the unit already includes Python.h.
    static func includesPythonH(_ unit: CXTranslationUnit) -> Bool {
        final class Found { var yes = false }
        let found = Found()
        clang_getInclusions(unit, { file, _, _, data in
            let name = ClangParser.string(clang_getFileName(file))
            if name.hasSuffix("/Python.h") { Unmanaged<Found>.fromOpaque(data!).takeUnretainedValue().yes = true }
        }, Unmanaged.passUnretained(found).toOpaque())
        return found.yes
    }

    /// The shape the tokens after a name ask for.
    func shape(after tokens: ArraySlice<String>, owner: String) -> Shape {
        switch tokens.first {
        case "->": return .pointer(DeclarationSynthesis.prefix + owner)
        case ".": return .record(DeclarationSynthesis.prefix + owner)
        case "(": return .function
        case "[": return .pointer(nil)
        default: return .integer
        }
    }

    mutating func addType(_ name: String, _ shape: Shape) {
        guard !types.contains(where: { $0.name == name }) else { return }
        types.append((name, shape))
        ensureRecord(shape)
    }

    mutating func addField(_ name: String, to tag: String, shape: Shape) {
        guard isIdentifier(name) else { return }
        if let k = records.firstIndex(where: { $0.tag == tag }) {
            if !records[k].fields.contains(where: { $0.name == name }) { records[k].fields.append((name, shape)) }
        } else {
            records.append((tag, [(name, shape)]))
        }
        ensureRecord(shape)
    }

    mutating func ensureRecord(_ shape: Shape) {
        switch shape {
        case .pointer(let tag?), .record(let tag):
            if !records.contains(where: { $0.tag == tag }) { records.append((tag, [])) }
        default: break
        }
    }

    /// The tag of a made-up or incomplete record named in a message: `struct T`, or a made-up type name.
    func recordTag(_ quoted: String) -> String? {
        if let tag = DeclarationSynthesis.structTag(quoted), records.contains(where: { $0.tag == tag }) || tag.hasPrefix(DeclarationSynthesis.prefix) { return tag }
        let plain = quoted.hasSuffix(" *") ? String(quoted.dropLast(2)) : quoted
        for t in types where t.name == plain {
            if case .record(let tag) = t.shape { return tag }
            if case .pointer(let tag?) = t.shape { return tag }
        }
        return nil
    }

    /// A made-up value or field among `tokens` (nearest first) becomes a pointer.
    mutating func upgrade(nearest tokens: [String], arrow: Bool) {
        for name in tokens {
            if let k = values.firstIndex(where: { $0.name == name }), values[k].shape == .integer {
                values[k].shape = arrow ? .pointer(DeclarationSynthesis.prefix + name) : .pointer(nil)
                ensureRecord(values[k].shape)
                return
            }
            for r in records.indices {
                if let f = records[r].fields.firstIndex(where: { $0.name == name }), records[r].fields[f].shape == .integer {
                    records[r].fields[f].shape = arrow ? .pointer(DeclarationSynthesis.prefix + records[r].tag + "_" + name) : .pointer(nil)
                    ensureRecord(records[r].fields[f].shape)
                    return
                }
            }
        }
    }

    func known(_ name: String) -> Bool {
        types.contains { $0.name == name } || values.contains { $0.name == name } || attributes.contains(name) || strings.contains(name)
    }

    func isIdentifier(_ s: String) -> Bool {
        guard let f = s.utf8.first, f == UInt8(ascii: "_") || (f | 0x20) >= UInt8(ascii: "a") && (f | 0x20) <= UInt8(ascii: "z") else { return false }
        return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") || $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The texts between single quotes in a message, `aka` spellings included.
    static func quoted(_ message: String) -> [String] {
        var out: [String] = []
        var current: String? = nil
        for ch in message {
            if ch == "'" {
                if let c = current { out.append(c); current = nil } else { current = "" }
            } else if current != nil {
                current!.append(ch)
            }
        }
        return out
    }

    /// `struct NAME` (or `const struct NAME`) -> NAME.
    static func structTag(_ s: String) -> String? {
        var t = s
        if t.hasPrefix("const ") { t = String(t.dropFirst(6)) }
        guard t.hasPrefix("struct ") else { return nil }
        let tag = String(t.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        return tag.isEmpty || tag.contains(" ") || tag.contains("(") ? nil : tag
    }

    /// Names the main file declares as variables or parameters (`T name;`, `T *name = ...`): when such a
    /// name is undeclared, its declaration's type is what is missing.
    static func declaredNames(unit: CXTranslationUnit, path: String) -> Set<String> {
        guard let file = clang_getFile(unit, path) else { return [] }
        var size = 0
        _ = clang_getFileContents(unit, file, &size)
        let range = clang_getRange(clang_getLocationForOffset(unit, file, 0), clang_getLocationForOffset(unit, file, UInt32(size)))
        var raw: UnsafeMutablePointer<CXToken>? = nil
        var count: UInt32 = 0
        clang_tokenize(unit, range, &raw, &count)
        guard let raw else { return [] }
        defer { clang_disposeTokens(unit, raw, count) }
        var out = Set<String>()
        var previous: (CXTokenKind, String) = (CXToken_Punctuation, ";")
        var current: (CXTokenKind, String)? = nil
        for k in 0..<Int(count) {
            let kind = clang_getTokenKind(raw[k])
            if kind == CXToken_Comment { continue }
            let next = (kind, ClangParser.string(clang_getTokenSpelling(unit, raw[k])))
            if let c = current, c.0 == CXToken_Identifier, previous.0 == CXToken_Identifier || previous.1 == "*",
               next.0 == CXToken_Punctuation, [";", "=", ",", "[", ")"].contains(next.1) {
                out.insert(c.1)
            }
            if let c = current { previous = c }
            current = next
        }
        return out
    }

    /// The tokens around an error's location, read from the file libclang parsed.
    struct Context {
        var before: [String] = []
        /// Starting with the token at the error.
        var after: [String] = []
        /// The token at the error starts its line.
        var startsLine = true

        init(unit: CXTranslationUnit, error: ClangError) {
            guard !error.file.isEmpty, let file = clang_getFile(unit, error.file) else { return }
            var size = 0
            _ = clang_getFileContents(unit, file, &size)
            let lo = max(0, error.offset - 160), hi = min(size, error.offset + 160)
            guard lo < hi else { return }
            let range = clang_getRange(clang_getLocationForOffset(unit, file, UInt32(lo)), clang_getLocationForOffset(unit, file, UInt32(hi)))
            var raw: UnsafeMutablePointer<CXToken>? = nil
            var count: UInt32 = 0
            clang_tokenize(unit, range, &raw, &count)
            guard let raw else { return }
            defer { clang_disposeTokens(unit, raw, count) }
            for k in 0..<Int(count) {
                let t = raw[k]
                if clang_getTokenKind(t) == CXToken_Comment { continue }
                var off: UInt32 = 0, line: UInt32 = 0
                clang_getSpellingLocation(clang_getTokenLocation(unit, t), nil, &line, nil, &off)
                let spelling = ClangParser.string(clang_getTokenSpelling(unit, t))
                if Int(off) < error.offset {
                    before.append(spelling)
                    startsLine = Int(line) < error.line
                } else {
                    after.append(spelling)
                }
            }
        }
    }
}
