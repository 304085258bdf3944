import Foundation
import Yams

/// YAML for `.bufferlint.yml` and rule files, read as plain values (`[String: Any]`, `[Any]`,
/// `String`, `Int`, `Bool`, `NSNull`). Both files come with the tree checked, so:
/// - an alias bomb (a few anchors that expand to billions of values) is refused after
///   `valueLimit` values, in milliseconds, before anything is built from it;
/// - a number with a fraction stays the text it was written as: `3.10` is the version 3.10,
///   where YAML's float would be 3.1;
/// - so does a plain value with colons (YAML 1.1 base 60), whose conversion could trap.
public enum YAMLDocument {
    public static let valueLimit = 100_000
    public static let depthLimit = 200

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    public static func load(_ text: String) throws -> Any? {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw Problem(description: "is not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let node else { return nil }
        var count = 0
        return try value(node, depth: 0, count: &count)
    }

    static func value(_ node: Node, depth: Int, count: inout Int) throws -> Any {
        count += 1
        if count > valueLimit {
            throw Problem(description: "holds more than \(valueLimit) values once its aliases are expanded; refused")
        }
        if depth > depthLimit { throw Problem(description: "nests deeper than \(depthLimit) levels; refused") }
        switch node {
        case .scalar(let s):
            // A plain scalar with colons is a YAML 1.1 base-60 number to Yams, whose integer
            // conversion traps on overflow (`2:2:2:2:2:22:2:2:2:2:2:2:22` ended the run): none of
            // these files wants base 60, so it stays the text it was written as.
            if s.style == .plain, s.string.contains(":") { return s.string }
            let any = node.any
            // Plain numbers with a fraction keep their digits.
            if any is Double, s.style == .plain { return s.string }
            return any
        case .sequence(let seq):
            return try seq.map { try value($0, depth: depth + 1, count: &count) }
        case .mapping(let map):
            var out: [String: Any] = [:]
            for (k, v) in map {
                guard let key = k.string else { throw Problem(description: "has a key that is not a string") }
                out[key] = try value(v, depth: depth + 1, count: &count)
            }
            return out
        }
    }
}
