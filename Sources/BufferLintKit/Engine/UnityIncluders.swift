import Foundation

/// For the parts of unity builds: which C or C++ file of a folder includes a file of the same
/// folder by its quoted name. Each folder's files are read once per run, whichever thread asks first.
final class UnityIncluders: @unchecked Sendable {
    private let lock = NSLock()
    private var folders: [String: [String: String]] = [:]
    /// The source files a file of the run includes, by its lexical path: read once, with the run.
    private var known: [String: [String]] = [:]
    static let sourceExtensions: Set<String> = ["c", "cc", "cpp", "cxx"]

    /// Records what the run's files include, so that their folders need not be read again.
    func remember(_ files: [(path: String, includes: [(name: String, angled: Bool)])]) {
        var k: [String: [String]] = [:]
        let cwd = FileManager.default.currentDirectoryPath
        for f in files where UnityIncluders.sourceExtensions.contains(RegularFile.pathExtension(f.path)) {
            k[RegularFile.lexicalPath(f.path, cwd: cwd)] = UnityIncluders.sources(among: f.includes)
        }
        lock.lock()
        known.merge(k) { a, _ in a }
        lock.unlock()
    }

    /// The quoted names of source files of the same folder that a file's bytes include (`unityPrefix`
    /// then reads the one includer as a compiler would).
    static func includedSources(_ bytes: [UInt8]) -> [String] {
        Prefilter.mayInclude(bytes) ? sources(among: Prefilter.includedNames(in: bytes)) : []
    }

    static func sources(among includes: [(name: String, angled: Bool)]) -> [String] {
        includes.compactMap { name, angled in
            !angled && !name.contains("/") && sourceExtensions.contains(RegularFile.pathExtension(name)) ? name : nil
        }
    }

    /// The first file (by name) of `path`'s folder that includes it; nil when none does.
    func includer(of path: String) -> String? {
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        lock.lock()
        if let map = folders[dir] { lock.unlock(); return map[name] }
        let remembered = known
        lock.unlock()
        let map = UnityIncluders.scan(dir, known: remembered)
        lock.lock()
        folders[dir] = map
        lock.unlock()
        return map[name]
    }

    /// The paths, each followed by the source files of its folder it includes (`#include "part.c"`),
    /// and theirs, that are not already among them: a file given alone (as pre-commit gives a changed
    /// one) still has its parts scanned, each once, at its own path. A file named twice comes once.
    /// `read` reads a file (each once, here) and `includes` gives what it includes, found from its bytes.
    static func withIncludedParts<T>(_ paths: [String], isExcluded: (String) -> Bool, read: (String) -> T,
                                     includes: (T) -> [(name: String, angled: Bool)]) -> [(String, T)] {
        let cwd = FileManager.default.currentDirectoryPath
        var seen = Set(paths.map { RegularFile.lexicalPath($0, cwd: cwd) })
        var out: [(String, T)] = []
        var added = Set<String>()
        func add(_ path: String, depth: Int) {
            // A file named twice (`a.c` and `./a.c`) is scanned once.
            guard added.insert(RegularFile.lexicalPath(path, cwd: cwd)).inserted else { return }
            let content = read(path)
            out.append((path, content))
            guard depth < 16, sourceExtensions.contains(RegularFile.pathExtension(path)) else { return }
            let dir = (path as NSString).deletingLastPathComponent
            for name in sources(among: includes(content)) {
                let part = dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
                let key = RegularFile.lexicalPath(part, cwd: cwd)
                var isDir: ObjCBool = false
                guard !seen.contains(key), FileManager.default.fileExists(atPath: part, isDirectory: &isDir), !isDir.boolValue,
                      !isExcluded(part) else { continue }
                seen.insert(key)
                add(part, depth: depth + 1)
            }
        }
        for p in paths { add(p, depth: 0) }
        return out
    }

    /// Quoted include name -> the first file of the folder that includes it.
    static func scan(_ dir: String, known: [String: [String]] = [:]) -> [String: String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return [:] }
        let cwd = FileManager.default.currentDirectoryPath
        var out: [String: String] = [:]
        for file in names.sorted() where sourceExtensions.contains(RegularFile.pathExtension(file)) {
            let candidate = dir.isEmpty ? file : (dir as NSString).appendingPathComponent(file)
            let included: [String]
            if let k = known[RegularFile.lexicalPath(candidate, cwd: cwd)] { included = k } else {
                guard case .success(let bytes) = RegularFile.read(candidate, limit: Linter.syntaxTreeSizeLimit) else { continue }
                included = includedSources(bytes)
            }
            for name in included where name != file && out[name] == nil { out[name] = candidate }
        }
        return out
    }
}
