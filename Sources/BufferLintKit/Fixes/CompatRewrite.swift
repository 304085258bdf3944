import Foundation

/// The compat strategy: the old name becomes its reference implementation from
/// `bufferlint_compat.h`, which the file includes once (after Python.h) and which is
/// written next to the file when it is not there.
struct CompatRewrite {
    static let headerName = "bufferlint_compat.h"
    static let headerResource = "support/bufferlint_compat.h"
    static let viewHeaderName = "bufferlint_view.hpp"
    static let viewHeaderResource = "support/bufferlint_view.hpp"

    let text: SourceText
    let lexed: LexedFile
    /// False for SWIG interfaces, where a `#include` outside `%{ %}` is read by SWIG, not the compiler.
    var includeAtTopAllowed = true

    /// `PyObject_AsReadBuffer` -> `bufferlint_AsReadBuffer`.
    static func replacementName(for function: String) -> String? {
        guard function.hasPrefix("PyObject_") else { return nil }
        let name = "bufferlint_" + function.dropFirst("PyObject_".count)
        return header?.contents.contains("\n\(name)(") == true ? name : nil
    }

    static let header: SupportFile? =
        EmbeddedRules.files.first { $0.name == headerResource }.map { SupportFile(name: headerName, contents: $0.contents) }

    /// The C++ guard `bufferlint::BufferView`; it includes bufferlint_compat.h.
    static let viewHeader: SupportFile? =
        EmbeddedRules.files.first { $0.name == viewHeaderResource }.map { SupportFile(name: viewHeaderName, contents: $0.contents) }

    var lineEnding: String { text.usesCRLF ? "\r\n" : "\n" }

    func includeLineText(_ d: Directive) -> String { text.text(d.start..<d.end) }

    var alreadyIncluded: Bool { isIncluded(CompatRewrite.headerName) }

    func isIncluded(_ header: String) -> Bool {
        lexed.directives.contains { $0.kind == .include && includeLineText($0).contains(header) }
    }

    /// Where `#include "bufferlint_compat.h"` goes: after the Python.h include, else after the
    /// last include before `firstUse`, else (a file that includes nothing first, such as a part
    /// included into another file) at the start of its first line of code: the header includes
    /// Python.h itself, and its include guard makes it harmless after an earlier Python.h.
    func includeEdit(firstUse: Int, header: String = CompatRewrite.headerName) -> Edit? {
        if isIncluded(header) { return nil }
        let includes = lexed.directives.filter { $0.kind == .include }
        let python = includes.first { d in
            let t = includeLineText(d)
            return t.contains("<Python.h>") || t.contains("\"Python.h\"")
        }
        guard let anchor = python ?? includes.last(where: { $0.end <= firstUse }) else {
            guard includeAtTopAllowed else { return nil }
            var start = [lexed.tokens.first?.start, lexed.directives.first?.start].compactMap { $0 }.min() ?? 0
            while start > 0 && text.bytes[start - 1] != 0x0A { start -= 1 }
            return .insert("#include \"\(header)\"" + lineEnding, at: start)
        }
        var end = anchor.end
        while end < text.count && text.bytes[end] != 0x0A { end += 1 }
        if end > anchor.start && end <= text.count && text.bytes[end - 1] == 0x0D { end -= 1 }
        return .insert(lineEnding + "#include \"\(header)\"", at: end)
    }

    func canInclude(firstUse: Int) -> Bool { alreadyIncluded || includeEdit(firstUse: firstUse) != nil }

    /// The file includes nothing before `firstUse`: the header goes at its top.
    func includesNothingBefore(_ firstUse: Int) -> Bool {
        !lexed.directives.contains { $0.kind == .include && $0.end <= firstUse }
    }

}
