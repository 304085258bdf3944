import CClang
import Foundation

/// Parses Python.h once per group of files instead of once per file.
///
/// Files whose text before `#include <Python.h>` consists of preprocessor
/// directives only (typically `#define PY_SSIZE_T_CLEAN`) share a precompiled
/// header made of exactly that text and the include, built the second time the
/// same preamble and flags are seen. A file with anything else before the
/// include, or whose parse rejects the precompiled header, is parsed plainly.
public final class PrecompiledPython: @unchecked Sendable {
    private let directory: String
    private let lock = NSLock()
    private enum Entry { case seenOnce, building, ready(String), failed }
    private var entries: [String: Entry] = [:]
    private let built = NSCondition()
    public private(set) var buildCount = 0

    public init?() {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("bufferlint-pch-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil else { return nil }
        directory = dir
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The directives before the Python.h include, and the include line itself; nil when anything else comes first.
    public static func preamble(of lexed: LexedFile) -> String? {
        let firstNormal = lexed.tokens.firstIndex(where: { $0.directive == nil })
        for d in lexed.directives {
            // A token outside a directive before the include: not a pure preamble.
            if let firstNormal, firstNormal < d.tokenRange.lowerBound { return nil }
            switch d.kind {
            case .include:
                let spelled = d.tokenRange.first.map { lexed.spelling(at: $0) } ?? ""
                let text = lexed.text.text(lexed.directives[0].start..<d.end)
                if spelled == "<Python.h>" || spelled == "\"Python.h\"" { return text }
                // Only system headers may come before Python.h.
                if !spelled.hasPrefix("<") { return nil }
            case .define, .undef, .other:
                continue
            default:
                return nil
            }
        }
        return nil
    }

    /// A precompiled header for this preamble and these arguments, when worth having.
    public func header(preamble: String, arguments: [String], index: ClangParser) -> String? {
        let key = arguments.joined(separator: "\u{1}") + "\u{2}" + preamble
        lock.lock()
        switch entries[key] {
        case nil:
            entries[key] = .seenOnce
            lock.unlock()
            return nil
        case .seenOnce:
            entries[key] = .building
            lock.unlock()
        case .building:
            lock.unlock()
            // Another thread builds it: parse plainly rather than wait.
            return nil
        case .ready(let path):
            lock.unlock()
            return path
        case .failed:
            lock.unlock()
            return nil
        }
        let n = key.hashValue & 0x7fffffff
        let header = (directory as NSString).appendingPathComponent("preamble-\(n).h")
        let pch = header + ".pch"
        var result: Entry = .failed
        if FileManager.default.createFile(atPath: header, contents: Data((preamble + "\n").utf8)),
           index.savePrecompiledHeader(source: header, arguments: PrecompiledPython.headerArguments(arguments), to: pch) {
            result = .ready(pch)
        }
        lock.lock()
        entries[key] = result
        buildCount += 1
        lock.unlock()
        if case .ready(let p) = result { return p }
        return nil
    }

    /// `-x c` becomes `-x c-header` for building the header itself.
    static func headerArguments(_ args: [String]) -> [String] {
        var out = args
        if let i = out.firstIndex(of: "-x"), i + 1 < out.count { out[i + 1] = out[i + 1] == "c++" ? "c++-header" : "c-header" }
        return out
    }
}
