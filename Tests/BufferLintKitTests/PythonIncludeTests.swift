@testable import BufferLintKit
import Foundation
import XCTest

/// The include folder of the python3 on PATH, read from the file system without running Python.
final class PythonIncludeTests: XCTestCase {
    func makeInterpreter(_ dir: ScratchFolder, prefix: String, minor: Int = 11) throws -> String {
        let bin = "\(dir.path)/\(prefix)/bin"
        _ = try dir.write("\(prefix)/bin/python3.\(minor)", "#!/bin/false\n")
        chmod("\(bin)/python3.\(minor)", 0o755)
        try FileManager.default.createSymbolicLink(atPath: "\(bin)/python3", withDestinationPath: "python3.\(minor)")
        _ = try dir.write("\(prefix)/include/python3.\(minor)/Python.h", "/* */\n")
        return "\(dir.path)/\(prefix)"
    }

    func testAnInterpreterOnPathAndAVirtualEnvironmentPointingAtIt() throws {
        let dir = try ScratchFolder("pyinclude")
        let prefix = try makeInterpreter(dir, prefix: "usr")
        XCTAssertEqual(PythonHeaders.includeDirFromPath(environment: ["PATH": "/nonexistent:\(prefix)/bin"], cwd: dir.path), "\(prefix)/include/python3.11")
        // A virtual environment's python3 links to the base interpreter, whose headers are used.
        _ = try dir.write("venv/pyvenv.cfg", "home = \(prefix)/bin\n")
        try FileManager.default.createDirectory(atPath: "\(dir.path)/venv/bin", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(dir.path)/venv/bin/python3", withDestinationPath: "\(prefix)/bin/python3")
        XCTAssertEqual(PythonHeaders.includeDirFromPath(environment: ["PATH": "\(dir.path)/venv/bin"], cwd: dir.path), "\(prefix)/include/python3.11")
        // No headers installed: not certain, so Python is asked instead.
        try FileManager.default.removeItem(atPath: "\(prefix)/include/python3.11/Python.h")
        XCTAssertNil(PythonHeaders.includeDirFromPath(environment: ["PATH": "\(prefix)/bin"], cwd: dir.path))
    }

    func testAPyenvShimStandsForTheVersionPyenvSelects() throws {
        let dir = try ScratchFolder("pyinclude")
        let root = "\(dir.path)/pyenv"
        _ = try dir.write("pyenv/shims/python3", "#!/bin/sh\n")
        chmod("\(root)/shims/python3", 0o755)
        let v12 = try makeInterpreter(dir, prefix: "pyenv/versions/3.12.1", minor: 12)
        let v11 = try makeInterpreter(dir, prefix: "pyenv/versions/3.11.7")
        let system = try makeInterpreter(dir, prefix: "usr", minor: 10)
        let path = "\(root)/shims:\(system)/bin"
        _ = try dir.write("pyenv/version", "3.11.7\n")
        XCTAssertEqual(PythonHeaders.includeDirFromPath(environment: ["PATH": path, "PYENV_ROOT": root], cwd: dir.path), "\(v11)/include/python3.11")
        XCTAssertEqual(PythonHeaders.includeDirFromPath(environment: ["PATH": path, "PYENV_ROOT": root, "PYENV_VERSION": "3.12.1:3.11.7"], cwd: dir.path),
                       "\(v12)/include/python3.12")
        _ = try dir.write("project/sub/.keep", "")
        _ = try dir.write("project/.python-version", "3.12.1\n")
        XCTAssertEqual(PythonHeaders.includeDirFromPath(environment: ["PATH": path, "PYENV_ROOT": root], cwd: "\(dir.path)/project/sub"), "\(v12)/include/python3.12")
        // `system`: the next python3 on PATH.
        _ = try dir.write("pyenv/version", "system\n")
        XCTAssertEqual(PythonHeaders.includeDirFromPath(environment: ["PATH": path, "PYENV_ROOT": root], cwd: dir.path), "\(system)/include/python3.10")
        // A version that is not installed: Python is asked.
        XCTAssertNil(PythonHeaders.includeDirFromPath(environment: ["PATH": path, "PYENV_ROOT": root, "PYENV_VERSION": "3.9.0"], cwd: dir.path))
    }

    func testOnThisMachineTheAnswerIsPythonsOwn() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let answer = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        p.waitUntilExit()
        guard FileManager.default.fileExists(atPath: "\(answer)/Python.h") else { throw XCTSkip("python3 has no headers here") }
        // A python3 that is an interpreter `python3.X` or a pyenv shim is answered from the file system, as Python answers.
        let environment = ProcessInfo.processInfo.environment
        let first = (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let first, (first as NSString).deletingLastPathComponent.hasSuffix("/shims")
                || URL(fileURLWithPath: first).resolvingSymlinksInPath().lastPathComponent.hasPrefix("python3.") else {
            throw XCTSkip("python3 here is neither an interpreter python3.X nor a pyenv shim")
        }
        let found = try XCTUnwrap(PythonHeaders.includeDirFromPath(environment: ProcessInfo.processInfo.environment, cwd: FileManager.default.currentDirectoryPath))
        XCTAssertEqual(URL(fileURLWithPath: found).resolvingSymlinksInPath().path, URL(fileURLWithPath: answer).resolvingSymlinksInPath().path)
        XCTAssertEqual(PythonHeaders.defaultIncludeDir().map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }, URL(fileURLWithPath: answer).resolvingSymlinksInPath().path)
    }
}
