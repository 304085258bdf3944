import BufferLintKit
import Foundation

/// The inputs a run reads from files it does not control, each given to the part that reads it.
/// Built with `--sanitize=fuzzer` and `-DFUZZING` (Scripts/fuzz.sh) this is a libFuzzer target
/// (`BUFFERLINT_FUZZ=NAME` picks the harness); built as usual it replays files through a harness
/// (`bufferlint-fuzz NAME FILE...`), which is how the kept crashing inputs stay tested.
enum Harness: String, CaseIterable {
    case lexer, scanner, swig, cython, config, rule

    static let names: Set<String> = ["PyObject_AsCharBuffer", "PyObject_AsReadBuffer", "PyObject_AsWriteBuffer", "PyObject_CheckReadBuffer"]

    func run(_ bytes: [UInt8]) {
        let text = SourceText(bytes: bytes.map { $0 == 0 ? 0x20 : $0 })
        switch self {
        case .lexer:
            // The lexer, and the `#if` evaluator on every condition, as C and as C++.
            let lexed = Lexer.lex(text)
            for d in lexed.directives where [.if, .elif].contains(d.kind) {
                let tokens = d.tokenRange.map { lexed.spelling(at: $0) }
                for cplusplus in [false, true] { _ = ConditionEvaluator(table: MacroTable(), isCPlusPlus: cplusplus).truth(of: tokens) }
            }
        case .scanner:
            let context = ScanContext(names: Harness.names, resolver: IncludeResolver(userDirs: [], pythonInclude: nil, systemDirs: []),
                                      python: PythonHeaders(includeDir: nil), target: (3, 13))
            for cplusplus in [false, true] {
                _ = TokenScanner(context: context, lexed: Lexer.lex(text), path: "fuzz.c", isCPlusPlus: cplusplus).scan()
            }
        case .swig:
            let lexed = Lexer.lex(text, dialect: .swig)
            _ = SwigRegions(lexed: lexed).removingDirectiveNames([])
            _ = SwigRegions.compiledCode(lexed)
        case .cython:
            _ = CythonScanner(names: Harness.names).scan(text)
        case .config:
            _ = try? ConfigFile(path: "/nonexistent/.bufferlint.yml", bytes: bytes)
        case .rule:
            _ = try? RuleLoader.parse(SourceText.decode(bytes), source: "fuzz.yml", builtIn: false)
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let name = ProcessInfo.processInfo.environment["BUFFERLINT_FUZZ"], let harness = Harness(rawValue: name) else {
        fatalError("set BUFFERLINT_FUZZ to one of \(Harness.allCases.map(\.rawValue))")
    }
    harness.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
#else
@main
struct Replay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let harness = Harness(rawValue: name) else {
            FileHandle.standardError.write("usage: bufferlint-fuzz \(Harness.allCases.map(\.rawValue).joined(separator: "|")) FILE...\n".data(using: .utf8)!)
            exit(2)
        }
        var count = 0
        for path in args.dropFirst() {
            guard case .success(let bytes) = RegularFile.read(path) else { FileHandle.standardError.write("\(path): not readable\n".data(using: .utf8)!); exit(2) }
            harness.run(bytes)
            count += 1
        }
        print("\(name): \(count) inputs replayed")
    }
}
#endif
