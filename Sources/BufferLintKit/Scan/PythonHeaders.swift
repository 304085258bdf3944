import Foundation

/// What Python's own headers define, read once per run: the version macros
/// (from `patchlevel.h`) and the configuration (`pyconfig.h`), so that
/// `#if PY_VERSION_HEX < ...` is decided as the compiler would.
public struct PythonHeaders: Sendable {
    public let includeDir: String?
    public let macros: [String: MacroDefinition]
    public var version: (major: Int, minor: Int)? {
        guard let ma = macros["PY_MAJOR_VERSION"]?.body.first.flatMap({ Int($0) }),
              let mi = macros["PY_MINOR_VERSION"]?.body.first.flatMap({ Int($0) }) else { return nil }
        return (ma, mi)
    }

    public init(includeDir: String?) {
        self.includeDir = includeDir
        var macros: [String: MacroDefinition] = [:]
        if let dir = includeDir {
            var files = ["patchlevel.h", "pyconfig.h"].map { "\(dir)/\($0)" }
            var seen = Set<String>()
            while let f = files.first {
                files.removeFirst()
                guard !seen.contains(f), let data = RegularFile.contents(f) else { continue }
                seen.insert(f)
                let lexed = Lexer.lex(SourceText(bytes: Array(data)))
                for d in lexed.directives {
                    let toks = lexed.tokens[d.tokenRange].map { lexed.spelling($0) }
                    if d.kind == .define, let def = MacroParsing.definition(from: lexed, directive: d, file: f, isProject: false, uncertain: false) {
                        if macros[def.name] == nil { macros[def.name] = def }
                    } else if d.kind == .include, let first = toks.first, first.count > 2 {
                        // Debian's multiarch pyconfig.h forwards to the real one.
                        let inner = String(first.dropFirst().dropLast())
                        if inner.contains("pyconfig") {
                            for base in [dir, "/usr/include"] { files.append("\(base)/\(inner)") }
                        }
                    }
                }
            }
        }
        self.macros = macros
    }

    /// The running python3's include folder, found without running Python when possible.
    public static func defaultIncludeDir() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let env = environment["BUFFERLINT_PYTHON_INCLUDE"], !env.isEmpty { return env }
        if let dir = includeDirFromPath(environment: environment, cwd: FileManager.default.currentDirectoryPath) { return dir }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // -S: no site import (a third of the start-up); sysconfig is in the standard library.
        p.arguments = ["python3", "-S", "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        if (try? p.run()) != nil {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            if p.terminationStatus == 0, let s = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
               FileManager.default.fileExists(atPath: "\(s)/Python.h") { return s }
        }
        for v in (8...13).reversed() where FileManager.default.fileExists(atPath: "/usr/include/python3.\(v)/Python.h") {
            return "/usr/include/python3.\(v)"
        }
        return nil
    }
}

extension PythonHeaders {
    /// The include folder of the `python3` that PATH finds, read from the file system: the
    /// interpreter `PREFIX/bin/python3.X` (through symbolic links, as in a virtual environment)
    /// has its headers in `PREFIX/include/python3.X`; a pyenv shim stands for the version pyenv
    /// selects (PYENV_VERSION, a `.python-version` file, then PYENV_ROOT's `version` file; `system`
    /// is the next python3 on PATH). Nil whenever that is not certain: Python is asked then.
    static func includeDirFromPath(environment: [String: String], cwd: String) -> String? {
        let fm = FileManager.default
        for dir in (environment["PATH"] ?? "").split(separator: ":").map(String.init) where !dir.isEmpty {
            let candidate = (dir as NSString).appendingPathComponent("python3")
            guard fm.isExecutableFile(atPath: candidate) else { continue }
            if (dir as NSString).lastPathComponent == "shims" {
                let root = environment["PYENV_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? (dir as NSString).deletingLastPathComponent
                guard let version = pyenvVersion(root: root, environment: environment, cwd: cwd) else { return nil }
                if version == "system" { continue }
                return includeDir(ofInterpreter: "\(root)/versions/\(version)/bin/python3")
            }
            return includeDir(ofInterpreter: candidate)
        }
        return nil
    }

    static func includeDir(ofInterpreter path: String) -> String? {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let name = (real as NSString).lastPathComponent
        guard name.hasPrefix("python3."), Int(name.dropFirst("python3.".count)) != nil else { return nil }
        let prefix = ((real as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        let include = "\(prefix)/include/\(name)"
        return FileManager.default.fileExists(atPath: "\(include)/Python.h") ? include : nil
    }

    static func pyenvVersion(root: String, environment: [String: String], cwd: String) -> String? {
        func first(_ text: String) -> String? {
            text.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\n" || $0 == "\t" }).first.map(String.init)
        }
        if let v = environment["PYENV_VERSION"], !v.isEmpty { return first(v) }
        var dir = environment["PYENV_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? cwd
        while true {
            if let text = RegularFile.contents((dir as NSString).appendingPathComponent(".python-version"), limit: 4096).flatMap({ String(data: $0, encoding: .utf8) }) { return first(text) }
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir || parent.isEmpty { break }
            dir = parent
        }
        if let text = RegularFile.contents("\(root)/version", limit: 4096).flatMap({ String(data: $0, encoding: .utf8) }) { return first(text) }
        return "system"
    }
}

enum MacroParsing {
    /// Reads `#define NAME(params) body` from a directive's tokens.
    static func definition(from lexed: LexedFile, directive d: Directive, file: String, isProject: Bool, uncertain: Bool) -> MacroDefinition? {
        let range = d.tokenRange
        guard let first = range.first, lexed.tokens[first].kind == .identifier else { return nil }
        let name = lexed.spelling(at: first)
        var params: [String]? = nil
        var bodyStart = first + 1
        // Function-like only when `(` follows the name with no space.
        if bodyStart < range.upperBound, lexed.tokens[bodyStart].start == lexed.tokens[first].end, lexed.isPunct(bodyStart, "(") {
            var ps: [String] = []
            var j = bodyStart + 1
            while j < range.upperBound, !lexed.isPunct(j, ")") {
                let s = lexed.spelling(at: j)
                if s != "," { ps.append(s) }
                j += 1
            }
            params = ps
            bodyStart = min(j + 1, range.upperBound)
        }
        let body = lexed.tokens[bodyStart..<range.upperBound].map { lexed.spelling($0) }
        return MacroDefinition(name: name, parameters: params, body: body, file: file,
                               line: lexed.text.line(of: d.start), isProject: isProject, isUncertain: uncertain)
    }
}
