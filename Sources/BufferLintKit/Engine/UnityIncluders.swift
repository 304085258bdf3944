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

    /// Quoted include name -> the first file of the folder that includes it.
    static func scan(_ dir: String) -> [String: String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return [:] }
        var out: [String: String] = [:]
        for file in names.sorted() where sourceExtensions.contains((file as NSString).pathExtension.lowercased()) {
            let candidate = dir.isEmpty ? file : (dir as NSString).appendingPathComponent(file)
            guard case .success(let bytes) = RegularFile.read(candidate, limit: Linter.syntaxTreeSizeLimit) else { continue }
            let lexed = Lexer.lex(SourceText(bytes: bytes))
            for d in lexed.directives where d.kind == .include {
                guard let t = d.tokenRange.first else { continue }
                let spelled = lexed.spelling(at: t)
                guard spelled.hasPrefix("\""), spelled.hasSuffix("\""), spelled.count > 2 else { continue }
                let included = String(spelled.dropFirst().dropLast())
                guard sourceExtensions.contains((included as NSString).pathExtension.lowercased()), !included.contains("/"),
                      included != file, out[included] == nil else { continue }
                out[included] = candidate
            }
        }
        return out
    }
}
