import Foundation

/// A JSON value whose objects keep their key order, so every report is
/// byte-for-byte deterministic and reads in the documented order.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

    public static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    public static func optional(_ i: Int?) -> JSONValue { i.map { .int($0) } ?? .null }

    public func serialized(pretty: Bool = true, indent: String = "") -> String {
        var out = ""
        write(into: &out, pretty: pretty, indent: indent)
        return out
    }

    func write(into out: inout String, pretty: Bool, indent: String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .string(let s): JSONValue.escape(s, into: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            let inner = indent + "  "
            out += "["
            for (k, v) in a.enumerated() {
                out += k == 0 ? "" : ","
                if pretty { out += "\n" + inner }
                v.write(into: &out, pretty: pretty, indent: inner)
            }
            out += pretty ? "\n" + indent + "]" : "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            let inner = indent + "  "
            out += "{"
            for (k, (key, v)) in o.enumerated() {
                out += k == 0 ? "" : ","
                if pretty { out += "\n" + inner }
                JSONValue.escape(key, into: &out)
                out += pretty ? ": " : ":"
                v.write(into: &out, pretty: pretty, indent: inner)
            }
            out += pretty ? "\n" + indent + "}" : "}"
        }
    }

    /// JSON's escapes, plus `\uXXXX` for DEL, the C1 controls and the bidirectional controls, and a
    /// `[` after `##`: JSON printed to a terminal or a CI log cannot move the cursor or start a
    /// workflow command, and means the same.
    static func escape(_ s: String, into out: inout String) {
        out += "\""
        var hashes = 0
        for u in s.unicodeScalars {
            defer { hashes = u == "#" ? hashes + 1 : 0 }
            if u == "[" && hashes >= 2 { out += "\\u005b"; continue }
            if u.value == 0x7F || (0x80...0x9F).contains(u.value) || TerminalText.bidiControls.contains(u.value) {
                out += String(format: "\\u%04x", u.value)
                continue
            }
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        out += "\""
    }
}
