import CClang
import Foundation

/// Compile flags per file from a `compile_commands.json`, read with libclang's
/// compilation database API. Flags that would load code into the parser are dropped.
public final class CompilationDatabase: @unchecked Sendable {
    public struct Entry: Sendable { public var arguments: [String]; public var directory: String }

    private var entries: [String: Entry] = [:]
    public private(set) var droppedFlags: [String] = []

    /// `path`: the JSON file or its folder.
    public init(path: String) throws {
        var dir = path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ConfigError(file: path, message: "compilation database not found")
        }
        if !isDir.boolValue {
            guard (path as NSString).lastPathComponent == "compile_commands.json" else {
                throw ConfigError(file: path, message: "expected a file named compile_commands.json (or its folder)")
            }
            dir = (path as NSString).deletingLastPathComponent
            if dir.isEmpty { dir = "." }
        }
        var err = CXCompilationDatabase_NoError
        guard let db = clang_CompilationDatabase_fromDirectory(dir, &err), err == CXCompilationDatabase_NoError else {
            throw ConfigError(file: (dir as NSString).appendingPathComponent("compile_commands.json"), message: "cannot be loaded as a compilation database (missing or malformed JSON)")
        }
        defer { clang_CompilationDatabase_dispose(db) }
        let cmds = clang_CompilationDatabase_getAllCompileCommands(db)
        defer { clang_CompileCommands_dispose(cmds) }
        for k in 0..<clang_CompileCommands_getSize(cmds) {
            let cmd = clang_CompileCommands_getCommand(cmds, k)
            var workDir = ClangParser.string(clang_CompileCommand_getDirectory(cmd))
            // A relative `directory` is relative to the database's own folder.
            if !workDir.hasPrefix("/") { workDir = ((CompilationDatabase.absolute(dir) as NSString).appendingPathComponent(workDir) as NSString).standardizingPath }
            var file = ClangParser.string(clang_CompileCommand_getFilename(cmd))
            if !file.hasPrefix("/") { file = (workDir as NSString).appendingPathComponent(file) }
            file = (file as NSString).standardizingPath
            var args: [String] = []
            for a in 0..<clang_CompileCommand_getNumArgs(cmd) { args.append(ClangParser.string(clang_CompileCommand_getArg(cmd, a))) }
            entries[file] = Entry(arguments: sanitize(Array(args.dropFirst()), directory: workDir, file: file), directory: workDir)
        }
    }

    static func absolute(_ p: String) -> String {
        p.hasPrefix("/") ? p : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(p)
    }

    public func entry(for path: String) -> Entry? {
        let abs = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return entries[(abs as NSString).standardizingPath]
    }

    static let loaderPrefixes = ["-fplugin=", "-fpass-plugin=", "-fplugin-arg-", "--plugin", "-load"]

    /// Keeps the flags that shape parsing; makes include paths absolute against the entry's directory.
    func sanitize(_ args: [String], directory: String, file: String) -> [String] {
        var out: [String] = []
        var i = 0
        func abs(_ p: String) -> String { p.hasPrefix("/") ? p : ((directory as NSString).appendingPathComponent(p) as NSString).standardizingPath }
        while i < args.count {
            let a = args[i]
            if a == "-Xclang", i + 1 < args.count, args[i + 1] == "-load" || args[i + 1] == "-plugin" || args[i + 1].hasPrefix("-add-plugin") {
                droppedFlags.append("-Xclang \(args[i + 1])" + (i + 3 < args.count && args[i + 2] == "-Xclang" ? " -Xclang \(args[i + 3])" : ""))
                i += (i + 3 < args.count && args[i + 2] == "-Xclang") ? 4 : 2
                continue
            }
            if CompilationDatabase.loaderPrefixes.contains(where: { a.hasPrefix($0) }) { droppedFlags.append(a); i += 1; continue }
            if a == "-o" || a == "-MF" || a == "-MT" || a == "-MQ" { i += 2; continue }
            if a == "-c" || a == "-MD" || a == "-MMD" || a.hasPrefix("-W") || a == "-g" || a.hasPrefix("-O") { i += 1; continue }
            if a == "-I" || a == "-isystem" || a == "-iquote" || a == "-include", i + 1 < args.count {
                out.append(a); out.append(a == "-include" ? abs(args[i + 1]) : abs(args[i + 1])); i += 2; continue
            }
            if a.hasPrefix("-I") { out.append("-I" + abs(String(a.dropFirst(2)))); i += 1; continue }
            if a.hasPrefix("-isystem") { out.append("-isystem" + abs(String(a.dropFirst(8)))); i += 1; continue }
            let resolved = ((a.hasPrefix("/") ? a : (directory as NSString).appendingPathComponent(a)) as NSString).standardizingPath
            if resolved == file { i += 1; continue }
            out.append(a)
            i += 1
        }
        return out
    }
}
