import Foundation
import KilnBackends
import KilnCompiler
import KilnDiagnostics
import KilnTargets

/// The `kiln` command-line tool: a list of commands and the dispatch, help and error handling
/// they share. A plugin package builds its own `kiln` by creating a `KilnTool` with its
/// configuration and calling ``run(_:console:)`` from its `main.swift`.
public struct KilnTool: Sendable {
    /// The top-level commands, in the order `kiln --help` lists them.
    public var commands: [any Command]

    /// The backends that compile for each family: the only list of families (target schemas,
    /// workload formats and resource figures come from it).
    public var registry: BackendRegistry

    /// Target directories shipped with this tool besides the built-in `targets/` (a plugin's own
    /// `targets/`). Every command loads them like the built-ins: each cost number needs a source.
    public var packagedTargetDirectories: [URL]

    /// Creates the tool.
    /// - Parameters:
    ///   - commands: the commands (default: every built-in command, with the registry's workload formats).
    ///   - registry: the backends (a plugin passes the built-ins plus its own).
    ///   - packagedTargetDirectories: extra directories of targets that ship with the tool (a
    ///     plugin's `targets/`), loaded by every command as if they were built in.
    public init(commands: [any Command]? = nil, registry: BackendRegistry, packagedTargetDirectories: [URL] = []) {
        self.commands = commands ?? KilnTool.builtInCommands(workloadFormats: registry.workloadFormats)
        self.registry = registry
        self.packagedTargetDirectories = packagedTargetDirectories
    }

    /// The tool with the built-in commands and backends.
    public static func builtIn() throws(DiagnosticError) -> KilnTool {
        KilnTool(registry: try BuiltInBackends.registry())
    }

    /// Every built-in command.
    /// - Parameter workloadFormats: the workload formats `simulate` reads besides models (a
    ///   registry's ``BackendRegistry/workloadFormats``).
    public static func builtInCommands(workloadFormats: [any WorkloadFormat] = []) -> [any Command] {
        [InspectCommand(), RunCommand(), QuantizeCommand(), TuneCommand(), CompileCommand(), SimulateCommand(workloadFormats: workloadFormats), CompareCommand(),
         SweepCommand(), BenchCommand(), TargetsCommand(), ValidateCommand()]
    }

    /// The version printed by `kiln --version`.
    public static let version = "0.1.0"

    /// Runs one command line (without the program name) and returns the exit code.
    ///
    /// Usage errors print the problem and a pointer to `--help` (exit 2); findings about the
    /// input print as compiler-style diagnostics (exit 1). Nothing the user types can crash it.
    public func run(_ arguments: [String], console: Console) -> ExitCode {
        let context = CommandContext(console: console, registry: registry, packagedTargetDirectories: packagedTargetDirectories)
        guard let first = arguments.first else {
            console.print(overview())
            return .success
        }
        if first == "--help" || first == "-h" || first == "help" {
            if first == "help", arguments.count > 1 {
                return run(Array(arguments.dropFirst()) + ["--help"], console: console)
            }
            console.print(overview())
            return .success
        }
        if first == "--version" {
            console.print("kiln \(Self.version)")
            return .success
        }
        guard var command = commands.first(where: { $0.name == first }) else {
            console.printError("error: unknown command '\(first)'\(closestMatchSuggestion(first, commands.map(\.name))); see 'kiln --help'")
            return .usageError
        }
        var path = "kiln \(command.name)"
        var rest = Array(arguments.dropFirst())
        while !command.subcommands.isEmpty, let next = rest.first, !next.hasPrefix("-") {
            guard let nested = command.subcommands.first(where: { $0.name == next }) else {
                console.printError("error: unknown subcommand '\(next)' of '\(path)'; see '\(path) --help'")
                return .usageError
            }
            command = nested
            path += " \(nested.name)"
            rest.removeFirst()
        }
        if rest.contains("--help") || rest.contains("-h") {
            console.print(command.helpText(prefix: String(path.dropLast(command.name.count + 1))))
            return .success
        }
        do {
            let parsed = try ParsedArguments(rest, options: command.options)
            return try command.run(parsed, context: context)
        } catch let error as UsageError {
            console.printError("error: \(error.message)\nusage: \(String(path.dropLast(command.name.count + 1))) \(command.usage)\nsee '\(path) --help'")
            return .usageError
        } catch let error as DiagnosticError {
            console.printError(error.description)
            return .inputError
        } catch let error as Diagnostic {
            console.printError(error.description)
            return .inputError
        } catch {
            console.printError("error: \(error)")
            return .inputError
        }
    }

    /// The text of `kiln --help`.
    public func overview() -> String {
        let width = commands.map(\.name.count).max() ?? 0
        var text = """
        kiln \(Self.version): compile quantized neural networks for accelerators and simulate them.

        USAGE: kiln COMMAND [OPTIONS]

        COMMANDS:

        """
        for command in commands {
            text += "  \(command.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(command.summary)\n"
        }
        text += """

        See 'kiln COMMAND --help' for a command's options.
        Exit codes: 0 success, 1 a finding about the input, 2 a usage error.
        """
        return text
    }
}
