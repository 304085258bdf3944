import Foundation
import XCTest

/// The library's folders and which of them name types declared in which others, read from the
/// sources. The graph may lose edges but gains none without this list changing: a new edge is a
/// decision to make in review, not an accident. The layering the house is moving to (a folder
/// names only folders below it) is `layers`; `allowedUpwardEdges` lists today's exceptions, to be
/// removed one by one.
final class FolderDependencyTests: XCTestCase {
    static let library = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/BufferLintKit").path

    /// Lowest first.
    static let layers = ["Source", "Model", "Knowledge", "Scan", "Syntax", "Rules", "Config", "Flow", "Fixes", "Engine", "Reporters"]

    /// Edges that point up the layers today (`from -> to`).
    static let allowedUpwardEdges: Set<String> = [
        "Engine -> Reporters",   // JSONValue
        "Fixes -> Engine",       // RuleSet
        "Flow -> Engine",        // written as an extension of Linter: FileResult, FindingBuilder, Language, Prefilter, Suppression
        "Model -> Engine",       // WrapperSummary
        "Model -> Fixes",        // FilePlan
    ]

    /// Type names declared at the top level of each folder's files.
    static func declarations() throws -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        let pattern = try NSRegularExpression(pattern: #"^(?:(?:public|internal|fileprivate|private|final|indirect|@\w+)\s+)*(?:struct|class|enum|protocol|typealias|actor)\s+([A-Z]\w*)"#,
                                              options: [.anchorsMatchLines])
        for (folder, text) in try sources() {
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                out[folder, default: []].insert(String(text[Range(m.range(at: 1), in: text)!]))
            }
        }
        return out
    }

    static func sources() throws -> [(String, String)] {
        var out: [(String, String)] = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: library).sorted() {
            let dir = (library as NSString).appendingPathComponent(folder)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { continue }
            for file in try FileManager.default.subpathsOfDirectory(atPath: dir).sorted() where file.hasSuffix(".swift") {
                out.append((folder, try String(contentsOfFile: (dir as NSString).appendingPathComponent(file), encoding: .utf8)))
            }
        }
        return out
    }

    /// `from -> to` for every folder whose code names a type of another folder (comments and strings left out).
    static func edges() throws -> Set<String> {
        let declared = try declarations()
        var owner: [String: String] = [:]
        for (folder, names) in declared { for n in names { owner[n] = folder } }
        var out = Set<String>()
        let word = try NSRegularExpression(pattern: #"\b[A-Z]\w*\b"#)
        for (folder, text) in try sources() {
            let code = stripCommentsAndStrings(text)
            for m in word.matches(in: code, range: NSRange(code.startIndex..., in: code)) {
                let name = String(code[Range(m.range, in: code)!])
                if let to = owner[name], to != folder { out.insert("\(folder) -> \(to)") }
            }
        }
        return out
    }

    static func stripCommentsAndStrings(_ s: String) -> String {
        var out = ""
        var it = Array(s.unicodeScalars)[...]
        while let c = it.first {
            if c == "/", it.dropFirst().first == "/" {
                while let d = it.first, d != "\n" { it = it.dropFirst() }
            } else if c == "/", it.dropFirst().first == "*" {
                it = it.dropFirst(2)
                while !it.isEmpty, !(it.first == "*" && it.dropFirst().first == "/") { it = it.dropFirst() }
                it = it.dropFirst(2)
            } else if c == "\"" {
                it = it.dropFirst()
                while let d = it.first, d != "\"" && d != "\n" { it = it.dropFirst(d == "\\" ? 2 : 1) }
                it = it.dropFirst()
                out += "\"\""
            } else {
                out.unicodeScalars.append(c)
                it = it.dropFirst()
            }
        }
        return out
    }

    func testEveryFolderHasALayer() throws {
        let folders = Set(try FolderDependencyTests.sources().map(\.0))
        XCTAssertEqual(folders.subtracting(FolderDependencyTests.layers), [], "a new folder needs its place in `layers`")
    }

    func testNoEdgePointsUpTheLayersBeyondTodays() throws {
        let rank = Dictionary(uniqueKeysWithValues: FolderDependencyTests.layers.enumerated().map { ($1, $0) })
        let upward = try FolderDependencyTests.edges().filter { e in
            let parts = e.components(separatedBy: " -> ")
            return (rank[parts[0]] ?? 0) < (rank[parts[1]] ?? 0)
        }
        XCTAssertEqual(upward.subtracting(FolderDependencyTests.allowedUpwardEdges).sorted(), [], "new upward edges")
        XCTAssertEqual(FolderDependencyTests.allowedUpwardEdges.subtracting(upward).sorted(), [],
                       "edges that no longer exist: take them off `allowedUpwardEdges`")
    }
}
