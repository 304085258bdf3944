import Foundation

/// Why a fixed file was not written.
public struct WriteRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// Writes a fixed file in one step: a temporary file in the same folder with the original's
/// permissions, then a rename over the original; refused when the file changed since it was read.
public enum SafeFileWriter {
    /// Replaces `path`, whose content must still be `expected`, with `contents`.
    public static func replace(path: String, expected: [UInt8], with contents: [UInt8]) throws {
        let fm = FileManager.default
        var st = stat()
        guard lstat(path, &st) == 0 else { throw WriteRefusal(path: path, message: "cannot be read any more (\(String(cString: strerror(errno))))") }
        if (st.st_mode & S_IFMT) == S_IFLNK {
            throw WriteRefusal(path: path, message: "is a symbolic link; fix the file it points to instead")
        }
        guard let now = fm.contents(atPath: path), [UInt8](now) == expected else {
            throw WriteRefusal(path: path, message: "changed since it was read; not written (run fix again)")
        }
        let mode = st.st_mode & 0o7777
        let dir = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        var template = Array(((dir.isEmpty ? "." : dir) as NSString).appendingPathComponent(".\(base).bufferlint-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WriteRefusal(path: path, message: "cannot create a temporary file next to it (\(String(cString: strerror(errno))))") }
        let temp = String(cString: template)
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        let written = writeAll(fd, contents)
        guard written, fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            close(fd)
            throw WriteRefusal(path: path, message: "cannot write the fixed file (\(String(cString: strerror(errno))))")
        }
        close(fd)
        // Last look just before the rename: someone may have written the file meanwhile.
        var st2 = stat()
        guard lstat(path, &st2) == 0, st2.st_mtim.tv_sec == st.st_mtim.tv_sec, st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec, st2.st_size == st.st_size else {
            throw WriteRefusal(path: path, message: "changed since it was read; not written (run fix again)")
        }
        guard rename(temp, path) == 0 else {
            throw WriteRefusal(path: path, message: "cannot replace the file (\(String(cString: strerror(errno))))")
        }
        ok = true
    }

    /// Writes every byte, retrying short writes; false on an error.
    static func writeAll(_ fd: Int32, _ contents: [UInt8]) -> Bool {
        contents.withUnsafeBytes { buf -> Bool in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }

    /// Creates `path` with `contents` unless a file is already there (it is never overwritten).
    /// Returns whether it wrote.
    public static func create(path: String, contents: [UInt8]) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw WriteRefusal(path: path, message: "cannot be created (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        let ok = writeAll(fd, contents)
        if !ok {
            unlink(path)
            throw WriteRefusal(path: path, message: "cannot be written (\(String(cString: strerror(errno))))")
        }
        return true
    }
}
