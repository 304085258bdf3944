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
    /// nil, with the reason, when the folder cannot serve: a link (it could lead anywhere), not a
    /// folder, or not writable.
    public static func open(directory: String, runKey: String, roots: TrustedRoots? = nil) -> (cache: ResultCache?, warning: String?) {
        let fm = FileManager.default
        var st = stat()
        if lstat(directory, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK { return (nil, "cache folder \(directory) is a symbolic link; results are not cached") }
            if (st.st_mode & S_IFMT) != S_IFDIR { return (nil, "cache folder \(directory) is not a folder; results are not cached") }
        } else {
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                return (nil, "cache folder \(directory) cannot be created (\((error as NSError).localizedDescription)); results are not cached")
            }
        }
        if let roots, !roots.contains(directory) {
            return (nil, "cache folder \(directory) lies outside the project once links are resolved; results are not cached")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            return (nil, "cache folder \(directory) is not writable; results are not cached")
        }
        guard let secret else {
            return (nil, "no cache secret can be kept (set BUFFERLINT_CACHE_SECRET, or a writable HOME); results are not cached")
        }
        let ignore = (directory as NSString).appendingPathComponent(".gitignore")
        if lstat(ignore, &st) != 0 { _ = RegularFile.writeNew(path: ignore, contents: Array("# bufferlint's cache\n*\n".utf8)) }
        let cache = ResultCache(directory: directory, runKey: runKey + "\nsecret " + secret)
        cache.removeStaleTemps()
        return (cache, nil)
    }

    init(directory: String, runKey: String) {
        self.directory = directory
        self.runKey = runKey
    }

    /// A secret of this machine's user, part of every entry's key. The cache folder lies in the tree
    /// checked, so a pull request could commit entries of its own; without the secret it cannot
    /// compute a key that matches, and forged entries are never used. `BUFFERLINT_CACHE_SECRET`
    /// sets it (a CI job that restores its cache keeps the secret with it); otherwise it is kept in
    /// `$XDG_CACHE_HOME/bufferlint/secret` (`~/.cache/...`), made on first use. nil when neither
    /// can be had: the cache is then off.
    public static let secret: String? = {
        let env = ProcessInfo.processInfo.environment
        if let s = env["BUFFERLINT_CACHE_SECRET"], !s.isEmpty { return s }
        guard let base = env["XDG_CACHE_HOME"].flatMap({ $0.isEmpty ? nil : $0 }) ?? env["HOME"].map({ $0 + "/.cache" }) else { return nil }
        let dir = base + "/bufferlint"
        let file = dir + "/secret"
        if case .success(let bytes) = RegularFile.read(file, limit: 4096), bytes.count >= 32 { return String(decoding: bytes, as: UTF8.self) }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // The system generator is a cryptographic one (getrandom on Linux).
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let fd = Foundation.open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd >= 0 {
            let ok = RegularFile.writeAll(fd, Array(hex.utf8))
            close(fd)
            return ok ? hex : nil
        }
        // Made meanwhile by another run: read it back.
        if case .success(let bytes) = RegularFile.read(file, limit: 4096), bytes.count >= 32 { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }()

    /// Entries being written by runs that were killed (their process is gone).
    func removeStaleTemps() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            guard let r = name.range(of: ".json.tmp"), let dash = name[r.upperBound...].firstIndex(of: "-"),
                  let pid = Int32(name[r.upperBound..<dash]), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink((directory as NSString).appendingPathComponent(name))
        }
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
        var flow: FlowSummary?
        var completed: Bool?
    }

    func entryPath(for path: String) -> String {
        let abs = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return (directory as NSString).appendingPathComponent(String(SHA256.hex((abs as NSString).standardizingPath).prefix(32)) + ".json")
    }

    func key(bytes: [UInt8], flags: String) -> String { SHA256.hex(Array(runKey.utf8) + [0] + Array(flags.utf8) + [0] + bytes) }

    public func lookup(path: String, bytes: [UInt8], flags: String) -> FileResult? {
        guard case .success(let stored) = RegularFile.read(entryPath(for: path), limit: 64 << 20),
              let entry = try? JSONDecoder().decode(Entry.self, from: Data(stored)),
              entry.key == key(bytes: bytes, flags: flags) else { return nil }
        for (header, digest) in entry.headers {
            guard case .success(let h) = RegularFile.read(header), SHA256.hex(h) == digest else { return nil }
        }
        lock.lock(); hits += 1; lock.unlock()
        var r = FileResult(path: path)
        r.findings = entry.result.findings
        r.errors = entry.result.errors
        r.parsed = entry.result.parsed
        r.missingIncludes = entry.result.missingIncludes
        r.generator = entry.result.generator
        r.wrappers = entry.result.wrappers ?? []
        r.flow = entry.result.flow
        r.completed = entry.result.completed ?? false
        r.headers = Array(entry.headers.keys)
        return r
    }

    public func store(_ r: FileResult, bytes: [UInt8], flags: String) {
        var headers: [String: String] = [:]
        for h in r.headers {
            guard case .success(let d) = RegularFile.read(h) else { return }
            headers[h] = SHA256.hex(d)
        }
        let entry = Entry(key: key(bytes: bytes, flags: flags), headers: headers,
                          result: CachedResult(findings: r.findings, errors: r.errors, parsed: r.parsed, missingIncludes: r.missingIncludes,
                                                      generator: r.generator, wrappers: r.wrappers, flow: r.flow,
                                                      completed: r.completed))
        guard let data = try? JSONEncoder().encode(entry) else { return }
        let dest = entryPath(for: r.path)
        let tmp = dest + ".tmp\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if RegularFile.writeNew(path: tmp, contents: [UInt8](data)) {
            if rename(tmp, dest) != 0 { unlink(tmp) }
        }
    }
}
