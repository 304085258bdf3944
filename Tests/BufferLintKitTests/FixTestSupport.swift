import BufferLintKit
import Foundation
import XCTest

/// Plans the fixes of one file written into a scratch folder, and applies them.
extension XCTestCase {
    func plan(_ name: String, _ source: String, in dir: ScratchFolder) throws -> (FilePlan, Report) {
        let path = try dir.write(name, source)
        let report = try dir.lint([path]) { $0.planFixes = true; $0.cacheDirectory = nil }
        let plan = try XCTUnwrap(report.fixPlans.first { $0.path.hasSuffix(name) })
        return (plan, report)
    }

    func fixed(_ plan: FilePlan, unsafe: Bool = false) -> String {
        guard let bytes = plan.apply(plan.selected(unsafe: unsafe)) else {
            XCTFail("the planned fixes of \(plan.path) overlap")
            return ""
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `source`, written as `name` into `dir` with its support files beside it, passes `g++ -fsyntax-only` against this Python's
    /// headers, C++98 and C++11 (skipped where g++ or python3 is missing).
    func compiles(_ source: String, as name: String, in dir: ScratchFolder, supportFiles: [SupportFile]) throws {
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = args
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let (status, include) = try run(["python3", "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"])
        guard status == 0, (try? run(["g++", "--version"]))?.0 == 0 else { throw XCTSkip("g++ and python3 are needed to compile the fixed file") }
        let path = try dir.write(name, source)
        for f in supportFiles { try dir.write(f.name, f.contents) }
        for std in ["c++98", "c++11"] {
            let (rc, output) = try run(["g++", "-std=\(std)", "-fsyntax-only", "-Wall", "-Werror=deprecated-declarations",
                                        "-I" + include.trimmingCharacters(in: .whitespacesAndNewlines), path])
            XCTAssertEqual(rc, 0, "\(std): \(output)")
        }
    }
}
