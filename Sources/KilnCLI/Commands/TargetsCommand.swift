import Foundation
import KilnDiagnostics
import KilnTargets

/// `kiln targets`: list, show and validate target descriptions.
struct TargetsCommand: Command {
    let name = "targets"
    let summary = "List, show and validate target descriptions"
    let usage = "targets list|show|validate ..."
    let options: [OptionSpecification] = []
    var subcommands: [any Command] { [TargetsListCommand(), TargetsShowCommand(), TargetsValidateCommand()] }
}

/// The options every command that loads targets accepts.
let targetCatalogOptions: [OptionSpecification] = [
    .targetDirectory, .overrideBuiltIn,
    OptionSpecification("--target", arity: .repeated, valueName: "FILE", help: "also load the target description FILE"),
]

/// `kiln targets list`.
struct TargetsListCommand: Command {
    let name = "list"
    let summary = "List every target: name, family, clock, peak ops/s, on-chip memory"
    let usage = "list [--format table|json] [--target-dir DIR] [--target FILE]"
    let options: [OptionSpecification] = [.format(["table", "json"])] + targetCatalogOptions

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(0...0, names: "")
        let catalog = try context.targetCatalog(arguments)
        let targets = catalog.targets.sorted { ($0.family, $0.name) < ($1.family, $1.name) }
        context.console.print(arguments.value("--format") == "json" ? TargetListing.json(targets) : TargetListing.table(targets))
        return .success
    }
}

/// `kiln targets show NAME`.
struct TargetsShowCommand: Command {
    let name = "show"
    let summary = "Show one target description with the source of every number"
    let usage = "show NAME [--format table|json] [--target-dir DIR] [--target FILE]"
    let options: [OptionSpecification] = [.format(["table", "json"])] + targetCatalogOptions

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...1, names: "target NAME")
        let catalog = try context.targetCatalog(arguments)
        let wanted = arguments.positionals[0]
        guard let target = catalog.target(named: wanted) else {
            let names = catalog.targets.map(\.name)
            let suggestion = closestMatchSuggestion(wanted, names)
            throw DiagnosticError(.error("no target named '\(wanted)'\(suggestion); 'kiln targets list' shows them all"))
        }
        context.console.print(arguments.value("--format") == "json" ? TargetListing.detailsJSON(target) : TargetListing.details(target))
        return .success
    }
}

/// `kiln targets validate FILE...`.
struct TargetsValidateCommand: Command {
    let name = "validate"
    let summary = "Check target description files; print every finding"
    let usage = "validate FILE... [--require-sources] [--target-dir DIR]"
    let discussion = """
    Exit code 1 if any file has an error. With --require-sources every cost number must
    name its source, as built-in targets must.
    """
    let options: [OptionSpecification] = [
        .flag("--require-sources", help: "every cost number must carry a source (as for built-in targets)"),
        .targetDirectory,
    ]

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...Int.max, names: "target description FILE(s)")
        let catalog = try context.targetCatalog(arguments)
        let loader = context.registry.targetLoader(options: TargetLoader.Options(requireSources: arguments.flag("--require-sources")))
        let files = arguments.positionals.map { (url: URL(fileURLWithPath: $0), displayName: $0) }
        let result = TargetListing.validate(files: files, catalog: catalog, loader: loader)
        let lines = result.report.split(separator: "\n", omittingEmptySubsequences: true)
        for line in lines {
            if line.hasSuffix(")") && line.contains(": ok (") { context.console.print(String(line)) } else { context.console.printError(String(line)) }
        }
        let builtIn = TargetCatalog.builtInDirectory(environment: context.environment)
        for file in files {
            guard let target = try? loader.load(contentsOf: file.url, displayName: file.displayName),
                  let existing = catalog.target(named: target.name),
                  builtIn?.appendingPathComponent(URL(fileURLWithPath: existing.file).lastPathComponent).standardizedFileURL.path
                    != file.url.standardizedFileURL.path else { continue }
            context.console.printError("\(file.displayName): warning: target '\(target.name)' has the name of the built-in target in "
                                       + "\(existing.file); commands refuse the file unless --override is given")
        }
        return result.allValid ? .success : .inputError
    }
}
