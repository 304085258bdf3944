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
        // Read and checked here first: libclang would open a FIFO and wait, and takes a cut-off
        // file for an empty database without a word.
        let json = (dir as NSString).appendingPathComponent("compile_commands.json")
        switch RegularFile.read(json, limit: 1 << 30) {
        case .failure(let problem):
            throw ConfigError(file: json, message: "compilation database: \(problem)")
        case .success(let bytes):
            do {
                guard try JSONSerialization.jsonObject(with: Data(bytes)) is [Any] else {
                    throw ConfigError(file: json, message: "is not a compilation database (expected a JSON array of compile commands)")
                }
            } catch let e as ConfigError { throw e } catch {
                throw ConfigError(file: json, message: "is not valid JSON (cut off or malformed): \((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error.localizedDescription)")
            }
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

    /// Keeps only the flags that change what is compiled: include folders (made absolute against
    /// the entry's directory), macros, the language standard and the flags that select a dialect or
    /// a target. Everything else is dropped and named once: a database is part of the tree checked,
    /// and other flags can load code (`-fplugin`), read files (`-include`, `-fsanitize-ignorelist=`)
    /// or crash the parser (`-fbracket-depth=`). Flags that only shape code generation, warnings or
    /// output are dropped without a word.
    func sanitize(_ args: [String], directory: String, file: String) -> [String] {
        var out: [String] = []
        var i = 0
        func abs(_ p: String) -> String { p.hasPrefix("/") ? p : ((directory as NSString).appendingPathComponent(p) as NSString).standardizingPath }
        while i < args.count {
            let a = args[i]
            let next = i + 1 < args.count ? args[i + 1] : nil
            if CompilationDatabase.includeFlags.contains(a), let dir = next { out += [a, abs(dir)]; i += 2; continue }
            if let f = CompilationDatabase.includeFlags.first(where: { a.hasPrefix($0) && a.count > $0.count }) {
                out.append(f + abs(String(a.dropFirst(f.count)))); i += 1; continue
            }
            if a == "-D" || a == "-U", let v = next { out += [a, v]; i += 2; continue }
            if a.hasPrefix("-D") || a.hasPrefix("-U") { out.append(a); i += 1; continue }
            if a == "-target", let v = next, CompilationDatabase.isPlainValue(v) { out += ["--target=" + v]; i += 2; continue }
            if CompilationDatabase.dialectFlag(a) { out.append(a); i += 1; continue }
            if CompilationDatabase.silentWithValue.contains(a) { i += 2; continue }
            if CompilationDatabase.silentlyDropped(a) { i += 1; continue }
            let resolved = ((a.hasPrefix("/") ? a : (directory as NSString).appendingPathComponent(a)) as NSString).standardizingPath
            if resolved == file || !a.hasPrefix("-") { i += 1; continue }
            // `-Xclang -load -Xclang x.so` is one request: named as one.
            if a == "-Xclang", let v = next {
                var words = [a, v]
                i += 2
                while i + 1 < args.count, args[i] == "-Xclang", !args[i + 1].hasPrefix("-") { words += [args[i], args[i + 1]]; i += 2 }
                droppedFlags.append(words.joined(separator: " "))
                continue
            }
            // A flag that takes its value as the next argument drops it too.
            if CompilationDatabase.takesValue.contains(a), let v = next { droppedFlags.append("\(a) \(v)"); i += 2; continue }
            droppedFlags.append(a)
            i += 1
        }
        return out
    }

    static let includeFlags = ["-isystem", "-iquote", "-idirafter", "-I"]
    static let takesValue: Set<String> = ["-include", "-imacros", "-Xclang", "-Xpreprocessor", "-Xlinker", "-x", "--sysroot", "-isysroot",
                                          "-iprefix", "-iwithprefix", "-ivfsoverlay", "-load", "-plugin", "-main-file-name", "-arch"]
    static let silentWithValue: Set<String> = ["-o", "-MF", "-MT", "-MQ"]

    /// Dialect and target flags: they select a language or a machine, and read no file.
    static func dialectFlag(_ a: String) -> Bool {
        if a.hasPrefix("-std=") || a.hasPrefix("--std=") { return isPlainValue(String(a.drop(while: { $0 != "=" }).dropFirst())) }
        if a.hasPrefix("--target=") || a.hasPrefix("-march=") || a.hasPrefix("-mcpu=") || a.hasPrefix("-mtune=") || a.hasPrefix("-mfpu=")
            || a.hasPrefix("-mfloat-abi=") || a.hasPrefix("-mabi=") {
            return isPlainValue(String(a.drop(while: { $0 != "=" }).dropFirst()))
        }
        if ["-m32", "-m64", "-mx32", "-ansi", "-pthread", "-fPIC", "-fpic", "-fPIE", "-fpie", "-fexceptions", "-fno-exceptions",
            "-fcxx-exceptions", "-fno-cxx-exceptions", "-frtti", "-fno-rtti", "-fsigned-char", "-funsigned-char", "-fshort-wchar",
            "-fshort-enums", "-fms-extensions", "-fno-ms-extensions", "-fms-compatibility", "-fgnu89-inline", "-fgnu-keywords",
            "-fno-gnu-keywords", "-fopenmp", "-fno-openmp", "-fblocks", "-fno-blocks", "-fchar8_t", "-fno-char8_t", "-fno-builtin",
            "-ffreestanding", "-fno-signed-char", "-fno-unsigned-char", "-fdollars-in-identifiers", "-fno-dollars-in-identifiers"].contains(a) {
            return true
        }
        // Instruction-set switches (-mavx2, -msse4.2, -mno-sse): they only define feature macros.
        if a.hasPrefix("-m"), a.count <= 20, a.dropFirst(2).allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) {
            let body = a.hasPrefix("-mno-") ? a.dropFirst(5) : a.dropFirst(2)
            return ["sse", "avx", "fma", "bmi", "popcnt", "neon", "aes", "pclmul", "f16c", "lzcnt", "sha", "crc"].contains { body.hasPrefix($0) }
        }
        return false
    }

    /// Code generation, optimisation, debugging, warnings and output: nothing a parse needs.
    static func silentlyDropped(_ a: String) -> Bool {
        if ["-c", "-MD", "-MMD", "-MP", "-M", "-MM", "-E", "-S", "-pipe", "-pedantic", "-pedantic-errors", "-w", "-v", "-shared",
            "-static", "-rdynamic"].contains(a) { return true }
        // `-Wp,` and `-Wa,` pass flags on (`-Wp,-include,FILE`): they are dropped with the others, by name.
        if a.hasPrefix("-Wp,") || a.hasPrefix("-Wa,") || a.hasPrefix("-Wl,") { return false }
        if a.hasPrefix("-W") || a.hasPrefix("-O") || a.hasPrefix("-g") { return true }
        let quiet = ["-fwrapv", "-fno-strict-aliasing", "-fstrict-aliasing", "-fstack-protector", "-fno-stack-protector", "-fcf-protection",
                     "-fvisibility", "-ffunction-sections", "-fdata-sections", "-fno-plt", "-fno-omit-frame-pointer", "-fomit-frame-pointer",
                     "-fno-common", "-fcommon", "-fdiagnostics-", "-fcolor-diagnostics", "-fno-color-diagnostics", "-fmessage-length",
                     "-fno-semantic-interposition", "-fstack-clash-protection", "-fasynchronous-unwind-tables", "-fno-math-errno",
                     "-ffast-math", "-fno-finite-math-only", "-funroll-loops", "-flto", "-fno-lto", "-fprofile-", "-fno-profile-",
                     "-fdebug-prefix-map=", "-ffile-prefix-map=", "-fmacro-prefix-map=", "-frecord-gcc-switches", "-fexcess-precision",
                     "-fno-delete-null-pointer-checks", "-ftrapv", "-fno-trapping-math", "-fno-fast-math", "-fno-tree-", "-ftree-"]
        return quiet.contains { a == $0 || (a.hasPrefix($0) && ($0.hasSuffix("-") || $0.hasSuffix("=") || a.dropFirst($0.count).first == "=" || a.dropFirst($0.count).first == "-")) }
    }

    static func isPlainValue(_ v: String) -> Bool {
        !v.isEmpty && v.count <= 64 && v.allSatisfy { $0.isLetter || $0.isNumber || "+-_.".contains($0) }
    }

    /// Drops the include folders that lie outside `roots`; returns them.
    public func restrictIncludes(to roots: TrustedRoots) -> [String] {
        var dropped = Set<String>()
        for (file, entry) in entries {
            var kept: [String] = []
            var i = 0
            let a = entry.arguments
            while i < a.count {
                if CompilationDatabase.includeFlags.contains(a[i]), i + 1 < a.count {
                    if roots.contains(a[i + 1]) { kept += [a[i], a[i + 1]] } else { dropped.insert("\(a[i]) \(a[i + 1])") }
                    i += 2
                    continue
                }
                if let f = CompilationDatabase.includeFlags.first(where: { a[i].hasPrefix($0) && a[i].count > $0.count }) {
                    if roots.contains(String(a[i].dropFirst(f.count))) { kept.append(a[i]) } else { dropped.insert(a[i]) }
                    i += 1
                    continue
                }
                kept.append(a[i])
                i += 1
            }
            entries[file]?.arguments = kept
        }
        return dropped.sorted()
    }
}
