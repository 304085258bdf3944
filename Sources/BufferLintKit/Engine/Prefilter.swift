import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A byte-level test of whether a file can contain a use at all, so that
/// libclang and the token scanner only see files that matter.
public struct Prefilter: Sendable {
    public let names: [String]

    public init(names: some Sequence<String>) {
        self.names = Array(Set(names)).sorted()
    }

    /// True when one of the names occurs as a whole identifier.
    public func matches(_ bytes: [UInt8]) -> Bool {
        firstMatch(bytes) != nil
    }

    public func firstMatch(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { buf -> String? in
            guard let base = buf.baseAddress else { return nil }
            for name in names {
                let needle = Array(name.utf8)
                var offset = 0
                while offset < buf.count {
                    guard let at = Prefilter.find(needle, in: buf, from: offset) else { break }
                    let before = at > 0 ? buf[at - 1] : 0x20
                    let after = at + needle.count < buf.count ? buf[at + needle.count] : 0x20
                    if !Prefilter.isIdent(before) && !Prefilter.isIdent(after) { return name }
                    offset = at + 1
                }
            }
            return nil
        }
    }

    /// memchr for the first byte, memcmp for the rest.
    static func find(_ needle: [UInt8], in buf: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = buf.baseAddress, let first = needle.first else { return nil }
        var i = start
        let last = buf.count - needle.count
        while i <= last {
            guard let p = memchr(base + i, Int32(first), last - i + 1) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(p))
            if needle.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, needle.count) }) == 0 { return at }
            i = at + 1
        }
        return nil
    }

    static func isIdent(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c >= 0x80
    }

    /// Names of project macros whose bodies reach a watched name, directly or through
    /// other macros, found in the given files: uses of these must be scanned too.
    public static func macroNames(reaching watched: Set<String>, in files: [(path: String, bytes: [UInt8])]) -> Set<String> {
        var reaching = Set<String>()
        var frontier = Prefilter(names: watched)
        var candidates = files.filter { frontier.matches($0.bytes) }
        var lexedCache: [String: LexedFile] = [:]
        for _ in 0..<8 {
            var found = Set<String>()
            for f in candidates {
                let lexed = lexedCache[f.path] ?? Lexer.lex(SourceText(bytes: f.bytes))
                lexedCache[f.path] = lexed
                for d in lexed.directives where d.kind == .define {
                    guard let first = d.tokenRange.first else { continue }
                    let body = d.tokenRange.dropFirst().map { lexed.spelling(at: $0) }
                    let name = lexed.spelling(at: first)
                    if !watched.contains(name) && !reaching.contains(name) && body.contains(where: { frontier.names.contains($0) }) {
                        found.insert(name)
                    }
                }
            }
            if found.isEmpty { break }
            reaching.formUnion(found)
            frontier = Prefilter(names: found)
            candidates = files.filter { frontier.matches($0.bytes) }
        }
        return reaching
    }
}
