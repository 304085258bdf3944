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

    static let includeWord = Array("include".utf8)

    /// Whether the bytes may hold an `#include` at all (a quick test before `includedNames`).
    public static func mayInclude(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { find(includeWord, in: UnsafeRawBufferPointer($0), from: 0) } != nil
    }

    /// The names of the `#include "x"` and `#include <x>` lines of a file (also `#  include`,
    /// `#include_next`), read from its bytes without lexing; conditions are not
    /// evaluated (every branch counts) and commented-out lines may count: this only widens what is read.
    public static func includedNames(in bytes: [UInt8]) -> [(name: String, angled: Bool)] {
        var out: [(String, Bool)] = []
        let n = bytes.count
        bytes.withUnsafeBufferPointer { b in
            let raw = UnsafeRawBufferPointer(b)
            var from = 0
            // Each `include` found by memchr: a directive when only blanks and a `#` precede it on its line.
            while let at = find(includeWord, in: raw, from: from) {
                from = at + includeWord.count
                var k = at - 1
                while k >= 0, b[k] == 0x20 || b[k] == 0x09 { k -= 1 }
                guard k >= 0, b[k] == 0x23 else { continue }
                k -= 1
                while k >= 0, b[k] == 0x20 || b[k] == 0x09 { k -= 1 }
                guard k < 0 || b[k] == 0x0A || b[k] == 0x0D else { continue }
                var j = from
                if j + 5 <= n, b[j..<(j + 5)].elementsEqual("_next".utf8) { j += 5 }
                guard j < n, !isIdent(b[j]) else { continue }
                while j < n, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
                guard j < n, b[j] == 0x22 || b[j] == 0x3C else { continue }
                let angled = b[j] == 0x3C
                let close: UInt8 = angled ? 0x3E : 0x22
                var e = j + 1
                while e < n, b[e] != close, b[e] != 0x0A { e += 1 }
                if e < n, b[e] == close, e > j + 1 { out.append((String(decoding: b[(j + 1)..<e], as: UTF8.self), angled)) }
            }
        }
        return out
    }

    /// Names of project macros whose bodies reach a watched name, directly or through
    /// other macros, found in the given files: uses of these must be scanned too.
    public static func macroNames(reaching watched: Set<String>, in files: [(path: String, bytes: [UInt8])]) -> Set<String> {
        macroNames(reaching: watched, in: files.map { f in (f.path, { f.bytes }, true) })
    }

    /// The same, for files whose bytes are loaded when needed (one at a time: a large tree's files
    /// are not all in memory at once). Only the files that name the frontier are lexed; in the first
    /// round, only those that may name a watched function (`namesWatched`, true when unknown) are loaded.
    public static func macroNames(reaching watched: Set<String>, in files: [(path: String, load: () -> [UInt8]?, namesWatched: Bool)]) -> Set<String> {
        var reaching = Set<String>()
        var frontier = Prefilter(names: watched)
        for round in 0..<8 {
            var found = Set<String>()
            for f in files where round > 0 || f.namesWatched {
                guard let bytes = f.load(), frontier.matches(bytes) else { continue }
                let lexed = Lexer.lex(SourceText(bytes: bytes))
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
        }
        return reaching
    }
}
