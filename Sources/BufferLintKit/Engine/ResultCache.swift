import Foundation

/// Per-file results kept between runs. An entry is used only when the file's
/// bytes, its flags, the rule set, the bufferlint version and the contents of
/// every project header it reached are all unchanged; anything unreadable or
/// malformed is ignored and rewritten, never trusted.
public final class ResultCache: @unchecked Sendable {
    public let directory: String
    private let runKey: String
    public private(set) var hits = 0
    private let lock = NSLock()

    /// `runKey`: what is the same for every file of a run (version, rules, options).
    public init?(directory: String, runKey: String) {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch { return nil }
        let ignore = (directory as NSString).appendingPathComponent(".gitignore")
        if !fm.fileExists(atPath: ignore) { fm.createFile(atPath: ignore, contents: Data("# bufferlint's cache\n*\n".utf8)) }
        self.directory = directory
        self.runKey = runKey
    }

    struct Entry: Codable {
        var key: String
        var headers: [String: String]
        var result: CachedResult
    }

    struct CachedResult: Codable {
        var findings: [Finding]
        var errors: [InputError]
        var parsed: Bool
        var missingIncludes: [MissingInclude]
        var generator: String?
        var wrappers: [WrapperFunction]?
    }

    func entryPath(for path: String) -> String {
        let abs = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return (directory as NSString).appendingPathComponent(String(SHA256.hex((abs as NSString).standardizingPath).prefix(32)) + ".json")
    }

    func key(bytes: [UInt8], flags: String) -> String { SHA256.hex(Array(runKey.utf8) + [0] + Array(flags.utf8) + [0] + bytes) }

    public func lookup(path: String, bytes: [UInt8], flags: String) -> FileResult? {
        guard let data = FileManager.default.contents(atPath: entryPath(for: path)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data),
              entry.key == key(bytes: bytes, flags: flags) else { return nil }
        for (header, digest) in entry.headers {
            guard let h = FileManager.default.contents(atPath: header), SHA256.hex([UInt8](h)) == digest else { return nil }
        }
        lock.lock(); hits += 1; lock.unlock()
        var r = FileResult(path: path)
        r.findings = entry.result.findings
        r.errors = entry.result.errors
        r.parsed = entry.result.parsed
        r.missingIncludes = entry.result.missingIncludes
        r.generator = entry.result.generator
        r.wrappers = entry.result.wrappers ?? []
        r.headers = Array(entry.headers.keys)
        return r
    }

    public func store(_ r: FileResult, bytes: [UInt8], flags: String) {
        var headers: [String: String] = [:]
        for h in r.headers {
            guard let d = FileManager.default.contents(atPath: h) else { return }
            headers[h] = SHA256.hex([UInt8](d))
        }
        let entry = Entry(key: key(bytes: bytes, flags: flags), headers: headers,
                          result: CachedResult(findings: r.findings, errors: r.errors, parsed: r.parsed, missingIncludes: r.missingIncludes,
                                                      generator: r.generator, wrappers: r.wrappers))
        guard let data = try? JSONEncoder().encode(entry) else { return }
        let dest = entryPath(for: r.path)
        let tmp = dest + ".tmp\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if FileManager.default.createFile(atPath: tmp, contents: data) {
            if rename(tmp, dest) != 0 { unlink(tmp) }
        }
    }
}
