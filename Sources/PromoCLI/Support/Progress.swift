import Foundation

/// Progress on stderr: one line rewritten in place on a terminal, only each step's last line otherwise.
struct Progress: Sendable {
    var quiet = false
    /// Put before every line, e.g. `[demo seed] `.
    var prefix = ""
    let isTerminal = isatty(STDERR_FILENO) == 1

    init(prefix: String = "", quiet: Bool = false) {
        self.prefix = prefix
        self.quiet = quiet
    }

    /// Rewrites the line in place; nothing when stderr is not a terminal.
    func update(_ line: String, prefix usePrefix: Bool = true) {
        guard !quiet, isTerminal else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + (usePrefix ? prefix : "") + line).utf8))
    }

    func finish(_ line: String) { self.line(prefix + line) }

    /// `text` on a line of its own.
    func line(_ text: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + text + "\n").utf8))
    }
}
