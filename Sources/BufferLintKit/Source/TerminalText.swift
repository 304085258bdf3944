/// Text from the files checked (their names, their source lines, messages that quote them)
/// made safe to print on a terminal or into a CI log. The files of a pull request are
/// hostile: a name or a line must never move the cursor, change colours, or be read by a
/// CI runner as a workflow command (GitHub reads `::name ...::` at the start of a line, after
/// spaces, and the older `##[name]` anywhere in it, on standard output and standard error).
public enum TerminalText {
    /// Control characters shown as escapes (`\n`, `\r`, `\e`, `\xNN`, `\u{9b}`) and `##[`
    /// broken up, so that the string prints as exactly one line of plain characters.
    public static func escape(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) || s.contains("##[") else { return s }
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\u{1B}": out += "\\e"
            case "\t": out += "\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\x" + hex(u.value, width: 2)
                } else if (0x80...0x9F).contains(u.value) || bidiControls.contains(u.value) {
                    out += "\\u{" + hex(u.value, width: 1) + "}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out.replacingOccurrences(of: "##[", with: "##\\[")
    }

    /// A file name for the start of a line: escaped, and a relative name that would start a
    /// command (`::x.c`) is written `./::x.c`, the same file.
    public static func path(_ p: String) -> String {
        let e = escape(p)
        let trimmed = e.drop(while: { $0 == " " || $0 == "\t" })
        return trimmed.hasPrefix(":") || e.first == " " || e.first == "\t" ? "./" + e : e
    }

    /// The last guard before text reaches a stream: a line that a runner would read as a
    /// workflow command (one bufferlint did not mean to write) gets a visible `\` before it.
    /// Only `github` output writes commands, and it writes them with `allowCommands`.
    public static func guardLines(_ text: String, allowCommands: Bool = false) -> String {
        guard text.contains("::") || text.contains("##[") else { return text }
        var lines = SourceText.lines(of: text)
        var changed = false
        for i in lines.indices {
            var l = lines[i]
            if l.contains("##[") { l = l.replacingOccurrences(of: "##[", with: "##\\["); changed = true }
            if !allowCommands, l.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("::") { l = "\\" + l; changed = true }
            lines[i] = l
        }
        return changed ? lines.joined(separator: "\n") : text
    }

    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        (u.value < 0x20 && u != "\t") || (0x7F...0x9F).contains(u.value) || bidiControls.contains(u.value)
    }

    /// Bidirectional overrides and isolates: they reorder what a reader sees on the line.
    static let bidiControls: Set<UInt32> = [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]

    static func hex(_ v: UInt32, width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
