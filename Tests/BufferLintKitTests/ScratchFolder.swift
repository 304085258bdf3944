import BufferLintKit
import Foundation

/// A temporary folder for the files a test writes; removed when released.
final class ScratchFolder {
    let path: String

    init(_ label: String = "test") throws {
        path = NSTemporaryDirectory() + "bufferlint-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` (folders created as needed) and returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let full = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    /// Runs the real Linter over `paths` (relative to this folder).
    func lint(_ paths: [String], configure: (inout LintOptions) -> Void = { _ in }) throws -> Report {
        var o = LintOptions()
        o.paths = paths.map { ($0 as NSString).isAbsolutePath ? $0 : (path as NSString).appendingPathComponent($0) }
        o.jobs = 1
        configure(&o)
        return try Linter(options: o).run()
    }
}
