import CClang
import Foundation

/// Why a fixed file was not written.
public struct WriteRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// Writes fixed files so that nothing a user owns is lost or half-written: each file is written in
/// full to a temporary file beside it (same owner, permissions and extended attributes), and only
/// when every file of the run is ready are they renamed into place. A file is refused when it
/// changed since it was read, is a link, has other hard links (a new file would split them), or
/// lies outside the folders the run may write to (a folder link out of the tree).
public enum SafeFileWriter {
    /// A file written beside its target, not yet in place.
    public struct Staged: Sendable {
        public var path: String
        var temp: String
        /// nil for a new file (a support header), which never replaces one that is there.
        var original: stat?
    }

    /// The prefix of temporary files: `.NAME.bufferlint-PID-XXXXXX`, so that one left by a killed
    /// run is recognised (its process is gone) and removed by the next.
    static func tempPrefix(for path: String) -> String { ".\((path as NSString).lastPathComponent).bufferlint-" }

    /// Prepares the replacement of `path`, whose content must still be `expected`.
    public static func stageReplacement(path: String, expected: [UInt8], contents: [UInt8], roots: TrustedRoots?) throws -> Staged {
        try checkPlace(path, roots: roots)
        var st = stat()
        guard lstat(path, &st) == 0 else { throw WriteRefusal(path: path, message: "cannot be read any more (\(String(cString: strerror(errno))))") }
        if (st.st_mode & S_IFMT) == S_IFLNK {
            throw WriteRefusal(path: path, message: "is a symbolic link; fix the file it points to instead")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw WriteRefusal(path: path, message: "is not a regular file") }
        if st.st_nlink > 1 {
            throw WriteRefusal(path: path, message: "has \(st.st_nlink) hard links; a fixed copy would split them, so it is not written (fix one of the links after making it a file of its own)")
        }
        guard case .success(let now) = RegularFile.read(path), now == expected else {
            throw WriteRefusal(path: path, message: "changed since it was read; not written (run fix again)")
        }
        let temp = try writeTemp(beside: path, contents: contents, like: st)
        return Staged(path: path, temp: temp, original: st)
    }

    /// Prepares a new file at `path`; nil when a file is already there (it is never overwritten).
    public static func stageNew(path: String, contents: [UInt8], roots: TrustedRoots?) throws -> Staged? {
        try checkPlace(path, roots: roots)
        var st = stat()
        if lstat(path, &st) == 0 {
            // A file of that name is kept as it is; anything else there would not be included.
            if stat(path, &st) != 0 { throw WriteRefusal(path: path, message: "is a link to nothing; the fix needs this file here") }
            if let kind = RegularFile.nonRegularKind(st.st_mode) {
                throw WriteRefusal(path: path, message: "is \(kind), not a file; the fix needs this file here")
            }
            return nil
        }
        let temp = try writeTemp(beside: path, contents: contents, like: nil)
        return Staged(path: path, temp: temp, original: nil)
    }

    /// Puts every staged file in place: the paths placed, and the refusal that stopped it (nil when
    /// all were placed). The checks were made while staging; a replaced file is looked at once more
    /// just before its rename, so only a change made in that instant can stop it halfway.
    @discardableResult
    public static func commit(_ staged: [Staged]) -> (placed: [String], refusal: WriteRefusal?) {
        var placed: [String] = []
        for (k, s) in staged.enumerated() {
            var problem: String? = nil
            if let st = s.original {
                var now = stat()
                if !(lstat(s.path, &now) == 0 && now.st_mtim.tv_sec == st.st_mtim.tv_sec && now.st_mtim.tv_nsec == st.st_mtim.tv_nsec
                     && now.st_size == st.st_size && now.st_ino == st.st_ino) {
                    problem = "changed since it was read; not written (run fix again)"
                } else if rename(s.temp, s.path) != 0 {
                    problem = "cannot replace the file (\(String(cString: strerror(errno))))"
                }
            } else {
                // link() creates the name only if nothing is there: a file made meanwhile is kept.
                if link(s.temp, s.path) != 0 && errno != EEXIST { problem = "cannot be created (\(String(cString: strerror(errno))))" }
                unlink(s.temp)
            }
            if let problem {
                discard(Array(staged[k...]))
                return (placed, WriteRefusal(path: s.path, message: problem))
            }
            placed.append(s.path)
        }
        return (placed, nil)
    }

    public static func discard(_ staged: [Staged]) {
        for s in staged { unlink(s.temp) }
    }

    /// Replaces one file (stage and commit).
    public static func replace(path: String, expected: [UInt8], with contents: [UInt8], roots: TrustedRoots? = nil) throws {
        if let refusal = commit([try stageReplacement(path: path, expected: expected, contents: contents, roots: roots)]).refusal { throw refusal }
    }

    /// The folder a file is written in must lie under `roots` once its links are resolved.
    static func checkPlace(_ path: String, roots: TrustedRoots?) throws {
        guard let roots else { return }
        let dir = (path as NSString).deletingLastPathComponent
        let real = TrustedRoots.realPath(dir.isEmpty ? "." : dir)
        if !roots.contains(real) {
            throw WriteRefusal(path: path, message: "is reached through a link that leads out of the project (to \(real)); not written")
        }
    }

    static func writeTemp(beside path: String, contents: [UInt8], like original: stat?) throws -> String {
        let dir = (path as NSString).deletingLastPathComponent
        removeStaleTemps(of: path)
        var template = Array(((dir.isEmpty ? "." : dir) as NSString)
            .appendingPathComponent(tempPrefix(for: path) + "\(getpid())-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw WriteRefusal(path: path, message: "cannot create a temporary file next to it (\(String(cString: strerror(errno))))")
        }
        let temp = String(cString: template)
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(temp) }
        }
        guard RegularFile.writeAll(fd, contents) else {
            throw WriteRefusal(path: path, message: "cannot write the fixed file (\(String(cString: strerror(errno))))")
        }
        if let st = original {
            // The owner first: changing it clears set-id bits, which the mode then restores.
            if fchown(fd, st.st_uid, st.st_gid) != 0 && geteuid() == 0 {
                throw WriteRefusal(path: path, message: "cannot keep its owner (\(String(cString: strerror(errno))))")
            }
            try copyExtendedAttributes(from: path, to: fd)
            guard fchmod(fd, st.st_mode & 0o7777) == 0 else {
                throw WriteRefusal(path: path, message: "cannot keep its permissions (\(String(cString: strerror(errno))))")
            }
        } else {
            let mask = umask(0); umask(mask)
            fchmod(fd, 0o644 & ~mask)
        }
        guard fsync(fd) == 0 else {
            throw WriteRefusal(path: path, message: "cannot write the fixed file (\(String(cString: strerror(errno))))")
        }
        ok = true
        return temp
    }

    static func copyExtendedAttributes(from path: String, to fd: Int32) throws {
        let size = listxattr(path, nil, 0)
        guard size > 0 else { return }
        var names = [CChar](repeating: 0, count: size)
        let n = listxattr(path, &names, size)
        guard n > 0 else { return }
        var start = 0
        while start < n {
            let name = String(cString: Array(names[start..<n]) + [0])
            start += name.utf8.count + 1
            let vsize = getxattr(path, name, nil, 0)
            guard vsize >= 0 else { continue }
            var value = [UInt8](repeating: 0, count: max(vsize, 1))
            let got = getxattr(path, name, &value, vsize)
            guard got >= 0, fsetxattr(fd, name, value, got, 0) == 0 else {
                throw WriteRefusal(path: path, message: "cannot keep its extended attribute \(name) (\(String(cString: strerror(errno)))); not written")
            }
        }
    }

    /// Removes temporary files of `path` left by runs that were killed (their process is gone).
    static func removeStaleTemps(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let folder = dir.isEmpty ? "." : dir
        let prefix = tempPrefix(for: path)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), rest[rest.index(after: dash)...].count == 6 else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                unlink((folder as NSString).appendingPathComponent(name))
            }
        }
    }
}
