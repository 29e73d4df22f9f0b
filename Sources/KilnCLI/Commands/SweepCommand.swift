import Foundation
import KilnCompiler
import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnJSON
import KilnModelIO
import KilnReports
import KilnTargets

/// `kiln sweep MODEL --target T --vary PATH=V1,V2,...`: design-space exploration over
/// target-description fields, with the Pareto front over latency, energy and resources;
/// `kiln sweep merge SHARD.json ...` joins the outputs of `--shard K/N` runs.
struct SweepCommand: Command {
    let name = "sweep"
    let summary = "Explore target parameters over a grid; mark the Pareto front (latency, energy, resources)"
    let usage = """
    sweep MODEL --target T --vary PATH=V1,V2,... [--vary ...] [--shard K/N] [--calibration C.npy] [--data X.npy [--labels Y.npy]] [--format table|csv|json] [--html FILE]
           kiln sweep merge SHARD.json ... [--format table|csv|json] [--html FILE]
    """
    let discussion = """
    Every combination of the --vary values is one grid point (the last --vary changes fastest).
    PATH is a field of the target description (docs/target-format.md): clockMegahertz,
    memory[1].readBytesPerCycle, memory[dram].sizeBytes or a field of the family section (FAMILY.FIELD).
    A sourced number keeps its object form with the source set to "sweep". Each point's target is
    validated again; an invalid value gives that row an error instead of an estimate (exit code 1
    only when every point fails). By default only the cost model runs; --data (and --labels) add
    accuracy from functional simulation. --calibration quantizes a float MODEL and calibrates narrow
    formats exactly as 'kiln compare' does, at every grid point.

    The front marks points that no other point beats in latency, energy and the resource figure
    the target's family names (processing elements, fabric slices, ...; on-chip memory bytes for a
    family that names none) (and top-1 accuracy when --labels is given).

    --shard K/N keeps grid points whose index is K-1 modulo N, for array jobs; write each shard with
    --format json and join them with 'kiln sweep merge', which recomputes the front. Without
    --shard, a Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT)
    or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with JOB_COMPLETIONS set to the Job's
    completions) picks the shard; see docs/scale-out.md.
    """
    let options: [OptionSpecification] = [
        OptionSpecification("--target", valueName: "T", help: "the target to vary (a name or a .json file)"),
        OptionSpecification("--vary", arity: .repeated, valueName: "PATH=V1,V2,...", help: "a target field and the values it takes"),
        OptionSpecification("--shard", valueName: "K/N", help: "evaluate only shard K of N (round-robin over the grid)"),
        OptionSpecification("--data", arity: .repeated, valueName: "[NAME=]X.npy",
                            help: "inputs for accuracy; the first dimension is the batch; NAME=X.npy once per input of a model with several"),
        OptionSpecification("--labels", valueName: "Y.npy", help: "integer labels for top-1 accuracy"),
        .calibration,
        .format(["table", "csv", "json"]),
        OptionSpecification("--html", valueName: "FILE", help: "also write an HTML report with the Pareto charts to FILE"),
        .stack, .targetDirectory, .overrideBuiltIn,
    ]

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        if arguments.positionals.first == "merge" { return try merge(arguments, context: context) }
        try arguments.expectPositionals(1...1, names: "MODEL")
        guard arguments.value("--target") != nil else { throw UsageError("missing --target NAME|FILE: the target whose fields vary") }
        let varies = arguments.values("--vary")
        guard !varies.isEmpty else { throw UsageError("missing --vary PATH=V1,V2,...: give at least one target field to vary") }
        for vary in varies where !vary.contains("=") {
            throw UsageError("--vary '\(vary)' needs PATH=V1,V2,... (for example --vary clockMegahertz=100,200)")
        }
        var shard = try arguments.value("--shard").map { text throws(UsageError) in try SweepShard(parsing: text) }
        if shard == nil, let assigned = try SweepShard.fromEnvironment(context.environment) {
            shard = assigned.shard
            context.console.printError("note: shard \(assigned.shard.number)/\(assigned.shard.count) from \(assigned.source)")
        }

        let catalog = try context.targetCatalog(arguments)
        let base = try context.requiredTarget(arguments)
        var parameters: [SweepParameter] = []
        for vary in varies { parameters.append(try SweepParameter(parsing: vary, in: base.document)) }
        let grid = try SweepGrid(parameters)

        let graph = try ModelLoader.load(arguments.positionals[0])
        let model = try EvaluationModel(graph, calibration: try EvaluationFiles.calibration(arguments.value("--calibration")))
        let files = try EvaluationFiles(data: arguments.values("--data"), labels: arguments.value("--labels"), dataOption: "--data")
        let runner = SweepRunner(model: model, base: base, grid: grid, catalog: catalog, loader: context.registry.targetLoader(),
                                 evaluation: context.evaluation(catalog), data: try files.data(for: graph, scoringAgainst: model))

        let indices = Array(shard?.indices(inGridOf: grid.count) ?? stride(from: 0, to: grid.count, by: 1))
        var rows: [SweepRow] = []
        for (position, index) in indices.enumerated() {
            let values = zip(parameters, grid.values(at: index)).map { "\($0.path.text)=\(SweepParameter.text(of: $1))" }
            context.console.progress("[\(position + 1)/\(indices.count)] \(values.joined(separator: " "))")
            rows.append(runner.row(at: index))
        }
        context.console.endProgress()

        let figure = context.registry.resourceFigure(for: base)
        var result = SweepResult(model: graph.name, target: base.name,
                                 axes: parameters.map { .init(path: $0.path.text, values: $0.values) }, gridSize: grid.count,
                                 shard: shard, resourceName: figure.name, resourceUnit: figure.unit, rows: rows)
        result.markParetoFront()
        return try report(result, arguments: arguments, context: context)
    }

    /// `kiln sweep merge SHARD.json ...`.
    private func merge(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        for option in ["--target", "--shard", "--data", "--labels", "--calibration"] where arguments.value(option) != nil {
            throw UsageError("'sweep merge' takes shard files, not \(option); the shards already hold their sweep")
        }
        if !arguments.values("--vary").isEmpty { throw UsageError("'sweep merge' takes shard files, not --vary; the shards already hold their sweep") }
        let files = Array(arguments.positionals.dropFirst())
        guard !files.isEmpty else { throw UsageError("missing SHARD.json: give the JSON outputs of 'kiln sweep --shard K/N --format json'") }
        var shards: [(result: SweepResult, file: String)] = []
        for file in files {
            shards.append((try SweepResult(decoding: SweepShard.document(inFile: file), file: file), file))
        }
        let (result, missing) = try SweepResult.merge(shards)
        if !missing.isEmpty {
            let shown = missing.prefix(20).map(String.init).joined(separator: ", ") + (missing.count > 20 ? ", …" : "")
            context.console.printError("warning: the shards hold \(result.rows.count) of \(result.gridSize) grid points; missing: \(shown) (is a shard missing?)")
        }
        return try report(result, arguments: arguments, context: context)
    }

    /// Prints the result, writes the HTML report if asked, and gives the exit code: 1 when
    /// there are rows and every one failed.
    private func report(_ result: SweepResult, arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        switch arguments.value("--format") {
        case "json": context.console.print(result.json())
        case "csv": context.console.print(result.csv())
        default: context.console.print(result.table().rendered())
        }
        if let htmlPath = arguments.value("--html") {
            try SweepCommand.page(result).page().write(to: htmlPath)
        }
        let failed = result.rows.filter { !$0.succeeded }.count
        if failed > 0 {
            context.console.printError("\(failed) of \(result.rows.count) grid points have no estimate; see their error column")
        }
        return !result.rows.isEmpty && failed == result.rows.count ? .inputError : .success
    }

    /// The HTML page of a result.
    static func page(_ result: SweepResult) -> SweepPage {
        let table = result.table()
        let points = result.rows.compactMap { row -> SweepPage.Point? in
            guard row.succeeded, let latency = row.latencySeconds, let energy = row.energyJoules else { return nil }
            let values = zip(result.axes, row.values).map { "\($0.path)=\(SweepParameter.text(of: $1))" }.joined(separator: " ")
            return SweepPage.Point(label: "#\(row.index)", values: values, latencySeconds: latency, energyJoules: energy, resource: row.resource ?? .nan, onFront: row.pareto)
        }
        return SweepPage(model: result.model, target: result.target, parameters: result.axesText, resourceName: result.resourceName,
                         resourceUnit: result.resourceUnit, points: points,
                         table: HTMLTable(titles: table.titles, rows: table.rows,
                                          highlightedRows: Set(result.rows.indices.filter { result.rows[$0].pareto })))
    }
}
