import Foundation

/// Where a command writes: machine-readable results to standard output, progress and
/// diagnostics to standard error.
///
/// Tests use ``Console/capturing()`` to read what a command printed.
public final class Console: @unchecked Sendable {
    private let writeOutput: (String) -> Void
    private let writeError: (String) -> Void
    private let lock = NSLock()
    /// Whether standard error is a terminal (progress is shown only then).
    public let errorIsTerminal: Bool
    /// Whether standard output is a terminal (tables emphasize their best values only then).
    public let outputIsTerminal: Bool
    private var capturedOutput = ""
    private var capturedError = ""

    /// A console writing to the process's standard output and error.
    public static func standard() -> Console {
        Console(errorIsTerminal: isatty(2) == 1, outputIsTerminal: isatty(1) == 1,
                output: { FileHandle.standardOutput.write(Data($0.utf8)) },
                error: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    /// A console that keeps everything written, for tests.
    public static func capturing() -> Console {
        let console = Console(errorIsTerminal: false, outputIsTerminal: false, output: { _ in }, error: { _ in })
        return console
    }

    private init(errorIsTerminal: Bool, outputIsTerminal: Bool, output: @escaping (String) -> Void, error: @escaping (String) -> Void) {
        self.errorIsTerminal = errorIsTerminal
        self.outputIsTerminal = outputIsTerminal
        self.writeOutput = output
        self.writeError = error
    }

    /// Writes a line (or several) to standard output.
    public func print(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        let line = text.hasSuffix("\n") ? text : text + "\n"
        capturedOutput += line
        writeOutput(line)
    }

    /// Writes a line to standard error.
    public func printError(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        let line = text.hasSuffix("\n") ? text : text + "\n"
        capturedError += line
        writeError(line)
    }

    /// Shows progress on standard error when it is a terminal (overwriting the line); does
    /// nothing otherwise, so logs and pipes stay clean.
    public func progress(_ text: String) {
        guard errorIsTerminal else { return }
        lock.lock(); defer { lock.unlock() }
        writeError("\r\u{1B}[2K" + text)
    }

    /// Clears a progress line.
    public func endProgress() {
        guard errorIsTerminal else { return }
        lock.lock(); defer { lock.unlock() }
        writeError("\r\u{1B}[2K")
    }

    /// Everything written to standard output so far.
    public var output: String { lock.lock(); defer { lock.unlock() }; return capturedOutput }
    /// Everything written to standard error so far.
    public var errorOutput: String { lock.lock(); defer { lock.unlock() }; return capturedError }
}
