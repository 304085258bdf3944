import BufferLintKit
import Foundation
import XCTest

/// Folders walked skip what the git work tree ignores, read as git reads its ignore files;
/// files named on the command line are checked whatever the ignore files say.
final class GitIgnoreTests: XCTestCase {
    func tree(git: Bool) throws -> ScratchFolder {
        let dir = try ScratchFolder("gitignore")
        if git { try dir.write(".git/HEAD", "ref: refs/heads/main\n") }
        try dir.write(".gitignore", "# build output\nbuild-out/\n*.gen.c\n!keep.gen.c\n/top_only.c\ndoc/*.c\n")
        if git { try dir.write(".git/info/exclude", "scratch.c\n") }
        try dir.write("sub/.gitignore", "local.c\n")
        for f in ["a.c", "build-out/x.c", "sub/y.gen.c", "sub/keep.gen.c", "top_only.c", "sub/top_only.c", "doc/d.c", "doc/deep/e.c",
                  "sub/local.c", "sub/other.c", "scratch.c"] {
            try dir.write(f, "int f(void *o) { return PyObject_CheckReadBuffer(o); }\n")
        }
        return dir
    }

    func reported(_ dir: ScratchFolder, _ paths: [String], respect: Bool = true) throws -> [String] {
        let r = try dir.lint(paths) { $0.respectGitignore = respect; $0.useSyntaxTree = false }
        let root = RegularFile.lexicalPath(dir.path, cwd: "/")
        return Set(r.findings.map { String(RegularFile.lexicalPath($0.file, cwd: FileManager.default.currentDirectoryPath).dropFirst(root.count + 1)) }).sorted()
    }

    func testIgnoredFilesAndFoldersAreNotWalked() throws {
        let dir = try tree(git: true)
        XCTAssertEqual(try reported(dir, ["."]), ["a.c", "doc/deep/e.c", "sub/keep.gen.c", "sub/other.c", "sub/top_only.c"])
        // From a subfolder, the ignore files above it still hold.
        XCTAssertEqual(try reported(dir, ["sub"]), ["sub/keep.gen.c", "sub/other.c", "sub/top_only.c"])
    }

    func testTheFlagAndTheCommandLineWin() throws {
        let dir = try tree(git: true)
        XCTAssertEqual(try reported(dir, ["."], respect: false).count, 11)
        XCTAssertEqual(try reported(dir, ["build-out/x.c", "sub/local.c"]), ["build-out/x.c", "sub/local.c"])
    }

    func testOutsideAWorkTreeIgnoreFilesMeanNothing() throws {
        let dir = try tree(git: false)
        XCTAssertEqual(try reported(dir, ["."]).count, 11)
    }

    func testPatternsAreReadAsGitReadsThem() throws {
        let dir = try ScratchFolder("gitignore-patterns")
        try dir.write(".git/HEAD", "")
        try dir.write(".gitignore", "\\#hash.c\n**/gen/*.c\nsrc/**/tmp.c\ntrailing.c   \n")
        for f in ["#hash.c", "a/gen/x.c", "gen/y.c", "src/a/b/tmp.c", "src/tmp.c", "trailing.c", "kept.c"] {
            try dir.write(f, "int f(void *o) { return PyObject_CheckReadBuffer(o); }\n")
        }
        XCTAssertEqual(try reported(dir, ["."]), ["kept.c"])
    }
}
