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

    public init(includeGlobs: [String] = [], excludeGlobs: [String] = []) {
        self.includeGlobs = includeGlobs
        self.excludeGlobs = excludeGlobs
    }

    public func files(for paths: [String]) -> (files: [String], errors: [InputError]) {
        var files: [String] = []
        var errors: [InputError] = []
        var seen = Set<String>()
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else {
                errors.append(InputError(file: p, message: "no such file or directory"))
                continue
            }
            if !isDir.boolValue {
                if seen.insert(p).inserted, !isExcluded(p) { files.append(p) }
                continue
            }
            var visitedDirs = Set<String>()
            walk(p, into: &files, errors: &errors, seen: &seen, visited: &visitedDirs)
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
              ancestors: [String] = []) {
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
            errors.append(InputError(file: dir, message: "cannot read directory (permission denied?)"))
            return
        }
        for name in entries {
            let path = dir == "." ? name : (dir as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }  // dangling link
            if isDir.boolValue {
                if FileDiscovery.skippedDirectories.contains(name) || name.hasSuffix(".egg-info") { continue }
                if isExcluded(path) { continue }
                walk(path, into: &files, errors: &errors, seen: &seen, visited: &visited, ancestors: ancestors)
            } else if FileDiscovery.isSource(name) {
                if isExcluded(path) { continue }
                if !includeGlobs.isEmpty && !includeGlobs.contains(where: { Glob.matches($0, path) }) { continue }
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

    func isExcluded(_ path: String) -> Bool { excludeGlobs.contains { Glob.matches($0, path) } }
}

/// Shell-style globs where `**` crosses folders; a pattern without a `/` matches the file name.
public enum Glob {
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        let p = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        if !pattern.contains("/") { return fnmatch(pattern, (p as NSString).lastPathComponent, 0) == 0 || fnmatch(pattern, p, 0) == 0 }
        // `*` stays within a folder; `**` is handled below.
        if fnmatch(pattern, p, FNM_PATHNAME) == 0 { return true }
        // `dir/**` and `**/x`: let ** match any number of folders.
        let regex = "^" + NSRegularExpression.escapedPattern(for: pattern)
            .replacingOccurrences(of: "\\*\\*/", with: "(.*/)?")
            .replacingOccurrences(of: "\\*\\*", with: ".*")
            .replacingOccurrences(of: "\\*", with: "[^/]*")
            .replacingOccurrences(of: "\\?", with: "[^/]") + "$"
        return p.range(of: regex, options: .regularExpression) != nil
    }
}
