/// The exit codes of every `kiln` command (documented in `docs/cli.md`).
public enum ExitCode: Int32, Sendable {
    /// The command did what was asked.
    case success = 0
    /// A finding about the user's input: a bad model, target or data file, a model that does not fit.
    case inputError = 1
    /// The command line itself is wrong: unknown option, missing argument, bad value.
    case usageError = 2
    /// Ctrl-C stopped a long run; what was finished was printed (marked partial). 130 is the
    /// shells' code for a process ended by SIGINT (128 + 2).
    case interrupted = 130
}
