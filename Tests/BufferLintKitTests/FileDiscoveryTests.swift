import BufferLintKit
import Foundation
import XCTest

final class FileDiscoveryTests: XCTestCase {
    func testSymlinkLoopIsReportedOnceAndNotFollowed() throws {
        let dir = try ScratchFolder("discovery")
        try dir.write("src/a.c", "int a;\n")
        try dir.write("src/sub/b.h", "int b;\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/src/sub/loop", withDestinationPath: "..")
        let (files, errors) = FileDiscovery().files(for: [dir.path + "/src"])
        XCTAssertEqual(files.map { ($0 as NSString).lastPathComponent }, ["a.c", "b.h"])
        XCTAssertEqual(errors.count, 1, "\(errors)")
        XCTAssertEqual(errors.first?.file, dir.path + "/src/sub/loop")
        XCTAssertTrue(errors.first?.message.contains("symlink loop") == true)
    }

    func testSecondLinkToAFolderIsNotALoop() throws {
        let dir = try ScratchFolder("discovery")
        try dir.write("src/real/a.c", "int a;\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/src/alias", withDestinationPath: "real")
        let (files, errors) = FileDiscovery().files(for: [dir.path + "/src"])
        XCTAssertEqual(errors, [])
        XCTAssertEqual(files.count, 1, "\(files)")
    }

    func testSkippedFoldersExcludesAndExtensions() throws {
        let dir = try ScratchFolder("discovery")
        for name in ["src/a.c", "src/b.cpp", "src/c.pyx", "src/d.c.src", "src/e.txt.src", "src/notes.txt", "src/.git/x.c", "src/build/y.c", "src/vendor/z.c", "src/m.egg-info/w.c"] {
            try dir.write(name, "int x;\n")
        }
        let (files, errors) = FileDiscovery(excludeGlobs: ["vendor"]).files(for: [dir.path + "/src", dir.path + "/nope.c"])
        XCTAssertEqual(files.map { String($0.dropFirst(dir.path.count + 1)) }, ["src/a.c", "src/b.cpp", "src/c.pyx", "src/d.c.src"].sorted())
        XCTAssertEqual(Language.of(path: "arraytypes.c.src"), .c)
        XCTAssertEqual(Language.of(path: "x.cpp.src"), .cpp)
        XCTAssertEqual(errors, [InputError(file: dir.path + "/nope.c", message: "no such file or directory", kind: .unreadable)])
    }

    func testGlobs() {
        XCTAssertTrue(Glob.matches("src/**", "src/a/b/c.c"))
        XCTAssertTrue(Glob.matches("**/gen_*.c", "./x/y/gen_1.c"))
        XCTAssertTrue(Glob.matches("*.h", "deep/dir/x.h"))
        XCTAssertFalse(Glob.matches("src/*.c", "src/a/b.c"))
        XCTAssertTrue(Glob.matches("src/**/*.c", "src/a.c"))
        XCTAssertTrue(Glob.matches("src/**/*.c", "src/a/b/c.c"))
        XCTAssertFalse(Glob.matches("src/**/*.c", "srcx/a.c"))
        XCTAssertTrue(Glob.matches("gen_[0-9].c", "a/gen_7.c"))
        XCTAssertFalse(Glob.matches("gen_[!0-9].c", "a/gen_7.c"))
        XCTAssertTrue(Glob.matches("x?.c", "x1.c"))
        XCTAssertFalse(Glob.matches("a/x?.c", "a/x/.c"))
        XCTAssertTrue(Glob.matches("\\*.c", "*.c"))
        XCTAssertFalse(Glob.matches("\\*.c", "a.c"))
        XCTAssertTrue(Glob.matches("[.c", "[.c"), "an unclosed bracket is a literal")
        // A pattern that sends a backtracking matcher into exponential time is answered at once.
        let name = String(repeating: "a", count: 60) + ".c"
        XCTAssertFalse(Glob.matches(String(repeating: "*a", count: 30) + "*b", name))
        XCTAssertTrue(Glob.matches(String(repeating: "*a", count: 30) + "*", name))
    }
}
