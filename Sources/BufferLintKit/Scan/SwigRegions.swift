import Foundation

/// The structure of a SWIG interface file (`.i`, `.swg`) that a scan needs.
///
/// C code lives in `%{ ... %}` (also after `%inline`, `%wrapper`, `%header`),
/// in `%typemap(...) { ... }` / `%extend X { ... }` bodies and in the
/// declarations SWIG wraps. SWIG's own directive statements (`%ignore X;`,
/// `%rename(a) b;`, `%constant ...;`, `%module m`) only name things: a watched
/// name there is not a use. `%include <header>` and `%import "header"` make
/// SWIG's preprocessor read that header, so they count as includes for `#if`
/// evaluation.
public struct SwigRegions: Sendable {
    /// Byte ranges of SWIG directive statements (outside C code): names in them are not uses.
    public let directiveStatements: [Range<Int>]

    /// Directives whose statement ends at the end of the line (they take no `;`).
    static let lineDirectives: Set<String> = ["include", "import", "module", "insert", "feature", "warn", "fragment"]

    public init(lexed: LexedFile) {
        var ranges: [Range<Int>] = []
        let toks = lexed.tokens
        let text = lexed.text
        var i = 0
        func spell(_ k: Int) -> String { lexed.spelling(at: k) }
        func isCodeOpen(_ k: Int) -> Bool { toks[k].kind == .punct && spell(k) == "%{" }
        while i < toks.count {
            let t = toks[i]
            if t.directive != nil { i += 1; continue }
            if isCodeOpen(i) {
                // A literal C block: skip to its `%}`.
                i += 1
                while i < toks.count && !(toks[i].kind == .punct && spell(i) == "%}") { i += 1 }
                i += 1
                continue
            }
            guard t.kind == .punct, spell(i) == "%", i + 1 < toks.count, toks[i + 1].kind == .identifier,
                  toks[i + 1].start == t.end, toks[i + 1].directive == nil else {
                i += 1
                continue
            }
            let name = spell(i + 1)
            if name == "define" {
                // A SWIG macro: its body is code, up to `%enddef`.
                var k = i + 2
                while k + 1 < toks.count && !(spell(k) == "%" && spell(k + 1) == "enddef") { k += 1 }
                i = k + 2
                continue
            }
            let line = text.line(of: t.start)
            var k = i + 2
            var depth = 0
            var end = t.end
            var bodyStart: Int? = nil
            while k < toks.count {
                let u = toks[k]
                if u.directive != nil { k += 1; continue }
                if depth == 0 && SwigRegions.lineDirectives.contains(name) && text.line(of: u.start) != line { break }
                let s = spell(k)
                if u.kind == .punct {
                    if s == "(" { depth += 1 } else if s == ")" { depth -= 1 }
                    else if depth <= 0 && s == ";" { end = u.end; k += 1; break }
                    else if depth <= 0 && (s == "{" || s == "%{") { bodyStart = k; break }
                }
                end = u.end
                k += 1
            }
            ranges.append(t.start..<(bodyStart.map { toks[$0].start } ?? end))
            if let b = bodyStart, spell(b) == "{" {
                // The body is code: continue after its closing brace.
                var d = 0
                var j = b
                while j < toks.count {
                    if toks[j].directive == nil && toks[j].kind == .punct {
                        let s = spell(j)
                        if s == "{" { d += 1 } else if s == "}" { d -= 1; if d == 0 { break } }
                    }
                    j += 1
                }
                i = j + 1
            } else {
                i = bodyStart ?? k
            }
        }
        directiveStatements = ranges
    }

    public func isInDirectiveStatement(_ offset: Int) -> Bool {
        var lo = 0, hi = directiveStatements.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if directiveStatements[mid].upperBound <= offset { lo = mid + 1 } else { hi = mid }
        }
        return lo < directiveStatements.count && directiveStatements[lo].contains(offset)
    }

    /// The C that SWIG copies into its output as it is: the `%{ %}` blocks (alone or after `%inline`,
    /// `%header`, `%wrapper`, `%begin`, `%runtime`), at their own offsets; every other byte is a space
    /// (newlines kept), so lines, columns and offsets are those of the interface. Typemap, `%extend`
    /// and `%init` code is left out: it is not C until SWIG substitutes it. Nil when there is no block.
    public static func compiledCode(_ lexed: LexedFile) -> [UInt8]? {
        let toks = lexed.tokens
        let bytes = lexed.text.bytes
        var out = bytes.map { $0 == 0x0A || $0 == 0x0D ? $0 : 0x20 }
        var kept = false
        var i = 0
        while i < toks.count {
            guard toks[i].kind == .punct, toks[i].directive == nil, lexed.spelling(at: i) == "%{" else { i += 1; continue }
            var close = i + 1
            while close < toks.count && !(toks[close].kind == .punct && toks[close].directive == nil && lexed.spelling(at: close) == "%}") { close += 1 }
            let named = i >= 2 && lexed.spelling(at: i - 2) == "%" && toks[i - 1].kind == .identifier && toks[i - 1].start == toks[i - 2].end
            let standalone = i == 0 || {
                let p = lexed.spelling(at: i - 1)
                return toks[i - 1].directive != nil || ["%}", ";", "}"].contains(p)
            }()
            if (named && ["inline", "header", "wrapper", "begin", "runtime"].contains(lexed.spelling(at: i - 1))) || (!named && standalone) {
                let end = close < toks.count ? toks[close].start : bytes.count
                out.replaceSubrange(toks[i].end..<end, with: bytes[toks[i].end..<end])
                kept = true
            }
            i = close + 1
        }
        return kept ? out : nil
    }

    /// Drops the occurrences that sit in SWIG directive statements.
    public func removingDirectiveNames(_ occurrences: [Occurrence]) -> [Occurrence] {
        occurrences.filter { !isInDirectiveStatement($0.nameRange.lowerBound) }
    }

    /// Turns `%include <h>` / `%import "h"` lines into include directives marked `swigInclude`.
    /// SWIG interface files named this way are kept only when they exist in the
    /// project (others come from SWIG's own library and say nothing about macros).
    public static func withIncludes(_ lexed: LexedFile, path: String, includeDirs: [String]) -> LexedFile {
        let toks = lexed.tokens
        let text = lexed.text
        let b = text.bytes
        let dir = (path as NSString).deletingLastPathComponent
        // (first token, one past the last token, the literal's byte range, the line's end)
        var found: [(from: Int, to: Int, literal: Range<Int>, lineEnd: Int)] = []
        var i = 0
        while i + 2 < toks.count {
            defer { i += 1 }
            guard toks[i].directive == nil, toks[i].kind == .punct, lexed.spelling(at: i) == "%",
                  toks[i + 1].kind == .identifier, toks[i + 1].start == toks[i].end else { continue }
            let word = lexed.spelling(at: i + 1)
            guard word == "include" || word == "import" else { continue }
            let line = text.line(of: toks[i].start)
            let lineEnd = line < text.lineStarts.count ? text.lineStarts[line] - 1 : b.count
            var j = i + 2
            // `%import(module="x") "y.h"`: skip the options.
            if j < toks.count, lexed.isPunct(j, "(") {
                var d = 0
                while j < toks.count { if lexed.isPunct(j, "(") { d += 1 } else if lexed.isPunct(j, ")") { d -= 1; if d == 0 { j += 1; break } }; j += 1 }
            }
            guard j < toks.count, toks[j].start < lineEnd else { continue }
            let first = toks[j]
            var literal: Range<Int>
            var last = j
            if first.kind == .literal, b[first.start] == 0x22 {
                literal = first.start..<first.end
            } else if lexed.isPunct(j, "<") {
                while last < toks.count, toks[last].start < lineEnd, !lexed.isPunct(last, ">") { last += 1 }
                guard last < toks.count, lexed.isPunct(last, ">") else { continue }
                literal = first.start..<toks[last].end
            } else {
                continue
            }
            let name = String(text.text(literal).dropFirst().dropLast())
            let ext = (name as NSString).pathExtension.lowercased()
            if ext == "i" || ext == "swg" {
                let candidates = (text.bytes[literal.lowerBound] == 0x3C ? [] : [dir]) + includeDirs
                guard candidates.contains(where: { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent(name)) }) else { continue }
            }
            found.append((i, last + 1, literal, lineEnd))
            i = last
        }
        // C-level includes too: the interface is never compiled as it is, so what
        // its system headers define is not known here.
        var marked = lexed
        for k in marked.directives.indices where marked.directives[k].kind == .include || marked.directives[k].kind == .includeNext {
            marked.directives[k].swigInclude = true
        }
        guard !found.isEmpty else { return marked }

        // Rebuild tokens and directives in file order.
        var dirs: [(d: Directive, old: Int?)] = marked.directives.enumerated().map { ($0.element, $0.offset) }
        for f in found {
            var d = Directive(kind: .include, start: toks[f.from].start, end: f.lineEnd, tokenRange: 0..<0, swigPassthrough: false)
            d.swigInclude = true
            dirs.append((d, nil))
        }
        dirs.sort { $0.d.start < $1.d.start }
        var newIndex: [Int: Int] = [:]
        for (k, e) in dirs.enumerated() { if let o = e.old { newIndex[o] = k } }
        var newTokens: [Token] = []
        newTokens.reserveCapacity(toks.count)
        var f = 0
        var k = 0
        while k < toks.count {
            if f < found.count, k == found[f].from {
                let at = dirs.firstIndex { $0.old == nil && $0.d.start == toks[k].start }!
                newTokens.append(Token(kind: .literal, start: found[f].literal.lowerBound, end: found[f].literal.upperBound, directive: at))
                k = found[f].to
                f += 1
                continue
            }
            let t = toks[k]
            newTokens.append(Token(kind: t.kind, start: t.start, end: t.end, directive: t.directive.flatMap { newIndex[$0] }))
            k += 1
        }
        var out = marked
        out.tokens = newTokens
        out.directives = dirs.map(\.d)
        var t = 0
        for d in out.directives.indices {
            while t < newTokens.count && newTokens[t].start < out.directives[d].start { t += 1 }
            var e = t
            while e < newTokens.count && newTokens[e].directive == d { e += 1 }
            out.directives[d].tokenRange = t..<e
        }
        return out
    }
}
