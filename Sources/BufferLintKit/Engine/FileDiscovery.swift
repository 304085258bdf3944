import Foundation

/// Turns the paths given into the list of files to scan, with an error for
/// each path that cannot be used; directory symlink loops are reported once.
public struct FileDiscovery {
    public static let sourceExtensions: Set<String> = ["c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "i", "swg", "pyx", "pxd", "pxi"]
    public static let skippedDirectories: Set<String> = [".git", ".hg", ".svn", ".build", "build", "dist", ".tox", ".nox", "venv", ".venv",
                                                         "env", ".env", "node_modules", "__pycache__", ".eggs", ".mypy_cache",
                                                         ".pytest_cache", "site-packages", ".bufferlint-cache", "_build"]

    public var includeGlobs: [String] = []
    public var excludeGlobs: [String] = []
    /// The folder the globs are relative to (the configuration file's); nil: the paths as given.
    public var root: String?
    let cwd = FileManager.default.currentDirectoryPath

    /// Whether the folders walked skip what the git work tree's ignore files ignore.
    public var respectGitignore: Bool

    public init(includeGlobs: [String] = [], excludeGlobs: [String] = [], root: String? = nil, respectGitignore: Bool = true) {
        self.includeGlobs = includeGlobs
        self.excludeGlobs = excludeGlobs
        self.respectGitignore = respectGitignore
        self.root = root.map { RegularFile.lexicalPath($0, cwd: FileManager.default.currentDirectoryPath) }
    }

    /// The spellings a glob is matched against: the path as given and, under the root, relative to it.
    func spellings(_ path: String) -> [String] {
        guard let root else { return [path] }
        let abs = RegularFile.lexicalPath(path, cwd: cwd)
        let prefix = root == "/" ? "/" : root + "/"
        return abs.hasPrefix(prefix) ? [path, String(abs.dropFirst(prefix.count))] : [path]
    }

    public func files(for paths: [String]) -> (files: [String], errors: [InputError]) {
        var files: [String] = []
        var errors: [InputError] = []
        var seen = Set<String>()
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else {
                errors.append(InputError(file: p, message: "no such file or directory", kind: .unreadable))
                continue
            }
            if !isDir.boolValue {
                if let problem = RegularFile.check(p) {
                    errors.append(InputError(file: p, message: problem.description, kind: .unreadable))
                } else if seen.insert(p).inserted, !isExcluded(p) {
                    files.append(p)
                }
                continue
            }
            var visitedDirs = Set<String>()
            let (before, errorsBefore) = (files.count, errors.count)
            walk(p, into: &files, errors: &errors, seen: &seen, visited: &visitedDirs, ignore: respectGitignore ? GitIgnore.forFolder(p) : nil)
            // A folder given that holds nothing to check is a mistake (a typo, an empty or wrong folder), not "0 findings".
            if files.count == before && errors.count == errorsBefore && !visitedDirs.isEmpty && !isExcluded(p) {
                errors.append(InputError(file: p, message: "holds no file bufferlint reads (\(FileDiscovery.sourceExtensions.sorted().map { "." + $0 }.joined(separator: ", "))"
                    + "; folders such as \(FileDiscovery.skippedDirectories.sorted().prefix(6).joined(separator: ", ")) are skipped)", kind: .unreadable))
            }
        }
        return (files, errors)
    }

    /// The canonical path of a folder (symbolic links resolved), for loop detection.
    static func realPath(_ p: String) -> String {
        guard let r = realpath(p, nil) else { return (p as NSString).standardizingPath }
        defer { free(r) }
        return String(cString: r)
    }

    /// `ancestors`: the real paths of the folders being walked, outermost first.
    func walk(_ dir: String, into files: inout [String], errors: inout [InputError], seen: inout Set<String>, visited: inout Set<String>,
              ancestors: [String] = [], ignore: GitIgnore? = nil) {
        let real = FileDiscovery.realPath(dir)
        if ancestors.contains(real) {
            errors.append(InputError(file: dir, message: "directory symlink loop (leads back to \(real)); not followed"))
            return
        }
        // A second link to a folder already walked: its files are already listed.
        guard visited.insert(real).inserted else { return }
        let ancestors = ancestors + [real]
        let fm = FileManager.default
        let entries: [String]
        do { entries = try fm.contentsOfDirectory(atPath: dir).sorted() } catch {
            errors.append(InputError(file: dir, message: "cannot read directory (\((error as NSError).localizedFailureReason ?? "permission denied"))", kind: .unreadable))
            return
        }
        for name in entries {
            let path = dir == "." ? name : (dir as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }  // dangling link
            if isDir.boolValue {
                if FileDiscovery.skippedDirectories.contains(name) || name.hasSuffix(".egg-info") { continue }
                if isExcluded(path) || ignore?.ignores(path, isDirectory: true) == true { continue }
                walk(path, into: &files, errors: &errors, seen: &seen, visited: &visited, ancestors: ancestors, ignore: ignore?.entering(path))
            } else if FileDiscovery.isSource(name) {
                if isExcluded(path) || ignore?.ignores(path, isDirectory: false) == true { continue }
                if !includeGlobs.isEmpty && !spellings(path).contains(where: { p in includeGlobs.contains { Glob.matches($0, p) } }) { continue }
                // A FIFO or device named like a source file would hang the run or never end.
                if let problem = RegularFile.check(path) {
                    errors.append(InputError(file: path, message: problem.description, kind: .unreadable))
                    continue
                }
                if seen.insert(path).inserted { files.append(path) }
            }
        }
    }

    /// A source file by its name: one of `sourceExtensions`, or a C template such as numpy's
    /// `arraytypes.c.src` (C with `@name@` placeholders, expanded at build time).
    public static func isSource(_ name: String) -> Bool {
        let ext = (name as NSString).pathExtension.lowercased()
        if ext == "src" { return templateExtensions.contains(((name as NSString).deletingPathExtension as NSString).pathExtension.lowercased()) }
        return sourceExtensions.contains(ext)
    }
    static let templateExtensions: Set<String> = ["c", "h", "cpp", "hpp"]

    func isExcluded(_ path: String) -> Bool {
        guard !excludeGlobs.isEmpty else { return false }
        return spellings(path).contains { p in excludeGlobs.contains { Glob.matches($0, p) } }
    }
}

/// Shell-style globs where `**` crosses folders; a pattern without a `/` matches the file name
/// (or the whole path, where `*` then crosses folders too). Matched by stepping a set of pattern
/// positions over the path once: time is the path's length times the pattern's, whatever the
/// pattern (a configuration file is part of the tree checked; a backtracking matcher takes
/// exponential time on `*a*a*a*...b`).
public enum Glob {
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        let p = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        let compiled = compile(pattern)
        if !pattern.contains("/") {
            return run(compiled, Array((p as NSString).lastPathComponent.unicodeScalars), starCrossesFolders: false)
                || run(compiled, Array(p.unicodeScalars), starCrossesFolders: true)
        }
        return run(compiled, Array(p.unicodeScalars), starCrossesFolders: false)
    }

    enum Piece: Equatable {
        case literal(Unicode.Scalar)
        case one
        case set([ClosedRange<Unicode.Scalar>], negated: Bool)
        /// `*`
        case star
        /// `**` not followed by `/`: anything, folders included.
        case globstar
        /// `**/`: nothing, or anything that ends with `/`.
        case folders
    }

    static func compile(_ pattern: String) -> [Piece] {
        let u = Array(pattern.unicodeScalars)
        var out: [Piece] = []
        var i = 0
        while i < u.count {
            let c = u[i]
            switch c {
            case "\\" where i + 1 < u.count:
                out.append(.literal(u[i + 1])); i += 2
            case "*":
                var j = i
                while j < u.count && u[j] == "*" { j += 1 }
                if j - i >= 2 {
                    if j < u.count && u[j] == "/" { out.append(.folders); j += 1 } else { out.append(.globstar) }
                } else {
                    out.append(.star)
                }
                i = j
            case "?":
                out.append(.one); i += 1
            case "[":
                if let (piece, next) = bracket(u, from: i) { out.append(piece); i = next } else { out.append(.literal("[")); i += 1 }
            default:
                out.append(.literal(c)); i += 1
            }
        }
        return out
    }

    /// `[abc]`, `[a-z]`, `[!x]` or `[^x]`, a `]` first is literal; nil when not closed.
    static func bracket(_ u: [Unicode.Scalar], from start: Int) -> (Piece, Int)? {
        var i = start + 1
        var negated = false
        if i < u.count && (u[i] == "!" || u[i] == "^") { negated = true; i += 1 }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        var first = true
        while i < u.count {
            if u[i] == "]" && !first { return (.set(ranges, negated: negated), i + 1) }
            first = false
            let lo = u[i]
            if i + 2 < u.count && u[i + 1] == "-" && u[i + 2] != "]" {
                if lo <= u[i + 2] { ranges.append(lo...u[i + 2]) }
                i += 3
            } else {
                ranges.append(lo...lo)
                i += 1
            }
        }
        return nil
    }

    static func run(_ pieces: [Piece], _ text: [Unicode.Scalar], starCrossesFolders: Bool) -> Bool {
        let m = pieces.count
        var current = [Bool](repeating: false, count: m + 1)
        func close(_ s: inout [Bool]) {
            // Pieces that may match nothing let the next piece start at the same place.
            for i in 0..<m where s[i] {
                switch pieces[i] {
                case .star, .globstar, .folders: s[i + 1] = true
                default: break
                }
            }
        }
        current[0] = true
        close(&current)
        for c in text {
            var next = [Bool](repeating: false, count: m + 1)
            var any = false
            for i in 0..<m where current[i] {
                switch pieces[i] {
                case .literal(let l): if l == c { next[i + 1] = true }
                case .one: if c != "/" || starCrossesFolders { next[i + 1] = true }
                case .set(let ranges, let negated):
                    if (c != "/" || starCrossesFolders) && ranges.contains(where: { $0.contains(c) }) != negated { next[i + 1] = true }
                case .star: if c != "/" || starCrossesFolders { next[i] = true }
                case .globstar: next[i] = true
                case .folders:
                    next[i] = true
                    if c == "/" { next[i + 1] = true }
                }
            }
            close(&next)
            for b in next where b { any = true; break }
            if !any { return false }
            current = next
        }
        return current[m]
    }
}
