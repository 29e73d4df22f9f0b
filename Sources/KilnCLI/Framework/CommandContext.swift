/// What every command gets besides its arguments: where to write, and the tool's configuration.
public struct CommandContext: Sendable {
    /// Where output, progress and diagnostics go.
    public var console: Console

    /// Creates a context.
    public init(console: Console) {
        self.console = console
    }
}
