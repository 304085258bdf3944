import Foundation

/// Finds the file an `#include` names, the way a compiler searches: the
/// including file's folder for quoted names, then `-I` folders, then Python's
/// include folder, then (quoted names) the project's own headers (`ProjectHeaders`: what a
/// build's `-I` would have found), then the system's.
public struct IncludeResolver: Sendable {
    public enum Resolution: Sendable, Equatable {
        /// A header of the project: its macros are read.
        case project(String)
        /// Python's own header.
        case python
        /// A system or compiler header: present, not read.
        case system
        case missing
    }

    public var userDirs: [String]
    public var pythonInclude: String?
    public var systemDirs: [String]
    public var projectHeaders: ProjectHeaders?

    public init(userDirs: [String], pythonInclude: String?, systemDirs: [String] = IncludeResolver.defaultSystemDirs,
                projectHeaders: ProjectHeaders? = nil) {
        self.userDirs = userDirs
        self.pythonInclude = pythonInclude
        self.systemDirs = systemDirs
        self.projectHeaders = projectHeaders
    }

    public static let defaultSystemDirs: [String] = {
        var dirs = ["/usr/local/include", "/usr/include/x86_64-linux-gnu", "/usr/include/aarch64-linux-gnu", "/usr/include"]
        let fm = FileManager.default
        for base in ["/usr/lib/gcc/x86_64-linux-gnu", "/usr/lib/gcc/aarch64-linux-gnu"] {
            for v in (try? fm.contentsOfDirectory(atPath: base)) ?? [] { dirs.append("\(base)/\(v)/include") }
        }
        for v in (try? fm.contentsOfDirectory(atPath: "/usr/include/c++")) ?? [] {
            dirs.append("/usr/include/c++/\(v)")
            dirs.append("/usr/include/x86_64-linux-gnu/c++/\(v)")
        }
        for v in (try? fm.contentsOfDirectory(atPath: "/usr/lib/llvm-14/lib/clang")) ?? [] {
            dirs.append("/usr/lib/llvm-14/lib/clang/\(v)/include")
        }
        return dirs
    }()

    public func resolve(_ name: String, angled: Bool, fromDir: String) -> Resolution {
        locate(name, angled: angled, fromDir: fromDir).resolution
    }

    /// `resolve`, and for a header found among the project's own (no `-I` named its folder) the
    /// folder a build's `-I` would name, so that the parse can be given it.
    public func locate(_ name: String, angled: Bool, fromDir: String) -> (resolution: Resolution, projectFolder: String?) {
        let fm = FileManager.default
        if !angled {
            let p = (fromDir as NSString).appendingPathComponent(name)
            if fm.fileExists(atPath: p) { return (.project(IncludeResolver.normalize(p)), nil) }
        }
        for d in userDirs {
            let p = (d as NSString).appendingPathComponent(name)
            if fm.fileExists(atPath: p) {
                if let py = pythonInclude, p.hasPrefix(py + "/") { return (.python, nil) }
                return (.project(IncludeResolver.normalize(p)), nil)
            }
        }
        if let py = pythonInclude, fm.fileExists(atPath: (py as NSString).appendingPathComponent(name)) { return (.python, nil) }
        if !angled, let header = projectHeaders?.resolve(name, fromDir: fromDir) {
            var folder = header
            for _ in name.split(separator: "/").filter({ $0 != "." }) { folder = (folder as NSString).deletingLastPathComponent }
            return (.project(IncludeResolver.normalize(header)), folder)
        }
        for d in systemDirs where fm.fileExists(atPath: (d as NSString).appendingPathComponent(name)) { return (.system, nil) }
        return (.missing, nil)
    }

    static func normalize(_ p: String) -> String { (p as NSString).standardizingPath }
}
