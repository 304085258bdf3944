import Foundation

/// Project headers lexed once per run and shared by the worker threads.
public final class HeaderCache: @unchecked Sendable {
    private var lexed: [String: LexedFile?] = [:]
    private let lock = NSLock()

    public init() {}

    public func lexedHeader(_ path: String) -> LexedFile? {
        lock.lock()
        if let hit = lexed[path] { lock.unlock(); return hit }
        lock.unlock()
        var result: LexedFile? = nil
        if case .success(let data) = RegularFile.read(path, limit: 8 << 20), !data.contains(0) {
            result = Lexer.lex(SourceText(bytes: data))
        }
        lock.lock()
        lexed[path] = result
        lock.unlock()
        return result
    }
}
