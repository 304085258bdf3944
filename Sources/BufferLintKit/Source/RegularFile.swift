import Foundation

/// The only way bufferlint reads a file it did not write itself: regular files only, so that a
/// FIFO, a device or a link to one (`/dev/stdin`, `/dev/zero`) can neither hang the run nor
/// fill its memory, and never more than `limit` bytes.
public enum RegularFile {
    /// The lowercased extension of a path's last component ("" when none), without NSString.
    public static func pathExtension(_ path: String) -> String {
        let u = path.utf8
        guard let dot = u.lastIndex(of: UInt8(ascii: ".")) else { return "" }
        if let slash = u.lastIndex(of: UInt8(ascii: "/")), slash > dot { return "" }
        let ext = path[path.index(after: dot)...]
        return ext.contains(where: { $0.isUppercase }) ? ext.lowercased() : String(ext)
    }

    /// The nearest folder from `dir` (absolute, lexical) upwards that holds one of `names`, or nil.
    public static func nearestFolder(from dir: String, holding names: [String]) -> String? {
        var d = dir
        while true {
            if names.contains(where: { FileManager.default.fileExists(atPath: (d as NSString).appendingPathComponent($0)) }) { return d }
            let parent = (d as NSString).deletingLastPathComponent
            if parent == d || parent.isEmpty { return nil }
            d = parent
        }
    }

    /// `path` made absolute and free of `.`, `..` and repeated slashes, from its spelling alone:
    /// the same file named two ways (`a.c`, `./a.c`, `src/../a.c`) gets one key, without the
    /// system calls `standardizingPath` makes to resolve links.
    public static func lexicalPath(_ path: String, cwd: String) -> String {
        let full = path.hasPrefix("/") ? path : cwd + "/" + path
        // Most paths are already clean: no `.` or `..` component, no `//`, no trailing slash.
        var clean = true
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0, third: UInt8 = 0
        for c in full.utf8 {
            if c == UInt8(ascii: "/") && (previous == UInt8(ascii: "/")
                || (previous == UInt8(ascii: ".") && (beforePrevious == UInt8(ascii: "/") || (beforePrevious == UInt8(ascii: ".") && third == UInt8(ascii: "/"))))) {
                clean = false
                break
            }
            (third, beforePrevious, previous) = (beforePrevious, previous, c)
        }
        if clean && previous != UInt8(ascii: "/") && !(previous == UInt8(ascii: ".") && (beforePrevious == UInt8(ascii: "/") || beforePrevious == UInt8(ascii: "."))) {
            return full
        }
        var parts: [Substring] = []
        for c in full.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(c)
        }
        return "/" + parts.joined(separator: "/")
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case missing
        case notRegular(String)
        case unreadable(String)
        case tooLarge(Int)

        public var description: String {
            switch self {
            case .missing: return "no such file or directory"
            case .notRegular(let what): return "not a regular file (\(what)); not read"
            case .unreadable(let why): return "cannot read file (\(why))"
            case .tooLarge(let n): return "larger than \(n >> 20) MB; not read"
            }
        }
    }

    /// What kind of file `mode` describes, for messages; nil for a regular file.
    public static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    /// Whether `path` (links followed) is a regular file; the problem otherwise.
    public static func check(_ path: String) -> Problem? {
        var st = stat()
        guard stat(path, &st) == 0 else { return errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(String(cString: strerror(errno))) }
        return nonRegularKind(st.st_mode).map { .notRegular($0) }
    }

    public static func size(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0, nonRegularKind(st.st_mode) == nil else { return nil }
        return Int(st.st_size)
    }

    /// Reads the whole file. The kind is checked before opening (opening a device can act on it)
    /// and again on the open descriptor (the path may have changed in between).
    public static func read(_ path: String, limit: Int = Int.max) -> Result<[UInt8], Problem> {
        if let p = check(path) { return .failure(p) }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(errno == ENOENT ? .missing : .unreadable(String(cString: strerror(errno)))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        if let kind = nonRegularKind(st.st_mode) { return .failure(.notRegular(kind)) }
        if Int(st.st_size) > limit { return .failure(.tooLarge(limit)) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(st.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(String(cString: strerror(errno))))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > limit { return .failure(.tooLarge(limit)) }
        }
        return .success(bytes)
    }

    /// The file's bytes as `Data`, or nil for anything but a readable regular file of at most `limit` bytes.
    public static func contents(_ path: String, limit: Int = 64 << 20) -> Data? {
        if case .success(let bytes) = read(path, limit: limit) { return Data(bytes) }
        return nil
    }
}

extension RegularFile {
    /// Creates `path` (never through a link, never over a file) with `contents`; false when it cannot.
    /// For bufferlint's own files (the cache), where nothing of the user's is at stake.
    public static func writeNew(path: String, contents: [UInt8]) -> Bool {
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        let ok = writeAll(fd, contents)
        close(fd)
        if !ok { unlink(path) }
        return ok
    }

    /// Writes every byte, retrying short writes; false on an error.
    static func writeAll(_ fd: Int32, _ contents: [UInt8]) -> Bool {
        contents.withUnsafeBytes { buf -> Bool in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }
}
