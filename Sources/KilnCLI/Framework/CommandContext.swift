import Foundation
import KilnCompiler
import KilnDiagnostics
import KilnEvaluation
import KilnTargets

/// What every command gets besides its arguments: where to write, and the tool's configuration.
public struct CommandContext: Sendable {
    /// Where output, progress and diagnostics go.
    public var console: Console
    /// The backends, by family (and with them the target families whose descriptions load).
    public var registry: BackendRegistry
    /// The process environment (for `KILN_TARGETS_DIR`).
    public var environment: [String: String]
    /// Target directories shipped with the tool besides the built-in one (a plugin's `targets/`).
    public var packagedTargetDirectories: [URL]
    /// Called with every graph a command adapts and every program it compiles (for tools and
    /// tests that check what a command evaluated); nil for none.
    public var evaluationObserver: (@Sendable (Evaluation.Product) -> Void)?

    /// Creates a context.
    /// - Parameter packagedTargetDirectories: a plugin's own target directories, loaded like the
    ///   built-in `targets/` (sources required).
    public init(console: Console, registry: BackendRegistry,
                environment: [String: String] = ProcessInfo.processInfo.environment, packagedTargetDirectories: [URL] = []) {
        self.console = console
        self.registry = registry
        self.environment = environment
        self.packagedTargetDirectories = packagedTargetDirectories
    }

    /// The evaluation every command that compiles, simulates or scores a model goes through.
    /// - Parameter catalog: the targets (host targets are looked up in it).
    public func evaluation(_ catalog: TargetCatalog) -> Evaluation {
        Evaluation(registry: registry, catalog: catalog, observer: evaluationObserver)
    }

    /// The built-in and packaged targets plus those named by `--target-dir DIR` and `--target FILE`
    /// options and by `files`.
    ///
    /// A target from a user's directory or file that has the name of a built-in (or packaged)
    /// target is refused unless `--override` is given; with it, the user's description replaces
    /// the built-in one and a note on standard error says so.
    /// - Parameters:
    ///   - arguments: the parsed command line; `--target` values that name an existing `.json`
    ///     file are loaded as extra targets.
    ///   - files: more target description files (the files among `compare --targets`).
    /// - Throws: ``DiagnosticError`` with every finding in every target file.
    public func targetCatalog(_ arguments: ParsedArguments, files extra: [String] = []) throws(DiagnosticError) -> TargetCatalog {
        let directories = arguments.values("--target-dir").map { URL(fileURLWithPath: $0) }
        let files = (arguments.values("--target") + [arguments.value("--target-file")].compactMap { $0 })
            .filter { $0.hasSuffix(".json") }
            .map { URL(fileURLWithPath: $0) } + extra.map { URL(fileURLWithPath: $0) }
        for file in files where !FileManager.default.fileExists(atPath: file.path) {
            throw DiagnosticError(.error("no such target file", file: file.relativePath))
        }
        var catalog = try TargetCatalog.standard(packagedDirectories: packagedTargetDirectories, families: registry.targetFamilies,
                                                 environment: environment)
        var user = TargetCatalog(families: registry.targetFamilies)
        var findings = DiagnosticCollector()
        for directory in directories { user.loadDirectory(directory, requireSources: false, displayPrefix: nil, into: &findings) }
        for file in files where !user.targets.contains(where: { $0.file == file.relativePath }) {
            user.loadFile(file, displayName: file.relativePath, requireSources: false, into: &findings)
        }
        for target in user.targets {
            if let builtIn = catalog.target(named: target.name) {
                guard arguments.flag("--override") else {
                    findings.append(Diagnostic(.error, "target '\(target.name)' has the name of the built-in target in \(builtIn.file); "
                                               + "rename it, or give --override to use it instead of the built-in one",
                                               at: SourceLocation(file: target.file, place: "name")))
                    continue
                }
                console.printError("\(target.file): note: target '\(target.name)' replaces the built-in one in \(builtIn.file) (--override)")
            }
            catalog.add(target)
        }
        for finding in catalog.checkCrossTargetConsistency() { findings.append(finding) }
        try findings.throwIfErrors()
        return catalog
    }
}

extension CommandContext {
    /// The target named by `--target NAME|FILE`.
    /// - Throws: ``UsageError`` if the option is missing, ``DiagnosticError`` if no target has that
    ///   name (with a suggestion) or a file does not load.
    func requiredTarget(_ arguments: ParsedArguments) throws -> TargetDescription {
        guard let wanted = arguments.values("--target").last else { throw UsageError("missing --target NAME|FILE") }
        let catalog = try targetCatalog(arguments)
        if wanted.hasSuffix(".json"), let loaded = catalog.targets.first(where: { $0.file == URL(fileURLWithPath: wanted).relativePath }) {
            return try arguments.value("--stack").map { name throws(DiagnosticError) in try loaded.selecting(stack: name) } ?? loaded
        }
        guard let target = catalog.target(named: wanted) else {
            throw DiagnosticError(.error("no target named '\(wanted)'\(closestMatchSuggestion(wanted, catalog.targets.map(\.name))); 'kiln targets list' shows them all"))
        }
        return try arguments.value("--stack").map { name throws(DiagnosticError) in try target.selecting(stack: name) } ?? target
    }
}
