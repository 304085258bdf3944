import Foundation

/// The headers of a project, for quoted includes that neither the including file's folder nor a
/// `-I` folder holds. A build passes `-I include` (or the like); pre-commit and a user checking one
/// file pass nothing. The compiler would find `"wrap.h"` in the project, so bufferlint looks there
/// too: among the headers under the project's root (the nearest folder above the including file
/// that holds `.git` or `.bufferlint.yml`; without one, the current folder when the file lies
/// under it), the one whose path ends in the included name and whose folder is nearest the
/// including file's. Only regular files are listed, links are never followed: nothing outside the
/// root is read. Each root is listed once per run, when a first include needs it.
public final class ProjectHeaders: @unchecked Sendable {
    /// Header name -> the relative paths (from the root) of the files of that name.
    struct Index { var byName: [String: [String]] = [:] }

    private var indexes: [String: Index] = [:]
    private var roots: [String: String?] = [:]
    private let lock = NSLock()
    let cwd: String
    /// A root holding more files than this is listed only up to it (a monorepo's header is usually near).
    static let entryLimit = 200_000
    static let headerExtensions: Set<String> = ["h", "hh", "hpp", "hxx", "h++", "inc", "inl", "ipp", "tcc", "c", "cc", "cpp", "cxx"]
    /// Folders never listed: version control, caches and environments of other tools.
    static let skipped: Set<String> = [".git", ".hg", ".svn", ".build", "node_modules", ".tox", ".nox", ".venv", "venv", "__pycache__"]

    public init(cwd: String = FileManager.default.currentDirectoryPath) {
        self.cwd = RegularFile.lexicalPath(cwd, cwd: "/")
    }

    /// The project root for a file in `dir`, or nil.
    public func root(for dir: String) -> String? {
        let abs = RegularFile.lexicalPath(dir, cwd: cwd)
        lock.lock()
        if let hit = roots[abs] { lock.unlock(); return hit }
        lock.unlock()
        // Without a marker, the current folder when the file lies under it.
        let found = RegularFile.nearestFolder(from: abs, holding: [".git", ".bufferlint.yml"])
            ?? (abs == cwd || abs.hasPrefix(cwd == "/" ? "/" : cwd + "/") ? cwd : nil)
        lock.lock()
        roots[abs] = found
        lock.unlock()
        return found
    }

    /// The project header a quoted `#include "name"` in a file of `dir` most likely names, or nil.
    public func resolve(_ name: String, fromDir dir: String) -> String? {
        guard !name.hasPrefix("/"), !name.isEmpty, let root = root(for: dir) else { return nil }
        let parts = name.split(separator: "/").map(String.init)
        guard let base = parts.last, !parts.contains(".."),
              ProjectHeaders.headerExtensions.contains((base as NSString).pathExtension.lowercased()) else { return nil }
        let index = self.index(root)
        let suffix = "/" + parts.filter { $0 != "." }.joined(separator: "/")
        let candidates = (index.byName[base] ?? []).filter { ("/" + $0).hasSuffix(suffix) }
        guard !candidates.isEmpty else { return nil }
        let abs = RegularFile.lexicalPath(dir, cwd: cwd)
        let from = abs.hasPrefix(root + "/") ? String(abs.dropFirst(root.count)).split(separator: "/").map(String.init) : []
        // Nearest: the longest shared folder prefix, then the fewest folders, then by name.
        func shared(_ rel: String) -> Int {
            let folders = rel.split(separator: "/").dropLast().map(String.init)
            return zip(folders, from).prefix(while: { $0 == $1 }).count
        }
        let best = candidates.min { a, b in
            let (sa, sb) = (shared(a), shared(b))
            if sa != sb { return sa > sb }
            let (da, db) = (a.filter { $0 == "/" }.count, b.filter { $0 == "/" }.count)
            return da != db ? da < db : a < b
        }!
        return (root as NSString).appendingPathComponent(best)
    }

    func index(_ root: String) -> Index {
        lock.lock()
        if let hit = indexes[root] { lock.unlock(); return hit }
        lock.unlock()
        var index = Index()
        var count = 0
        var pending = [""]
        let fm = FileManager.default
        while let rel = pending.popLast(), count < ProjectHeaders.entryLimit {
            let dir = rel.isEmpty ? root : (root as NSString).appendingPathComponent(rel)
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            for name in names.sorted() {
                count += 1
                let child = rel.isEmpty ? name : (rel as NSString).appendingPathComponent(name)
                var st = stat()
                guard lstat((root as NSString).appendingPathComponent(child), &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR:
                    if !ProjectHeaders.skipped.contains(name) && !name.hasPrefix(".") { pending.append(child) }
                case S_IFREG:
                    if ProjectHeaders.headerExtensions.contains((name as NSString).pathExtension.lowercased()) {
                        index.byName[name, default: []].append(child)
                    }
                default: continue
                }
            }
        }
        lock.lock()
        indexes[root] = index
        lock.unlock()
        return index
    }
}
