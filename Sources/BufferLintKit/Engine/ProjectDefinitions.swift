import Foundation

/// A project that defines an old function itself (a runtime, a compatibility layer) calls its own
/// function, not CPython's: those calls and prototypes are neither errors nor fixed. Only the
/// definition is reported, as `shadowing` (info). A project macro of the name is handled by the
/// token scan; this covers function bodies, in the file itself and, for a definition that is not
/// `static`, in the other files of the run.
enum ProjectDefinitions {
    /// The kinds of occurrence that resolve to the project's definition.
    static let resolvedKinds: Set<OccurrenceKind> = [.call, .reference, .declaration, .guarded, .inactive, .macroExpansion, .macroDefinition, .wrapperCall]

    /// Names the file defines with a function body (`.shadowing` without a macro).
    static func defined(in occurrences: [Occurrence]) -> Set<String> {
        Set(occurrences.filter { $0.kind == .shadowing && $0.macro == nil }.map(\.function))
    }

    /// Names the file defines with a body and external linkage: the other files of the run call them.
    static func exported(_ occurrences: [Occurrence], lexed: LexedFile) -> [String] {
        var out: [String] = []
        for o in occurrences where o.kind == .shadowing && o.macro == nil {
            guard var k = lexed.tokens.firstIndex(where: { $0.start == o.nameRange.lowerBound }) else { continue }
            var isStatic = false
            // The declaration's head: back to the end of the previous declaration.
            while k > 0 {
                k -= 1
                let t = lexed.tokens[k]
                if t.directive != nil { continue }
                let s = lexed.spelling(t)
                if s == ";" || s == "}" || s == "{" { break }
                if s == "static" { isStatic = true; break }
            }
            if !isStatic { out.append(o.function) }
        }
        return out
    }

    /// Leaves out the uses that resolve to a definition of the project's.
    static func resolve(_ occurrences: inout [Occurrence], elsewhere: Set<String>) {
        let names = defined(in: occurrences).union(elsewhere)
        guard !names.isEmpty else { return }
        occurrences.removeAll { names.contains($0.function) && resolvedKinds.contains($0.kind) }
    }
}
