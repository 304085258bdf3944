import Foundation

/// The ignore files of a git work tree (`.gitignore` in each folder, `.git/info/exclude`), read
/// as git reads them, for the folders bufferlint walks: what the project ignores (build output,
/// vendored trees, generated files) is not checked. Files named on the command line are always
/// checked. Only inside a work tree (a folder above holds `.git`); git itself is never run
/// (a repository's configuration could make it run commands).
public struct GitIgnore: Sendable {
    struct Pattern: Sendable {
        var glob: String
        var negated: Bool
        var directoryOnly: Bool
        /// Holds a `/` before its end: matched against the path from the ignore file's folder.
        var anchored: Bool
    }

    /// The patterns of one ignore file and the folder they are relative to.
    struct Rules: Sendable {
        var base: String
        var patterns: [Pattern]
    }

    var layers: [Rules] = []

    /// The work tree's root above `dir` (a folder holding `.git`), or nil.
    public static func workTree(of dir: String) -> String? {
        RegularFile.nearestFolder(from: RegularFile.lexicalPath(dir, cwd: FileManager.default.currentDirectoryPath), holding: [".git"])
    }

    /// The rules that hold for the files of `dir`: the root's `.git/info/exclude` and every
    /// `.gitignore` from the work tree's root down to `dir`. Nil outside a work tree.
    public static func forFolder(_ dir: String) -> GitIgnore? {
        guard let root = workTree(of: dir) else { return nil }
        var g = GitIgnore()
        g.add(file: (root as NSString).appendingPathComponent(".git/info/exclude"), base: root)
        let abs = RegularFile.lexicalPath(dir, cwd: FileManager.default.currentDirectoryPath)
        var folders = [root]
        if abs.hasPrefix(root + "/") {
            var d = root
            for part in abs.dropFirst(root.count + 1).split(separator: "/") { d += "/" + part; folders.append(d) }
        }
        for f in folders { g.add(file: (f as NSString).appendingPathComponent(".gitignore"), base: f) }
        return g
    }

    /// These rules with the `.gitignore` of a folder the walk enters.
    public func entering(_ dir: String) -> GitIgnore {
        var g = self
        g.add(file: (dir as NSString).appendingPathComponent(".gitignore"), base: RegularFile.lexicalPath(dir, cwd: FileManager.default.currentDirectoryPath))
        return g
    }

    mutating func add(file: String, base: String) {
        guard case .success(let bytes) = RegularFile.read(file, limit: 1 << 20) else { return }
        let patterns = GitIgnore.parse(SourceText.decode(bytes))
        if !patterns.isEmpty { layers.append(Rules(base: base, patterns: patterns)) }
    }

    static func parse(_ text: String) -> [Pattern] {
        var out: [Pattern] = []
        for raw in SourceText.lines(of: text) {
            var line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            if line.isEmpty || line.hasPrefix("#") { continue }
            // Trailing spaces go unless escaped.
            while line.hasSuffix(" ") && !line.hasSuffix("\\ ") { line.removeLast() }
            var negated = false
            if line.hasPrefix("!") { negated = true; line.removeFirst() } else if line.hasPrefix("\\!") || line.hasPrefix("\\#") { line.removeFirst() }
            var directoryOnly = false
            if line.hasSuffix("/") { directoryOnly = true; line.removeLast() }
            if line.isEmpty { continue }
            let anchored = line.contains("/")
            if line.hasPrefix("/") { line.removeFirst() }
            out.append(Pattern(glob: line, negated: negated, directoryOnly: directoryOnly, anchored: anchored))
        }
        return out
    }

    /// Whether the work tree ignores `path` (a folder when `isDirectory`): the last matching
    /// pattern decides, a deeper ignore file after the ones above it.
    public func ignores(_ path: String, isDirectory: Bool) -> Bool {
        let abs = RegularFile.lexicalPath(path, cwd: FileManager.default.currentDirectoryPath)
        var ignored = false
        for layer in layers {
            let prefix = layer.base == "/" ? "/" : layer.base + "/"
            guard abs.hasPrefix(prefix) else { continue }
            let rel = String(abs.dropFirst(prefix.count))
            let name = (rel as NSString).lastPathComponent
            for p in layer.patterns where !p.directoryOnly || isDirectory {
                // Anchored: the whole path from the ignore file's folder (`*` stays within a folder); else the name.
                let hit = p.anchored ? (p.glob.contains("/") || !rel.contains("/")) && Glob.matches(p.glob, rel) : Glob.matches(p.glob, name)
                if hit { ignored = !p.negated }
            }
        }
        return ignored
    }
}
