import Foundation

/// The folders whose files a run may read on behalf of the files it checks: the project (the
/// current folder, the configuration's folder, the paths and folders the user named), Python's
/// headers and the system's. Everything else is outside, whatever a checked file, a
/// configuration file or a compilation database asks for.
public struct TrustedRoots: Sendable, Equatable {
    /// Real paths (links resolved), each ending in `/`.
    public let roots: [String]

    public init(_ folders: [String]) {
        var seen = Set<String>()
        roots = folders.compactMap { f -> String? in
            guard !f.isEmpty else { return nil }
            let real = TrustedRoots.realPath(f)
            let r = real.hasSuffix("/") ? real : real + "/"
            return seen.insert(r).inserted ? r : nil
        }
    }

    /// Whether `path` (links resolved) lies under one of the roots.
    public func contains(_ path: String) -> Bool {
        let real = TrustedRoots.realPath(path)
        return roots.contains { real.hasPrefix($0) || real + "/" == $0 }
    }

    /// The canonical path; for a path that does not exist, its folder's canonical path and its name.
    public static func realPath(_ p: String) -> String {
        if let r = realpath(p, nil) { defer { free(r) }; return String(cString: r) }
        let abs = p.hasPrefix("/") ? p : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(p)
        let parent = (abs as NSString).deletingLastPathComponent
        if parent != abs, let r = realpath(parent, nil) {
            defer { free(r) }
            return (String(cString: r) as NSString).appendingPathComponent((abs as NSString).lastPathComponent)
        }
        return (abs as NSString).standardizingPath
    }
}

/// libclang opens every file an `#include` names, in every branch it compiles, before bufferlint
/// sees anything. A file is therefore handed to libclang only when each `#include`, `#include_next`
/// and `#import` of it, and of the project headers it reaches, in every branch, names only regular
/// files under the trusted roots, wherever the compiler may look for them. (A computed include,
/// `#include MACRO`, could name anything: where the token scan finds one in a branch that may be
/// compiled, the file is not parsed either.) Such a file is still checked from its tokens.
public struct IncludeGate: Sendable {
    public var resolver: IncludeResolver
    public var roots: TrustedRoots
    public var headers: HeaderCache
    /// Larger headers are not parsed: libclang would read them whole.
    public static let headerSizeLimit = 16 << 20

    public init(resolver: IncludeResolver, roots: TrustedRoots, headers: HeaderCache) {
        self.resolver = resolver
        self.roots = roots
        self.headers = headers
    }

    /// Why the file must not be parsed, or nil when it may be.
    public func refusal(for lexed: LexedFile, path: String) -> String? {
        var visited: Set<String> = [IncludeResolver.normalize(path)]
        return refusal(lexed, path: path, isMain: true, visited: &visited, depth: 0)
    }

    func refusal(_ file: LexedFile, path: String, isMain: Bool, visited: inout Set<String>, depth: Int) -> String? {
        let dir = (path as NSString).deletingLastPathComponent
        let shown = isMain ? "" : " (in \(path))"
        for d in file.directives {
            guard let (name, angled) = IncludeGate.includeName(file, d) else { continue }
            // A computed include counts where it may be compiled: the token scan says so (`computedIncludes`).
            guard let name else { continue }
            let line = file.text.line(of: d.start)
            for candidate in candidates(name, angled: angled, fromDir: dir) {
                var st = stat()
                guard stat(candidate, &st) == 0 else { continue }
                if let kind = RegularFile.nonRegularKind(st.st_mode) {
                    return "`#include` at line \(line)\(shown) names \(kind) (\(candidate))"
                }
                if !roots.contains(candidate) {
                    return "`#include` at line \(line)\(shown) names a file outside the project (\(candidate))"
                }
                if Int(st.st_size) > IncludeGate.headerSizeLimit {
                    return "`#include` at line \(line)\(shown) names a file over \(IncludeGate.headerSizeLimit >> 20) MB (\(candidate))"
                }
            }
            // Project headers are followed: their includes are opened too.
            if case .project(let header) = resolver.resolve(name, angled: angled, fromDir: dir), depth < 40,
               visited.insert(header).inserted, let h = headers.lexedHeader(header),
               let why = refusal(h, path: header, isMain: false, visited: &visited, depth: depth + 1) {
                return why
            }
        }
        return nil
    }

    /// Every place a compiler may find `name`: the including file's folder for quoted names, then
    /// the search folders. Python's and the system's folders are trusted and not listed.
    func candidates(_ name: String, angled: Bool, fromDir: String) -> [String] {
        if name.hasPrefix("/") { return [name] }
        var out: [String] = []
        if !angled { out.append((fromDir as NSString).appendingPathComponent(name)) }
        out += resolver.userDirs.map { ($0 as NSString).appendingPathComponent(name) }
        return out
    }

    /// For an include-like directive: the name it includes (nil when computed) and whether it is
    /// angled. Read from the directive's text, line continuations joined.
    static func includeName(_ file: LexedFile, _ d: Directive) -> (String?, Bool)? {
        guard d.kind == .include || d.kind == .includeNext || d.kind == .other else { return nil }
        var text = file.text.text(d.start..<d.end).replacingOccurrences(of: "\\\r\n", with: "").replacingOccurrences(of: "\\\n", with: "")
        text = String(text.drop(while: { $0 == "%" }).dropFirst().drop(while: { $0 == " " || $0 == "\t" }))
        let keyword = String(text.prefix(while: { $0.isLetter || $0 == "_" }))
        guard ["include", "include_next", "import"].contains(keyword) else { return nil }
        let rest = text.dropFirst(keyword.count).drop(while: { $0 == " " || $0 == "\t" })
        guard let open = rest.first else { return (nil, false) }
        let close: Character = open == "<" ? ">" : "\""
        guard open == "<" || open == "\"", let end = rest.dropFirst().firstIndex(of: close) else { return (nil, false) }
        return (String(rest[rest.index(after: rest.startIndex)..<end]), open == "<")
    }
}
