import Foundation

/// For the parts of unity builds: which C or C++ file of a folder includes a file of the same
/// folder by its quoted name. Each folder's files are read once per run, whichever thread asks first.
final class UnityIncluders: @unchecked Sendable {
    private let lock = NSLock()
    private var folders: [String: [String: String]] = [:]
    static let sourceExtensions: Set<String> = ["c", "cc", "cpp", "cxx"]

    /// The first file (by name) of `path`'s folder that includes it; nil when none does.
    func includer(of path: String) -> String? {
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        lock.lock()
        if let known = folders[dir] { lock.unlock(); return known[name] }
        lock.unlock()
        let map = UnityIncluders.scan(dir)
        lock.lock()
        folders[dir] = map
        lock.unlock()
        return map[name]
    }

    /// The paths, each followed by the source files of its folder it includes (`#include "part.c"`),
    /// and theirs, that are not already among them: a file given alone (as pre-commit gives a changed
    /// one) still has its parts scanned, each once, at its own path. A file named twice comes once.
    static func withIncludedParts(_ paths: [String], isExcluded: (String) -> Bool) -> [String] {
        var seen = Set(paths.map { ($0 as NSString).standardizingPath })
        var out: [String] = []
        var added = Set<String>()
        func add(_ path: String, depth: Int) {
            // A file named twice (`a.c` and `./a.c`) is scanned once.
            guard added.insert((path as NSString).standardizingPath).inserted else { return }
            out.append(path)
            guard depth < 16, sourceExtensions.contains((path as NSString).pathExtension.lowercased()) else { return }
            for part in parts(of: path) {
                let key = (part as NSString).standardizingPath
                guard !seen.contains(key), !isExcluded(part) else { continue }
                seen.insert(key)
                add(part, depth: depth + 1)
            }
        }
        for p in paths { add(p, depth: 0) }
        return out
    }

    /// The source files of `path`'s folder that it includes by a quoted name, in order.
    static func parts(of path: String) -> [String] {
        guard case .success(let bytes) = RegularFile.read(path, limit: Linter.syntaxTreeSizeLimit) else { return [] }
        let dir = (path as NSString).deletingLastPathComponent
        var out: [String] = []
        for name in includedSources(Lexer.lex(SourceText(bytes: bytes))) {
            let part = dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: part, isDirectory: &isDir), !isDir.boolValue, !out.contains(part) { out.append(part) }
        }
        return out
    }

    /// The quoted names of source files of the same folder a file includes.
    static func includedSources(_ lexed: LexedFile) -> [String] {
        lexed.directives.compactMap { d in
            guard d.kind == .include, let t = d.tokenRange.first else { return nil }
            let spelled = lexed.spelling(at: t)
            guard spelled.hasPrefix("\""), spelled.hasSuffix("\""), spelled.count > 2 else { return nil }
            let included = String(spelled.dropFirst().dropLast())
            guard sourceExtensions.contains((included as NSString).pathExtension.lowercased()), !included.contains("/") else { return nil }
            return included
        }
    }

    /// Quoted include name -> the first file of the folder that includes it.
    static func scan(_ dir: String) -> [String: String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return [:] }
        var out: [String: String] = [:]
        for file in names.sorted() where sourceExtensions.contains((file as NSString).pathExtension.lowercased()) {
            let candidate = dir.isEmpty ? file : (dir as NSString).appendingPathComponent(file)
            guard case .success(let bytes) = RegularFile.read(candidate, limit: Linter.syntaxTreeSizeLimit) else { continue }
            for included in includedSources(Lexer.lex(SourceText(bytes: bytes))) where included != file && out[included] == nil {
                out[included] = candidate
            }
        }
        return out
    }
}
