import CClang
import Foundation

/// Parses Python.h once per group of files instead of once per file.
///
/// Files whose text before `#include <Python.h>` consists of preprocessor
/// directives only (typically `#define PY_SSIZE_T_CLEAN`) share a precompiled
/// header made of exactly that text and the include, built the second time the
/// same preamble and flags are seen. A file with anything else before the
/// include, or whose parse rejects the precompiled header, is parsed plainly.
///
/// With a `store` (a folder of this user's, never the project's), headers are also kept between
/// runs: a run that checks one file (pre-commit) then reads Python.h from its precompiled form
/// instead of parsing it. A stored header is built on first sight, named by a digest of the
/// preamble, the arguments and the libclang version, and removed when a parse rejects it (Python's
/// headers changed since): libclang checks the files it was made from each time it loads it.
public final class PrecompiledPython: @unchecked Sendable {
    private let directory: String
    private let store: String?
    private var storedKeys: [String: String] = [:]
    private let lock = NSLock()
    private enum Entry { case seenOnce, building, ready(String), failed }
    private var entries: [String: Entry] = [:]
    private let built = NSCondition()
    public private(set) var buildCount = 0

    public init?(store: String? = nil) {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("bufferlint-pch-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil else { return nil }
        directory = dir
        self.store = store.flatMap(PrecompiledPython.privateFolder)
    }

    /// The folder of this user's stored headers, made if needed; nil unless it is a folder that this
    /// user owns and no one else may write to (or list).
    static func privateFolder(_ path: String) -> String? {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == getuid(), st.st_mode & 0o077 == 0 else { return nil }
        return path
    }

    /// `$XDG_CACHE_HOME/bufferlint/pch` (`~/.cache/bufferlint/pch`).
    public static var defaultStore: String? {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["XDG_CACHE_HOME"].flatMap({ $0.isEmpty ? nil : $0 }) ?? env["HOME"].map({ $0 + "/.cache" }) else { return nil }
        return base + "/bufferlint/pch"
    }

    static let clangVersion: String = ClangParser.string(clang_getClangVersion())

    /// A stored header this user made (a regular file of theirs), for a key.
    private func stored(_ key: String) -> String? {
        guard let store else { return nil }
        let path = (store as NSString).appendingPathComponent(SHA256.hex(Array((PrecompiledPython.clangVersion + "\u{3}" + key).utf8)) + ".pch")
        return path
    }

    private func usableStored(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && st.st_uid == getuid() && st.st_mode & 0o022 == 0
    }

    /// A parse refused this header (made from files that changed since): it is not offered again,
    /// and a stored copy is removed so that the next run makes it anew.
    public func reject(_ pch: String) {
        lock.lock()
        if let key = storedKeys[pch] { entries[key] = .failed }
        lock.unlock()
        if let store, pch.hasPrefix(store + "/") { unlink(pch) }
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
        let kept = stored(key)
        switch entries[key] {
        case nil where kept.map(usableStored) == true:
            entries[key] = .ready(kept!)
            storedKeys[kept!] = key
            lock.unlock()
            return kept
        case nil where kept == nil:
            entries[key] = .seenOnce
            lock.unlock()
            return nil
        case nil, .seenOnce:
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
        var header = (directory as NSString).appendingPathComponent("preamble-\(n).h")
        let pch = (directory as NSString).appendingPathComponent("preamble-\(n).h.pch")
        let text = Array((preamble + "\n").utf8)
        // A header kept between runs is made from a preamble file that stays too (libclang checks it on load).
        if let kept {
            let source = String(kept.dropLast(4)) + ".h"
            if case .success(let existing) = RegularFile.read(source, limit: 1 << 20), existing == text {
                header = source
            } else {
                let tmp = source + ".tmp\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                if RegularFile.writeNew(path: tmp, contents: text), rename(tmp, source) == 0 { header = source } else { unlink(tmp) }
            }
        }
        var result: Entry = .failed
        let written = header.hasPrefix(directory) ? FileManager.default.createFile(atPath: header, contents: Data(text)) : true
        if written, index.savePrecompiledHeader(source: header, arguments: PrecompiledPython.headerArguments(arguments), to: pch) {
            result = .ready(pch)
            // Kept for later runs: copied under a temporary name, then renamed into place.
            if let kept, !header.hasPrefix(directory), let data = FileManager.default.contents(atPath: pch) {
                let tmp = kept + ".tmp\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                if RegularFile.writeNew(path: tmp, contents: [UInt8](data)) {
                    if rename(tmp, kept) != 0 { unlink(tmp) }
                }
            }
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
