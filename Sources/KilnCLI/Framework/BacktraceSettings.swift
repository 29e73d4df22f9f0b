/// How `kiln` configures Swift's crash backtracer.
///
/// When a Swift program traps, the runtime starts a helper (`swift-backtrace`) that inherits the
/// crashed process's stderr. With the default settings the helper may wait for a user at a
/// terminal (`interactive=tty`) or spend minutes symbolicating a debug binary with full line
/// information, and meanwhile a caller that reads `kiln`'s stderr to its end hangs. `kiln`
/// therefore runs with a non-interactive backtracer and fast symbolication unless the user
/// chose settings in `SWIFT_BACKTRACE` themselves. The runtime reads that variable once, at
/// process start, so the entry point re-executes itself once with it set.
public enum BacktraceSettings {
    /// The environment variable the Swift runtime reads.
    public static let variable = "SWIFT_BACKTRACE"

    /// The settings `kiln` uses: never wait for input, symbols without line tables, no colour.
    public static let nonInteractive = "interactive=no,symbolicate=fast,color=no"

    /// The value to set before re-executing, or nil when the user already set one (theirs wins).
    public static func value(toSetIn environment: [String: String]) -> String? {
        environment[variable] == nil ? nonInteractive : nil
    }
}
