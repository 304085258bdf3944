import Foundation

/// A unified diff (`--- a/path`, `+++ b/path`, hunks with 3 lines of context) of a file before
/// and after its edits. The changed lines come from the edits themselves, so no line matching
/// is needed: each run of lines touched by edits is one change.
public enum UnifiedDiff {
    public static let context = 3
    static let noNewline = Array("\\ No newline at end of file".utf8)

    /// Lines of `bytes` as (start, end without the newline) offsets; the last line may lack a newline.
    static func lines(_ bytes: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            out.append(start..<i)
            start = i + 1
        }
        if start < bytes.count { out.append(start..<bytes.count) }
        return out
    }

    /// The diff as text (for reading; bytes that are not UTF-8 are shown as Latin-1).
    public static func render(path: String, original: [UInt8], edits: [Edit]) -> String {
        SourceText.decode(bytes(path: path, original: original, edits: edits))
    }

    /// A diff that creates `path` with `contents` (a support file `fix` writes).
    public static func creation(path: String, contents: [UInt8]) -> [UInt8] {
        let ls = lines(contents)
        var out = Array("--- /dev/null\n+++ b/\(path)\n@@ -0,0 +1,\(ls.count) @@\n".utf8)
        for r in ls { out += [0x2B] + contents[r] + [0x0A] }
        if contents.last != 0x0A && !contents.isEmpty { out += Array("\\ No newline at end of file\n".utf8) }
        return out
    }

    /// The diff as bytes: every line carries the file's own bytes, whatever their encoding, so that
    /// `git apply` of it gives exactly what `fix` writes.
    public static func bytes(path: String, original: [UInt8], edits: [Edit]) -> [UInt8] {
        guard let sorted = EditApplier.normalized(edits), !sorted.isEmpty else { return [] }
        let oldLines = lines(original)
        func lineIndex(_ offset: Int) -> Int {
            // The line holding `offset`; an offset at the very end belongs to the last line.
            var lo = 0, hi = max(0, oldLines.count - 1)
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if oldLines[mid].lowerBound <= offset { lo = mid } else { hi = mid - 1 }
            }
            return lo
        }
        // Group edits into changes over whole old lines.
        struct Change { var first: Int; var last: Int; var edits: [Edit] }
        var changes: [Change] = []
        for e in sorted {
            let a = lineIndex(e.range.lowerBound)
            let b = lineIndex(max(e.range.lowerBound, e.range.upperBound - (e.range.isEmpty ? 0 : 1)))
            if var c = changes.last, a <= c.last {
                c.last = max(c.last, b)
                c.edits.append(e)
                changes[changes.count - 1] = c
            } else {
                changes.append(Change(first: a, last: b, edits: [e]))
            }
        }
        func fullLine(_ k: Int) -> Range<Int> {
            let r = oldLines[k]
            return r.lowerBound..<(r.upperBound < original.count ? r.upperBound + 1 : r.upperBound)
        }
        func text(_ bytes: ArraySlice<UInt8>) -> [UInt8] { Array(bytes) }
        let endsWithNewline = original.last == 0x0A

        var out = Array("--- a/\(path)\n+++ b/\(path)\n".utf8)
        var k = 0
        var delta = 0  // new line numbers minus old ones, before the current hunk
        while k < changes.count {
            // Changes closer than twice the context share a hunk.
            var j = k
            while j + 1 < changes.count, changes[j + 1].first - changes[j].last <= 2 * context { j += 1 }
            let start = max(0, changes[k].first - context)
            let end = min(oldLines.count - 1, changes[j].last + context)
            var body: [[UInt8]] = []
            var oldCount = 0, newCount = 0
            var line = start
            for c in changes[k...j] {
                while line < c.first { body.append([0x20] + text(original[oldLines[line]])); line += 1; oldCount += 1; newCount += 1 }
                let span = fullLine(c.first).lowerBound..<fullLine(c.last).upperBound
                var replaced = Array(original[span])
                for e in c.edits.reversed() {
                    replaced.replaceSubrange((e.range.lowerBound - span.lowerBound)..<(e.range.upperBound - span.lowerBound), with: Array(e.replacement.utf8))
                }
                let lastOld = c.last == oldLines.count - 1
                let newHasNewline = replaced.last == 0x0A
                let newLines = lines(replaced)
                var olds = (c.first...c.last).map { text(original[oldLines[$0]]) }
                var news = newLines.map { text(replaced[$0]) }
                // Lines the edits left as they were are context, not changes.
                var same = (prefix: [[UInt8]](), suffix: [[UInt8]]())
                if !(lastOld && (!endsWithNewline || !newHasNewline)) {
                    while !olds.isEmpty, !news.isEmpty, olds[0] == news[0] { same.prefix.append(olds.removeFirst()); news.removeFirst() }
                    while !olds.isEmpty, !news.isEmpty, olds.last == news.last { same.suffix.insert(olds.removeLast(), at: 0); news.removeLast() }
                }
                for l in same.prefix { body.append([0x20] + l); oldCount += 1; newCount += 1 }
                for (n, l) in olds.enumerated() {
                    body.append([0x2D] + l)
                    oldCount += 1
                    if lastOld && n == olds.count - 1 && !endsWithNewline { body.append(noNewline) }
                }
                for (n, l) in news.enumerated() {
                    body.append([0x2B] + l)
                    newCount += 1
                    if lastOld && n == news.count - 1 && !newHasNewline { body.append(noNewline) }
                }
                for l in same.suffix { body.append([0x20] + l); oldCount += 1; newCount += 1 }
                line = c.last + 1
            }
            while line <= end {
                body.append([0x20] + text(original[oldLines[line]]))
                if line == oldLines.count - 1 && !endsWithNewline { body.append(noNewline) }
                line += 1; oldCount += 1; newCount += 1
            }
            let oldStart = oldCount == 0 ? start : start + 1
            let newStart = newCount == 0 ? start + delta : start + delta + 1
            out += Array("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n".utf8)
            for l in body { out += l + [0x0A] }
            delta += newCount - oldCount
            k = j + 1
        }
        return out
    }
}
