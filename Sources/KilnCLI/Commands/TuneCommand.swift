import Foundation
import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnJSON
import KilnModelIO
import KilnReports

/// `kiln tune MODEL --target T --calibration C.npy --budget METRIC=LIMIT`: per-layer widths of a
/// float model chosen for one target (``KilnEvaluation/PrecisionTuner``), the quantized model
/// written, and the accuracy-vs-cost points it explored printed.
struct TuneCommand: Command {
    let name = "tune"
    let summary = "Choose per-layer bit widths of a float model for a target within a cost budget"
    let usage = "tune MODEL --target T --calibration C.npy --budget latency=…|energy=…|memory=… [--data X.npy --labels Y.npy] [--output FILE] [--search greedy|evolutionary] [--seed N] [--population N] [--generations N] [--islands N] [--shard K/N | --merge SHARD.json ...] [--format table|json|csv] [--html FILE]"
    let discussion = """
    Chooses each conv / dense / matmul layer's weight and activation widths among the integer
    formats the target declares (weights: numerics.storageFormats; activations: the formats its
    conv2d / dense / matmul ops are declared at), quantizes the model with Kiln's
    post-training quantizer at those weight widths, compiles it for the target with the widths
    as per-layer compile options, prices it with the target's cost model and scores it by
    bit-exact functional simulation of the program: top-1 with --data and --labels, else the
    output SQNR against the float model on the calibration inputs. Prints every configuration
    explored (on the accuracy-vs-cost front or not) and the chosen one: the most accurate within
    the budget, or, when nothing fits, the cheapest with the reason. The budget is an absolute
    value (latency=2ms, energy=5uJ, memory=64KiB) or a percentage of the cost with every layer
    at the target's widest formats (latency=50%). The search is deterministic: the same seed
    gives the same output file byte for byte. --output writes the chosen quantized model (its
    weight widths; the activation widths of families that choose them per layer are in the
    report's layerBits).

    --islands N evolves N independent populations (the first from --seed, the others from
    seeds drawn from it) and answers with the best of all. They are what --shard K/N splits:
    shard K explores the islands whose number is K-1 modulo N and writes a shard file
    (--format json); the same command line with --merge SHARD.json for every shard in place of
    --shard joins them (checking that each shard ran with these settings and that the widest
    configuration evaluates as theirs did) into exactly the unsharded run's report and model
    file. Without --shard, a Slurm job array or a Kubernetes Indexed Job picks the shard, as for
    sweep (docs/scale-out.md). The greedy search is one chain of dependent steps: it has one
    island and does not shard.
    """
    let options: [OptionSpecification] = [
        OptionSpecification("--target", arity: .repeated, valueName: "NAME|FILE", help: "the target: a built-in name or a target description file"),
        .targetDirectory,
        OptionSpecification("--calibration", valueName: "C.npy", help: "calibration inputs of the model's input ([N, ...])"),
        OptionSpecification("--budget", valueName: "METRIC=LIMIT", help: "latency=2ms | energy=5uJ | memory=64KiB, or a percentage of the widest configuration (latency=50%)"),
        OptionSpecification("--data", valueName: "X.npy", help: "evaluation inputs; the first dimension is the batch"),
        OptionSpecification("--labels", valueName: "Y.npy", help: "integer labels for top-1 accuracy"),
        OptionSpecification("--output", short: "-o", valueName: "FILE", help: "where to write the chosen quantized model (.json)"),
        OptionSpecification("--search", valueName: "METHOD", choices: PrecisionTuner.Search.allCases.map(\.rawValue),
                            help: "greedy (sensitivity-guided, default) or evolutionary (seeded population search)"),
        OptionSpecification("--seed", valueName: "N", help: "seed of the evolutionary search (default 0)"),
        OptionSpecification("--population", valueName: "N", help: "evolutionary population size, 2 to 256 (default 8)"),
        OptionSpecification("--generations", valueName: "N", help: "evolutionary generations after the first, 0 to 1000 (default 4)"),
        OptionSpecification("--islands", valueName: "N", help: "independent populations of the evolutionary search, 1 to 256 (default 1)"),
        OptionSpecification("--shard", valueName: "K/N", help: "explore only the islands whose number is K-1 modulo N and write a shard file (--format json)"),
        OptionSpecification("--merge", arity: .repeated, valueName: "SHARD.json", help: "join these shard files into the unsharded result instead of searching"),
        OptionSpecification("--html", valueName: "FILE", help: "also write an HTML report with the accuracy-vs-cost chart to FILE"),
        .format(["table", "json", "csv"]),
    ]

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...1, names: "MODEL")
        guard let budgetText = arguments.value("--budget") else { throw UsageError("missing --budget METRIC=LIMIT (e.g. latency=50%)") }
        guard let calibrationPath = arguments.value("--calibration") else { throw UsageError("missing --calibration C.npy") }
        let budget: TuningBudget
        do { budget = try TuningBudget(parsing: budgetText) } catch { throw UsageError(error.diagnostics.map(\.message).joined(separator: "; ")) }
        let seedText = arguments.value("--seed") ?? "0"
        guard let seed = UInt64(seedText) else { throw UsageError("option '--seed' must be a non-negative integer, got '\(seedText)'") }
        let modelPath = arguments.positionals[0]
        let graph = try ModelLoader.load(modelPath)
        let target = try context.requiredTarget(arguments)
        let files = try EvaluationFiles(data: arguments.values("--data"), labels: arguments.value("--labels"), dataOption: "--data")
        if files.samples != nil && files.labels == nil { throw UsageError("--data needs --labels (without them tune scores SQNR on the calibration inputs)") }
        guard let calibration = try EvaluationFiles.calibration(calibrationPath) else { throw UsageError("missing --calibration C.npy") }
        if let input = graph.inputs.first, let type = graph.types[input] {
            try ModelDataFiles.check(calibration, file: calibrationPath, feeds: input, of: type)
        }
        _ = try files.data(for: graph)  // checks the samples and labels against the model, naming the file
        var tuner = PrecisionTuner(evaluation: context.evaluation(try context.targetCatalog(arguments)), target: target, budget: budget,
                                   search: PrecisionTuner.Search(rawValue: arguments.value("--search") ?? "greedy")!, seed: seed)
        tuner.populationSize = try arguments.integer("--population", in: 2...256) ?? tuner.populationSize
        tuner.generations = try arguments.integer("--generations", in: 0...1000) ?? tuner.generations
        tuner.islands = try arguments.integer("--islands", in: 1...256) ?? tuner.islands
        if tuner.islands > 1 && tuner.search != .evolutionary {
            throw UsageError("--islands needs --search evolutionary: the greedy search is one chain of dependent steps")
        }
        let mergeFiles = arguments.values("--merge")
        if !mergeFiles.isEmpty && arguments.value("--shard") != nil { throw UsageError("give --shard K/N (explore one shard) or --merge SHARD.json (join them), not both") }
        let shard = mergeFiles.isEmpty ? try Self.shard(arguments, context: context) : nil
        if let shard {
            guard arguments.value("--format") == "json" else {
                throw UsageError("shard \(shard.number)/\(shard.count) writes a shard file for 'kiln tune --merge': give --format json")
            }
            for option in ["--output", "--html"] where arguments.value(option) != nil {
                throw UsageError("a shard writes no \(option == "--html" ? "HTML report" : "model"); give \(option) to the --merge run")
            }
            guard shard.count <= tuner.islands else {
                throw UsageError("--shard \(shard.number)/\(shard.count): the search has \(tuner.islands) island\(tuner.islands == 1 ? "" : "s") to split, fewer than \(shard.count) shards"
                                 + (tuner.search == .greedy ? " (the greedy search has one; shard an evolutionary search with --islands)" : "; give --islands \(shard.count) or more"))
            }
        }
        let settings = TuneShard.Settings(model: graph.name, tuner: tuner)
        let explorations = mergeFiles.isEmpty ? nil : try TuneShard.read(files: mergeFiles, settings: settings)
        context.console.progress("tuning \(graph.name) for \(target.name)")
        let data = files.samples.flatMap { samples in files.labels.map { (samples: samples, labels: $0) } }
        if let shard {
            let islands = Array(shard.indices(inGridOf: tuner.islands))
            let exploration = try ModelLoader.attributing(to: modelPath) { () throws(DiagnosticError) in
                try tuner.explore(graph, calibration: calibration, data: data, islands: islands)
            }
            context.console.endProgress()
            context.console.print(TuneShard(shard: shard, settings: settings, exploration: exploration).json())
            return .success
        }
        let result = try ModelLoader.attributing(to: modelPath) { () throws(DiagnosticError) in
            if let explorations { return try tuner.conclude(graph, calibration: calibration, data: data, explorations: explorations) }
            return try tuner.tune(graph, calibration: calibration, data: data)
        }
        context.console.endProgress()
        let output = arguments.value("--output")
        if let output { try KilnModelFile.write(result.model, to: output) }
        let report = TuningReport(result: result, tuner: tuner, model: graph.name, output: output)
        if let htmlPath = arguments.value("--html") { try report.page().write(to: htmlPath) }
        switch arguments.value("--format") {
        case "json": context.console.print(report.json())
        case "csv": context.console.print(report.table(raw: true).csv())
        default: context.console.print(report.text())
        }
        return .success
    }

    /// The shard of `--shard K/N`, else of an array job's environment (noted on stderr), else nil.
    static func shard(_ arguments: ParsedArguments, context: CommandContext) throws(UsageError) -> SweepShard? {
        if let text = arguments.value("--shard") { return try SweepShard(parsing: text) }
        guard let assigned = try SweepShard.fromEnvironment(context.environment) else { return nil }
        context.console.printError("note: shard \(assigned.shard.number)/\(assigned.shard.count) from \(assigned.source)")
        return assigned.shard
    }
}

/// What `kiln tune` prints: every explored configuration with its cost, accuracy and whether it
/// is on the accuracy-vs-cost front, and the chosen one (JSON `kind` `kiln.tune`, `schemaVersion` 1).
struct TuningReport {
    let result: PrecisionTuner.Result
    let tuner: PrecisionTuner
    let model: String
    let output: String?

    /// The JSON document's `kind`.
    static let kind = "kiln.tune"
    /// The JSON document's `schemaVersion`.
    static let schemaVersion: Int64 = 1

    /// Per point: whether it is on the front (maximal accuracy, minimal budget metric).
    var front: [Bool] {
        ParetoFront.membership(of: result.points.map { [($0.cost ?? .nan), -($0.accuracy ?? .nan)] })
    }

    /// A configuration as `w8a8 w4a8 ...`, one entry per layer.
    static func widths(_ widths: [PrecisionTuner.LayerWidths]) -> String {
        widths.map(\.label).joined(separator: " ")
    }

    var accuracyName: String { result.accuracyIsTopOne ? "top1" : "sqnrDecibels" }

    func accuracyText(_ value: Double?) -> String {
        guard let value else { return "—" }
        return result.accuracyIsTopOne ? String(format: "%.2f%%", value * 100) : String(format: "%.1f dB", value)
    }

    /// The points, in exploration order: raw numbers for CSV, units for the terminal.
    func table(raw: Bool) -> TextTable {
        var table = TextTable([("index", .right), ("widths", .left), (tuner.budget.metric.rawValue, .right), ("latencySeconds", .right),
                               ("energyJoules", .right), ("memoryBytes", .right), (accuracyName, .right), ("front", .left),
                               ("chosen", .left), ("failure", .left)])
        let front = front
        for (index, point) in result.points.enumerated() {
            func number(_ value: Double?, _ unit: String) -> String {
                guard let value else { return "" }
                return raw ? "\(value)" : Units.engineering(value, unit: unit)
            }
            table.append(["\(index)", Self.widths(point.widths), number(point.cost, tuner.budget.metric.unit),
                          number(point.latencySeconds, "s"), number(point.energyJoules, "J"),
                          point.memoryBytes.map { raw ? "\($0)" : Units.bytes($0) } ?? "",
                          raw ? point.accuracy.map { "\($0)" } ?? "" : accuracyText(point.accuracy),
                          front[index] ? "yes" : "", index == result.chosen ? "yes" : "", point.failure ?? ""])
        }
        return table
    }

    func text() -> String {
        let chosen = result.points[result.chosen], widest = result.points[0]
        var lines = [
            "model: \(model) on \(tuner.target.name), \(tuner.search.rawValue) search, seed \(tuner.seed)",
            "layers: \(result.layers.joined(separator: ", ")); weight widths \(result.weightChoices.map(String.init).joined(separator: ", ")), activation widths \(result.activationChoices.map(String.init).joined(separator: ", ")) (weights from numerics.storageFormats, activations from the formats of ops[] conv2d / dense / matmul)",
            "budget: \(tuner.budget.metric.rawValue) ≤ \(Units.engineering(result.limit, unit: tuner.budget.metric.unit))",
            "", table(raw: false).rendered(), "",
            "widest: \(Self.widths(widest.widths)): \(widest.cost.map { Units.engineering($0, unit: tuner.budget.metric.unit) } ?? "—"), \(accuracyText(widest.accuracy))",
            "chosen: \(Self.widths(chosen.widths)): \(chosen.cost.map { Units.engineering($0, unit: tuner.budget.metric.unit) } ?? "—"), \(accuracyText(chosen.accuracy))"
                + (result.metBudget ? " (within the budget)" : " (over the budget)"),
        ]
        if let reason = result.reason { lines.append("budget not met: \(reason)") }
        if let output { lines.append("wrote \(output)") }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        let front = front
        func optional(_ value: Double?) -> JSONValue { value.map { $0.isFinite ? .number($0) : .null } ?? .null }
        let points = result.points.enumerated().map { index, point -> JSONValue in
            .object(JSONObject([
                ("widths", .array(zip(result.layers, point.widths).map { layer, widths in
                    .object(JSONObject([("layer", .string(layer)), ("weightBits", .integer(Int64(widths.weights))),
                                        ("activationBits", .integer(Int64(widths.activations)))]))
                })),
                ("cost", optional(point.cost)), ("latencySeconds", optional(point.latencySeconds)),
                ("energyJoules", optional(point.energyJoules)), ("memoryBytes", point.memoryBytes.map { .integer(Int64($0)) } ?? .null),
                (accuracyName, optional(point.accuracy)), ("onFront", .bool(front[index])),
                ("failure", point.failure.map { .string($0) } ?? .null),
            ]))
        }
        return JSONWriter().write(.object(JSONObject([
            ("kind", .string(Self.kind)), ("schemaVersion", .integer(Self.schemaVersion)),
            ("model", .string(model)), ("target", .string(tuner.target.name)),
            ("search", .string(tuner.search.rawValue)), ("seed", .integer(Int64(bitPattern: tuner.seed))),
            ("budget", .object(JSONObject([("metric", .string(tuner.budget.metric.rawValue)), ("unit", .string(tuner.budget.metric.unit)),
                                           ("limit", .number(result.limit))]))),
            ("layers", .array(result.layers.map { .string($0) })),
            ("weightChoices", .array(result.weightChoices.map { .integer(Int64($0)) })),
            ("activationChoices", .array(result.activationChoices.map { .integer(Int64($0)) })),
            ("points", .array(points)), ("chosen", .integer(Int64(result.chosen))), ("metBudget", .bool(result.metBudget)),
            ("reason", result.reason.map { .string($0) } ?? .null),
            ("layerBits", .object(JSONObject(result.layers.map { layer in
                (layer, .object(JSONObject([("weights", .integer(Int64(result.layerBits[layer]!.weights))),
                                            ("activations", .integer(Int64(result.layerBits[layer]!.activations)))])))
            }))),
            ("output", output.map { .string($0) } ?? .null),
        ])))
    }

    /// The HTML report: accuracy against the budget metric for every explored configuration,
    /// the front joined, then the table.
    func page() -> HTMLPage {
        let front = front
        let chart = ScatterChart(
            title: "Explored configurations on \(tuner.target.name)",
            xAxis: ScatterChart.Axis(title: tuner.budget.metric.rawValue, unit: tuner.budget.metric.unit),
            yAxis: ScatterChart.Axis(title: result.accuracyIsTopOne ? "top-1 accuracy" : "output SQNR", unit: result.accuracyIsTopOne ? "" : "dB",
                                     isPercentage: result.accuracyIsTopOne, preferLogarithmic: false),
            points: result.points.enumerated().map { index, point in
                ScatterChart.Point(label: index == result.chosen ? "chosen" : "\(index)", x: point.cost ?? .nan, y: point.accuracy ?? .nan,
                                   onFront: front[index], details: Self.widths(point.widths))
            },
            joinFront: true, frontMaximizesY: true, frontLegend: "accuracy-vs-\(tuner.budget.metric.rawValue) front", cssClass: "chart tune")
        let table = table(raw: false)
        return HTMLPage(title: "kiln tune: \(model) on \(tuner.target.name)",
                        sections: [chart.svg(), HTMLTable(titles: table.titles, rows: table.rows, highlightedRows: [result.chosen]).html()])
    }
}
