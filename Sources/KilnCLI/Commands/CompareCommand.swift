import Foundation
import KilnCompiler
import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnJSON
import KilnNumerics
import KilnReports
import KilnTargets

/// `kiln compare [MODEL ...]`: one row per model and target — format, accuracy, latency,
/// throughput, energy, power, memory, utilization, bound, host ops.
struct CompareCommand: Command {
    let name = "compare"
    let summary = "Compare deployment targets side by side: accuracy, latency, energy, memory"
    let usage = "compare [MODEL ...] [--targets A,B,...|FILE,... | --all] [--stack NAME] [--data [NAME=]X.npy ... --labels Y.npy] [--float-model F.onnx] [--calibration C.npy] [--folding FILE] [--sort COLUMN] [--format table|json|csv] [--html FILE] [--override] [--shard K/N]\n       kiln compare --merge SHARD.json ... [--sort COLUMN] [--format table|json|csv]"
    var discussion: String {
        """
        With no MODEL, compares the shipped examples on the digits test split (540 images) on every
        built-in target: examples/digits/cnn_qdq.onnx (ONNX Runtime's int8 QDQ CNN) and
        examples/digits/bnn.onnx (a binarized CNN, quantized by Kiln with the calibration images so
        that its hidden layers are ±1). Several MODELs give one block of rows each. A float MODEL is
        quantized first when --calibration is given; the calibration images also let targets with
        narrower formats choose their ranges (an already quantized MODEL is not re-quantized, and a
        note says so). Accuracy is top-1 from bit-exact functional simulation of each target's
        program; without --labels, the output SQNR against the reference output of the model the
        targets compile (and against the float model too: the float model Kiln quantized, or the one
        --float-model names). A model with several inputs (a transformer's input_ids, attention_mask,
        token_type_ids) takes --data NAME=X.npy once per input, matched by input name.
        Latency and energy come from each family's cost model and the target's sourced numbers.

        --targets takes target names and target description files (.json); a file whose target has
        a built-in target's name is refused unless --override is given.

        Columns of the table (CSV and JSON carry raw numbers in SI base units, see docs/cli.md):
        \(ComparisonColumn.all.compactMap { column in column.legend.map { "  \(column.title): \($0)" } }.joined(separator: "\n"))

        --sort COLUMN orders each model's rows best first: \(ComparisonColumn.sortNames.joined(separator: ", ")).
        On a terminal the best value of each column is bold, and a progress line on standard error
        counts targets and samples with an estimate of the time left. Ctrl-C stops the run, prints
        the rows finished so far (JSON and HTML marked partial) and exits with code 130.

        --shard K/N evaluates only the samples whose index is K-1 modulo N and writes a shard file
        (--format json; needs --data) with the top-1 counts (with --labels) or each sample's SQNR
        signal and noise energies; 'kiln compare --merge SHARD.json ...' joins every shard into
        exactly the unsharded report (accuracy from the summed counts, SQNR from the energies in
        sample order). Without --shard, a Slurm job array (SLURM_ARRAY_TASK_ID,
        SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job
        (JOB_COMPLETION_INDEX, with JOB_COMPLETIONS set to the Job's completions) picks the shard;
        see docs/scale-out.md.
        """
    }
    let options: [OptionSpecification] = [
        OptionSpecification("--targets", valueName: "A,B,...", help: "the targets to compare: names, or target description files (.json)"),
        .flag("--all", help: "every target in the catalog (the default)"),
        OptionSpecification("--data", arity: .repeated, valueName: "[NAME=]X.npy",
                            help: "inputs; the first dimension is the batch; NAME=X.npy once per input of a model with several"),
        OptionSpecification("--labels", valueName: "Y.npy", help: "integer labels for top-1 accuracy"),
        OptionSpecification("--float-model", valueName: "FILE", help: "the float model a quantized MODEL came from: SQNR against its output"),
        .calibration, .folding,
        OptionSpecification("--sort", valueName: "COLUMN", choices: ComparisonColumn.sortNames,
                            help: "order each model's rows by COLUMN, best first: \(ComparisonColumn.sortNames.joined(separator: ", "))"),
        .format(["table", "json", "csv"]),
        OptionSpecification("--html", valueName: "FILE", help: "also write a self-contained HTML report with charts to FILE"),
        .stack,
        .targetDirectory,
        OptionSpecification("--target", arity: .repeated, valueName: "FILE", help: "also load the target description FILE"),
        .overrideBuiltIn,
        OptionSpecification("--shard", valueName: "K/N", help: "evaluate only shard K of N of the data set (round-robin) and write a shard file"),
        .flag("--merge", help: "merge the shard files given as arguments into the unsharded report"),
    ]

    /// The shipped example folder (`examples/digits` next to `targets/`).
    static func examplesDirectory(_ context: CommandContext) -> URL? {
        TargetCatalog.builtInDirectory(environment: context.environment)?.deletingLastPathComponent().appendingPathComponent("examples/digits")
    }

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try run(arguments, context: context, interrupt: InterruptSignal(enabled: context.console.errorIsTerminal))
    }

    /// Runs the comparison, polling `interrupt` between targets and sample chunks.
    func run(_ arguments: ParsedArguments, context: CommandContext, interrupt: InterruptSignal) throws -> ExitCode {
        if arguments.flag("--merge") { return try merge(arguments, context: context) }
        if arguments.value("--targets") != nil && arguments.flag("--all") { throw UsageError("give --targets or --all, not both") }
        var shard = try arguments.value("--shard").map { text throws(UsageError) in try SweepShard(parsing: text) }
        if shard == nil, let assigned = try SweepShard.fromEnvironment(context.environment) {
            shard = assigned.shard
            context.console.printError("note: shard \(assigned.shard.number)/\(assigned.shard.count) from \(assigned.source)")
        }
        if let shard {
            guard arguments.value("--format") == "json" else {
                throw UsageError("shard \(shard.number)/\(shard.count) writes a shard file for 'kiln compare --merge': give --format json")
            }
            if arguments.value("--html") != nil { throw UsageError("a shard writes no HTML report; run it unsharded for the charts") }
        }
        var modelPaths = arguments.positionals
        var dataValues = arguments.values("--data")
        var labelsPath = arguments.value("--labels")
        var calibrationPath = arguments.value("--calibration")
        let calibrationIsShipped = calibrationPath == nil
        if modelPaths.isEmpty {
            guard let examples = Self.examplesDirectory(context) else {
                throw DiagnosticError(.error("cannot find the shipped examples; give a MODEL"))
            }
            modelPaths = Self.shippedModels.map { examples.appendingPathComponent($0).path }
            if dataValues.isEmpty {
                dataValues = [examples.appendingPathComponent("test_x_nchw.npy").path]
                labelsPath = labelsPath ?? examples.appendingPathComponent("test_y.npy").path
            }
            calibrationPath = calibrationPath ?? examples.appendingPathComponent("calibration_x_nchw.npy").path
        }
        let htmlPath = arguments.value("--html")
        if let htmlPath { try OutputFile.checkWritable(htmlPath, option: "--html") }
        let requested = Self.targetList(arguments.value("--targets"))
        let catalog = try context.targetCatalog(arguments, files: (requested ?? []).filter(Self.namesFile))
        var targets = try Self.selectTargets(requested, catalog: catalog)
        if let stack = arguments.value("--stack") { targets = try Self.selecting(stack: stack, in: targets) }
        let allFiles = try EvaluationFiles(data: dataValues, labels: labelsPath, dataOption: "--data")
        let files = try shard.map { shard in try allFiles.restricted(to: shard) } ?? allFiles
        let calibration = try EvaluationFiles.calibration(calibrationPath)
        let floatModel = try arguments.value("--float-model").map { path throws(DiagnosticError) in try ModelLoader.load(path) }
        let layerSettings = try EvaluationFiles.layerSettings(arguments.value("--folding"))

        let evaluation = context.evaluation(catalog)
        let meter = ProgressMeter(total: modelPaths.count * targets.count)
        var rows: [ComparisonRow] = []
        var interrupted = false
        models: for (modelIndex, modelPath) in modelPaths.enumerated() {
            let loaded = try ModelLoader.load(modelPath)
            let computesInFloat = EvaluationModel.computesInFloat(loaded)
            if calibration != nil && computesInFloat { context.console.progress("quantizing \(loaded.name)") }
            if calibration != nil && !computesInFloat && !calibrationIsShipped {
                context.console.printError("\(modelPath): note: the model is already quantized and is not re-quantized; "
                                           + "--calibration only lets targets with narrower formats choose their ranges")
            }
            var model = try EvaluationModel(loaded, calibration: calibration)
            model.layerSettings = layerSettings
            let data = try files.data(for: loaded, scoringAgainst: model, floatModel: floatModel)
            for (targetIndex, target) in targets.enumerated() {
                if interrupt.isRaised { interrupted = true; break models }
                let unit = modelIndex * targets.count + targetIndex
                let label = "\(model.graph.name) on \(target.name)"
                context.console.progress(meter.line(unit: unit, label: label, fraction: 0))
                let progress: (Int, Int) -> Bool = { done, total in
                    context.console.progress(meter.line(unit: unit, label: label, fraction: Double(done) / Double(max(total, 1)),
                                                        detail: "samples \(done)/\(total)"))
                    return !interrupt.isRaised
                }
                let result = Result { () throws(DiagnosticError) -> ComparisonRow in
                    try Self.compare(model, on: target, evaluation: evaluation, data: data, progress: progress)
                }
                if case .failure = result, interrupt.isRaised { interrupted = true; break models }
                var row = try result.get()
                row.model = loaded.name + (model.isQuantizedByKiln ? " (Kiln PTQ)" : "")
                rows.append(row)
            }
        }
        context.console.endProgress()
        if let shard, let total = allFiles.samples?.shape.first {
            if interrupted {
                context.console.printError("interrupted: a partial shard cannot be merged; no shard file written")
                return .interrupted
            }
            context.console.print(ComparisonShard(shard: shard, totalSamples: total, rows: rows).json())
            return .success
        }
        var report = ComparisonReport(rows: rows, partial: interrupted)
        if let sort = arguments.value("--sort"), let column = ComparisonColumn.named(sort) { report = report.sorted(by: column) }
        printReport(report, arguments: arguments, context: context)
        if let htmlPath {
            let several = Set(report.rows.map(\.model)).count > 1
            let results = report.rows.compactMap { row -> TargetResult? in
                guard let target = row.target else { return nil }
                return TargetResult(target: target, program: row.program, cost: row.cost, top1: row.top1, sqnrDecibels: row.sqnrVsReferenceDecibels,
                                    failure: row.failure, label: several ? "\(target.name) · \(row.model)" : nil)
            }
            let table = report.table()
            var page = ComparisonPage(model: Array(Set(report.rows.map(\.model))).sorted().joined(separator: ", "), results: results,
                                      table: HTMLTable(titles: table.titles, rows: table.rows))
            page.partial = interrupted
            try page.page().write(to: htmlPath)
        }
        if interrupted {
            context.console.printError("interrupted: \(rows.count) of \(modelPaths.count * targets.count) rows computed\(htmlPath == nil ? "" : "; the HTML report is marked partial")")
            return .interrupted
        }
        return .success
    }

    /// Prints a report in the format `--format` names (table by default).
    private func printReport(_ report: ComparisonReport, arguments: ParsedArguments, context: CommandContext) {
        switch arguments.value("--format") {
        case "json": context.console.print(report.json())
        case "csv": context.console.print(report.csv())
        default:
            let emphasize = context.console.outputIsTerminal
            context.console.print(report.table().rendered(emphasizing: emphasize) + "\n" + report.legend(marked: emphasize))
        }
    }

    /// `kiln compare --merge SHARD.json ...`: the report of the unsharded run from its shards.
    private func merge(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        for option in ["--targets", "--data", "--labels", "--calibration", "--shard", "--html", "--stack", "--folding"] where arguments.value(option) != nil {
            throw UsageError("'compare --merge' takes shard files, not \(option); the shards already hold their comparison")
        }
        guard !arguments.positionals.isEmpty else {
            throw UsageError("missing SHARD.json: give the outputs of 'kiln compare --shard K/N --format json'")
        }
        var report = try ComparisonShard.merge(files: arguments.positionals)
        if let sort = arguments.value("--sort"), let column = ComparisonColumn.named(sort) { report = report.sorted(by: column) }
        printReport(report, arguments: arguments, context: context)
        return .success
    }

    /// The models `kiln compare` runs with no MODEL: ONNX Runtime's int8 QDQ CNN, and the float
    /// binarized CNN that Kiln quantizes itself (binary hidden layers).
    static let shippedModels = ["cnn_qdq.onnx", "bnn.onnx"]

    /// The targets with `--stack NAME` selected on each that declares it; an error (listing
    /// every stack the targets declare) when none does.
    static func selecting(stack name: String, in targets: [TargetDescription]) throws(DiagnosticError) -> [TargetDescription] {
        guard targets.contains(where: { $0.stacks.contains { $0.name == name } }) else {
            let known = Set(targets.flatMap { $0.stacks.map(\.name) }).sorted()
            throw DiagnosticError(.error("--stack: no compared target has a software stack named '\(name)'; their stacks: \(known.isEmpty ? "none" : known.joined(separator: ", "))"))
        }
        var selected: [TargetDescription] = []
        for target in targets {
            selected.append(target.stacks.contains { $0.name == name } ? try target.selecting(stack: name) : target)
        }
        return selected
    }

    /// The names and files of `--targets A,B,...`, in order (nil: none given).
    static func targetList(_ list: String?) -> [String]? {
        list.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// Whether a `--targets` entry names a target description file rather than a target.
    static func namesFile(_ entry: String) -> Bool {
        entry.hasSuffix(".json") || entry.contains("/")
    }

    /// The targets of `--targets` (names, or files already loaded into `catalog`), or every
    /// target of the catalog by family and name.
    static func selectTargets(_ list: [String]?, catalog: TargetCatalog) throws(DiagnosticError) -> [TargetDescription] {
        guard let list else { return catalog.targets.sorted { ($0.family, $0.name) < ($1.family, $1.name) } }
        var chosen: [TargetDescription] = []
        for entry in list {
            if namesFile(entry), let loaded = catalog.targets.first(where: { $0.file == URL(fileURLWithPath: entry).relativePath }) {
                chosen.append(loaded)
                continue
            }
            guard let target = catalog.target(named: entry) else {
                throw DiagnosticError(.error("no target named '\(entry)'\(closestMatchSuggestion(entry, catalog.targets.map(\.name))); 'kiln targets list' shows them all"))
            }
            chosen.append(target)
        }
        return chosen
    }

    /// One target's row: a model that does not compile for the target gives a row with the
    /// reason; with data, the row has the score of the functional simulation.
    /// - Throws: ``DiagnosticError`` when the estimate or the simulation fails.
    /// - Parameter progress: reports the samples simulated; returns whether to go on.
    static func compare(_ model: EvaluationModel, on target: TargetDescription, evaluation: Evaluation,
                        data: EvaluationData?, progress: ((Int, Int) -> Bool)? = nil) throws(DiagnosticError) -> ComparisonRow {
        let program: TargetProgram
        do {
            program = try evaluation.compile(model, for: target)
        } catch {
            return ComparisonRow(target: target, failure: error.diagnostics.map(\.message).joined(separator: "; "))
        }
        let result = try evaluation.evaluate(program, data: data, progress: progress)
        var row = ComparisonRow(target: target, program: program, cost: result.cost)
        row.top1 = result.score?.topOne
        if let correct = result.score?.topOneCorrect, let scored = result.score?.scoredSamples { row.topOneCounts = (correct, scored) }
        row.sqnrVsReferenceDecibels = result.score?.sqnrDecibels
        row.sqnrVsFloatDecibels = result.score?.sqnrAgainstFloatDecibels
        row.sqnrEnergies = (result.score?.sqnrEnergies, result.score?.floatSqnrEnergies)
        return row
    }
}

/// Human-readable quantities with SI prefixes.
enum Units {
    static func engineering(_ value: Double, unit: String = "") -> String {
        guard value.isFinite, value != 0 else { return "0 \(unit)".trimmingCharacters(in: .whitespaces) }
        let prefixes: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p")]
        let (scale, prefix) = prefixes.first { abs(value) >= $0.0 } ?? (1e-12, "p")
        return String(format: "%.3g %@%@", value / scale, prefix, unit).trimmingCharacters(in: .whitespaces)
    }
    static func seconds(_ value: Double) -> String { engineering(value, unit: "s") }
    static func joules(_ value: Double) -> String { engineering(value, unit: "J") }
    static func bytes(_ value: Int) -> String {
        value < 1024 ? "\(value) B" : value < 1 << 20 ? String(format: "%.1f KiB", Double(value) / 1024) : String(format: "%.2f MiB", Double(value) / 1048576)
    }
}
