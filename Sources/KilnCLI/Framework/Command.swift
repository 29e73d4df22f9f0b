/// One `kiln` subcommand: its help, its options and what it does.
///
/// A command with ``subcommands`` (like `kiln targets`) dispatches to them by the next word.
public protocol Command: Sendable {
    /// The word that selects the command (`inspect`).
    var name: String { get }
    /// One line shown in the command list.
    var summary: String { get }
    /// The usage line(s) without the leading `kiln` (`inspect MODEL [--format table|json]`).
    var usage: String { get }
    /// A longer explanation shown in `--help`, or "".
    var discussion: String { get }
    /// The options the command accepts (besides `--help`).
    var options: [OptionSpecification] { get }
    /// Nested commands (`targets list`), or empty.
    var subcommands: [any Command] { get }
    /// Runs the command.
    /// - Returns: the exit code.
    /// - Throws: ``UsageError`` (exit 2) or a `DiagnosticError` (exit 1) about the user's input.
    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode
}

extension Command {
    /// No longer explanation by default.
    public var discussion: String { "" }
    /// No nested commands by default.
    public var subcommands: [any Command] { [] }
    /// Commands with nested commands run one of them; reaching this is a usage error.
    public func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        throw UsageError("'\(name)' needs a subcommand: \(subcommands.map(\.name).joined(separator: ", "))")
    }

    /// The help text: usage, summary, discussion, options and subcommands.
    public func helpText(prefix: String) -> String {
        var text = "USAGE: \(prefix) \(usage)\n\n\(summary)\n"
        if !discussion.isEmpty { text += "\n\(discussion)\n" }
        if !subcommands.isEmpty {
            text += "\nSUBCOMMANDS:\n"
            let width = subcommands.map(\.name.count).max() ?? 0
            for command in subcommands {
                text += "  \(command.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(command.summary)\n"
            }
            text += "\nSee '\(prefix) \(name) SUBCOMMAND --help' for details.\n"
        }
        let rows = options.map { option -> (String, String) in
            var left = option.shortName.map { "\($0), " } ?? ""
            left += option.name
            if option.arity != .flag { left += " \(option.valueName)" }
            if option.arity == .repeated { left += " ..." }
            return (left, option.help)
        } + [("-h, --help", "show this help")]
        let width = rows.map(\.0.count).max() ?? 0
        text += "\nOPTIONS:\n"
        for (left, help) in rows {
            text += "  \(left.padding(toLength: width, withPad: " ", startingAt: 0))  \(help)\n"
        }
        return text
    }
}
