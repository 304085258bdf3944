import Foundation

/// The bytes of one source file with a line table. Positions are byte offsets;
/// lines and columns are 1-based, columns counted in bytes (as compilers do).
public struct SourceText: Sendable {
    public let bytes: [UInt8]
    /// Byte offset at which each line starts.
    public let lineStarts: [Int]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        starts.reserveCapacity(bytes.count / 30 + 1)
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    public init(_ string: String) { self.init(bytes: Array(string.utf8)) }

    public var count: Int { bytes.count }

    /// 1-based line of a byte offset.
    public func line(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    public func position(of offset: Int) -> (line: Int, column: Int) {
        let l = line(of: offset)
        return (l, offset - lineStarts[l - 1] + 1)
    }

    public func offset(line: Int, column: Int) -> Int {
        guard line >= 1, line <= lineStarts.count else { return bytes.count }
        return min(lineStarts[line - 1] + column - 1, bytes.count)
    }

    /// The text of a 1-based line without its line terminator, decoded leniently.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, end <= bytes.count, end - 1 >= start, bytes[end - 1] == 0x0D { end -= 1 }
        return SourceText.decode(bytes[start..<max(start, end)])
    }

    public func text(_ range: Range<Int>) -> String {
        SourceText.decode(bytes[max(0, range.lowerBound)..<min(bytes.count, range.upperBound)])
    }

    /// UTF-8 when valid, otherwise Latin-1: old extensions often have Latin-1 comments.
    public static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// The lines of `text`, split at every line feed (a `"\r\n"` is one Character to Swift, so a
    /// split by Character never splits a CRLF file); each line keeps its `\r`.
    public static func lines(of text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
    }

    public var isValidUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }
    public var containsNUL: Bool { bytes.contains(0) }
    public var usesCRLF: Bool {
        if let i = bytes.firstIndex(of: 0x0A) { return i > 0 && bytes[i - 1] == 0x0D }
        return false
    }
}

extension SourceText {
    /// The spaces and tabs that start the line holding `offset`.
    public func indentation(ofLineAt offset: Int) -> String {
        var k = lineStarts[line(of: offset) - 1]
        var s = ""
        while k < count, bytes[k] == 0x20 || bytes[k] == 0x09 { s.append(Character(Unicode.Scalar(bytes[k]))); k += 1 }
        return s
    }
}
