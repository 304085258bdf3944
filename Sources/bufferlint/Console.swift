import BufferLintKit
import Foundation

/// Every byte bufferlint prints goes through here: whole writes or an error, never a crash, and
/// no line that a CI runner would take for a workflow command unless the `github` format meant it.
enum Console {
    /// Standard output. `commands`: the text holds workflow commands of its own (`--format github`).
    static func out(_ text: String, commands: Bool = false) {
        write(TerminalText.guardLines(text, allowCommands: commands), fd: STDOUT_FILENO, target: "standard output")
    }

    /// Text whose bytes must arrive unchanged (a diff). Under GitHub Actions, when the output goes to
    /// the runner (not to a file), the runner is told not to read commands in it until it ends.
    static func raw(_ bytes: [UInt8]) {
        var st = stat()
        let toFile = fstat(STDOUT_FILENO, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        var out = bytes
        if !bytes.isEmpty, !toFile, ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" {
            let token = "bufferlint-" + (0..<4).map { _ in String(UInt32.random(in: 0...UInt32.max), radix: 16) }.joined()
            out = Array("::stop-commands::\(token)\n".utf8) + bytes + (bytes.last == 0x0A ? [] : [0x0A]) + Array("::\(token)::\n".utf8)
        }
        write(out, fd: STDOUT_FILENO, target: "standard output")
    }

    /// One message on standard error: `bufferlint: ` and the text, each of its lines escaped.
    static func note(_ message: String) {
        err("bufferlint: " + message.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.escape(String($0)) }
            .joined(separator: "\n") + "\n")
    }

    /// An input error on standard error, compiler style.
    static func inputError(_ e: InputError) {
        err("\(TerminalText.path(e.file)): \(e.kind.label): \(TerminalText.escape(e.message))\n")
    }

    static func err(_ text: String) {
        write(TerminalText.guardLines(text), fd: STDERR_FILENO, target: "standard error", fatal: false)
    }

    /// Appends to a file another program reads (`$GITHUB_STEP_SUMMARY`).
    static func append(_ text: String, toFile path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { failWrite(target: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        write(text, fd: fd, target: path)
    }

    static func write(_ text: String, fd: Int32, target: String, fatal: Bool = true) {
        write(Array(text.utf8), fd: fd, target: target, fatal: fatal)
    }

    static func write(_ bytes: [UInt8], fd: Int32, target: String, fatal: Bool = true) {
        let ok = bytes.withUnsafeBytes { buf -> Bool in
            var off = 0
            while off < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                off += n
            }
            return true
        }
        if !ok && fatal { failWrite(target: target, reason: String(cString: strerror(errno))) }
    }

    /// A write that failed: said on standard error (when it can be) and exit 2.
    static func failWrite(target: String, reason: String) -> Never {
        write("bufferlint: error: cannot write to \(TerminalText.escape(target)): \(reason)\n", fd: STDERR_FILENO, target: "standard error", fatal: false)
        Foundation.exit(ExitCodes.usage)
    }
}
