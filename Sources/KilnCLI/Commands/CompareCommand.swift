import Foundation
import KilnCompiler
import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnJSON
import KilnNumerics
import KilnReports
import KilnTargets

/// `kiln compare [MODEL]`: one row per target — format, accuracy, latency, throughput, energy,
/// memory, utilization, bound, host ops.
struct CompareCommand: Command {
    let name = "compare"
    let summary = "Compare deployment targets side by side: accuracy, latency, energy, memory"
    let usage = "compare [MODEL] [--targets A,B,... | --all] [--data X.npy --labels Y.npy] [--calibration C.npy] [--format table|json|csv] [--html FILE]"
    let discussion = """
    With no MODEL, compares the shipped examples on the digits test split (540 images) on every
    built-in target: examples/digits/cnn_qdq.onnx (ONNX Runtime's int8 QDQ CNN) and
    examples/digits/bnn.onnx (a binarized CNN, quantized by Kiln with the calibration images so
    that its hidden layers are ±1). A float MODEL is quantized first when --calibration is given;
    the calibration images also let targets with narrower formats choose their ranges. Accuracy is
    top-1 from bit-exact functional simulation of each target's program; without --labels, the
    output SQNR against the model's own reference output. Latency and energy come from each
    family's cost model and the target's sourced numbers.
    """
    let options: [OptionSpecification] = [
        OptionSpecification("--targets", valueName: "A,B,...", help: "the targets to compare (names or files)"),
        .flag("--all", help: "every target in the catalog (the default)"),
        OptionSpecification("--data", valueName: "X.npy", help: "inputs; the first dimension is the batch"),
        OptionSpecification("--labels", valueName: "Y.npy", help: "integer labels for top-1 accuracy"),
        .calibration,
        .format(["table", "json", "csv"]),
        OptionSpecification("--html", valueName: "FILE", help: "also write a self-contained HTML report with charts to FILE"),
        .targetDirectory,
        OptionSpecification("--target", arity: .repeated, valueName: "FILE", help: "also load the target description FILE"),
    ]

    /// The shipped example folder (`examples/digits` next to `targets/`).
    static func examplesDirectory(_ context: CommandContext) -> URL? {
        TargetCatalog.builtInDirectory(environment: context.environment)?.deletingLastPathComponent().appendingPathComponent("examples/digits")
    }

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(0...1, names: "MODEL")
        if arguments.value("--targets") != nil && arguments.flag("--all") { throw UsageError("give --targets or --all, not both") }
        var modelPaths = arguments.positionals
        var dataPath = arguments.value("--data")
        var labelsPath = arguments.value("--labels")
        var calibrationPath = arguments.value("--calibration")
        if modelPaths.isEmpty {
            guard let examples = Self.examplesDirectory(context) else {
                throw DiagnosticError(.error("cannot find the shipped examples; give a MODEL"))
            }
            modelPaths = Self.shippedModels.map { examples.appendingPathComponent($0).path }
            if dataPath == nil {
                dataPath = examples.appendingPathComponent("test_x_nchw.npy").path
                labelsPath = labelsPath ?? examples.appendingPathComponent("test_y.npy").path
            }
            calibrationPath = calibrationPath ?? examples.appendingPathComponent("calibration_x_nchw.npy").path
        }
        let catalog = try context.targetCatalog(arguments)
        let targets = try Self.selectTargets(arguments.value("--targets"), catalog: catalog)
        let files = try EvaluationFiles(data: dataPath, labels: labelsPath, dataOption: "--data")
        let calibration = try EvaluationFiles.calibration(calibrationPath)

        let evaluation = context.evaluation(catalog)
        var rows: [ComparisonRow] = []
        for modelPath in modelPaths {
            let loaded = try ModelLoader.load(modelPath)
            if calibration != nil && EvaluationModel.computesInFloat(loaded) { context.console.progress("quantizing \(loaded.name)") }
            let model = try EvaluationModel(loaded, calibration: calibration)
            let data = try files.data(for: loaded, scoringAgainst: model)
            for (index, target) in targets.enumerated() {
                context.console.progress("[\(index + 1)/\(targets.count)] \(model.graph.name) on \(target.name)")
                var row = try Self.compare(model, on: target, evaluation: evaluation, data: data)
                row.model = loaded.name + (model.isQuantizedByKiln ? " (Kiln PTQ)" : "")
                rows.append(row)
            }
        }
        context.console.endProgress()
        let report = ComparisonReport(rows: rows)
        switch arguments.value("--format") {
        case "json": context.console.print(report.json())
        case "csv": context.console.print(report.table().csv())
        default: context.console.print(report.table().rendered())
        }
        if let htmlPath = arguments.value("--html") {
            let several = Set(rows.map(\.model)).count > 1
            let results = rows.map { TargetResult(target: $0.target, program: $0.program, cost: $0.cost, top1: $0.top1,
                                                  sqnrDecibels: $0.sqnrDecibels, failure: $0.failure,
                                                  label: several ? "\($0.target.name) · \($0.model)" : nil) }
            let table = report.table()
            try ComparisonPage(model: Array(Set(rows.map(\.model))).sorted().joined(separator: ", "), results: results,
                               table: HTMLTable(titles: table.titles, rows: table.rows)).page().write(to: htmlPath)
        }
        return .success
    }

    /// The models `kiln compare` runs with no MODEL: ONNX Runtime's int8 QDQ CNN, and the float
    /// binarized CNN that Kiln quantizes itself (binary hidden layers).
    static let shippedModels = ["cnn_qdq.onnx", "bnn.onnx"]

    static func selectTargets(_ list: String?, catalog: TargetCatalog) throws(DiagnosticError) -> [TargetDescription] {
        guard let list else { return catalog.targets.sorted { ($0.family, $0.name) < ($1.family, $1.name) } }
        var chosen: [TargetDescription] = []
        for name in list.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let target = catalog.target(named: name) else {
                throw DiagnosticError(.error("no target named '\(name)'\(closestMatchSuggestion(name, catalog.targets.map(\.name))); 'kiln targets list' shows them all"))
            }
            chosen.append(target)
        }
        return chosen
    }

    /// One target's row: a model that does not compile for the target gives a row with the
    /// reason; with data, the row has the score of the functional simulation.
    /// - Throws: ``DiagnosticError`` when the estimate or the simulation fails.
    static func compare(_ model: EvaluationModel, on target: TargetDescription, evaluation: Evaluation,
                        data: EvaluationData?) throws(DiagnosticError) -> ComparisonRow {
        let program: TargetProgram
        do {
            program = try evaluation.compile(model, for: target)
        } catch {
            return ComparisonRow(target: target, failure: error.diagnostics.map(\.message).joined(separator: "; "))
        }
        let result = try evaluation.evaluate(program, data: data)
        var row = ComparisonRow(target: target, program: program, cost: result.cost)
        row.top1 = result.score?.topOne
        row.sqnrDecibels = result.score?.sqnrDecibels
        return row
    }
}

/// One target's row of a comparison.
struct ComparisonRow {
    var model = ""
    var target: TargetDescription
    var format = ""
    var top1: Double?
    var sqnrDecibels: Double?
    var latencySeconds: Double?
    var inferencesPerSecond: Double?
    var energyJoules: Double?
    var weightBytes: Int?
    var peakActivationBytes: Int?
    var utilization: Double?
    var bound: String?
    var hostOps: Int?
    var failure: String?
    var program: TargetProgram?
    var cost: ProgramCost?

    init(target: TargetDescription, failure: String) {
        self.target = target
        self.failure = failure
    }

    init(target: TargetDescription, program: TargetProgram, cost: ProgramCost) {
        self.target = target
        self.program = program
        self.cost = cost
        format = Self.numericFormat(cost)
        latencySeconds = cost.latencySeconds
        inferencesPerSecond = cost.inferencesPerSecond
        energyJoules = cost.energy.total
        weightBytes = program.weightBytes
        peakActivationBytes = program.peakActivationBytes
        utilization = cost.utilization
        bound = cost.bound.rawValue
        hostOps = program.hostNodeCount
    }

    /// The operand formats of the accelerator's multiply-accumulate kernels (`u8×i8`, `q7×q7`,
    /// `bin×bin + u8×i8`), most frequent first, from the step counts the estimate already made.
    static func numericFormat(_ cost: ProgramCost) -> String {
        var counts: [[ElementType]: Int] = [:]
        for step in cost.steps where step.placement == .accelerator {
            for (kind, macs) in step.counts.multiplyAccumulates { counts[kind.operands, default: 0] += macs }
            for (kind, actions) in step.counts.familyActions where actions > 0 { counts[kind.operandFormats, default: 0] += actions }
        }
        let labelled = counts.map { (label: $0.key.map(\.name).joined(separator: "×"), count: $0.value) }
        return labelled.sorted { ($1.count, $0.label) < ($0.count, $1.label) }.map(\.label).joined(separator: " + ")
    }
}

/// The rows of a comparison as a table or JSON (`docs/cli.md` documents the JSON).
struct ComparisonReport {
    let rows: [ComparisonRow]

    func table() -> TextTable {
        var table = TextTable([("MODEL", .left), ("TARGET", .left), ("FAMILY", .left), ("FORMAT", .left), ("TOP-1", .right), ("SQNR dB", .right),
                               ("LATENCY", .right), ("INF/S", .right), ("ENERGY/INF", .right), ("WEIGHTS", .right),
                               ("PEAK ACT", .right), ("UTIL", .right), ("BOUND", .left), ("HOST OPS", .right)])
        for row in rows {
            if let failure = row.failure {
                table.append([row.model, row.target.name, row.target.family, "—", "", "", "", "", "", "", "", "", "does not run: \(failure)", ""])
                continue
            }
            table.append([
                row.model, row.target.name, row.target.family, row.format,
                row.top1.map { String(format: "%.2f%%", $0 * 100) } ?? "—",
                row.sqnrDecibels.map { $0.isInfinite ? "∞ (exact)" : String(format: "%.1f", $0) } ?? "—",
                row.latencySeconds.map(Units.seconds) ?? "—",
                row.inferencesPerSecond.map { Units.engineering($0) } ?? "—",
                row.energyJoules.map(Units.joules) ?? "—",
                row.weightBytes.map(Units.bytes) ?? "—",
                row.peakActivationBytes.map(Units.bytes) ?? "—",
                row.utilization.map { String(format: "%.1f%%", $0 * 100) } ?? "—",
                row.bound ?? "—",
                row.hostOps.map(String.init) ?? "—",
            ])
        }
        return table
    }

    func json() -> String {
        func number(_ value: Double?) -> JSONValue { value.map { $0.isFinite ? .number($0) : .null } ?? .null }
        func integer(_ value: Int?) -> JSONValue { value.map { .integer(Int64($0)) } ?? .null }
        let objects = rows.map { row -> JSONValue in
            .object(JSONObject([
                ("model", .string(row.model)),
                ("target", .string(row.target.name)),
                ("family", .string(row.target.family)),
                ("format", .string(row.format)),
                ("top1", number(row.top1)),
                ("sqnrDecibels", row.sqnrDecibels.map { $0.isInfinite ? .string("infinity") : .number($0) } ?? .null),
                ("latencySeconds", number(row.latencySeconds)),
                ("inferencesPerSecond", number(row.inferencesPerSecond)),
                ("energyJoules", number(row.energyJoules)),
                ("weightBytes", integer(row.weightBytes)),
                ("peakActivationBytes", integer(row.peakActivationBytes)),
                ("utilization", number(row.utilization)),
                ("bound", row.bound.map { .string($0) } ?? .null),
                ("hostOps", integer(row.hostOps)),
                ("error", row.failure.map { .string($0) } ?? .null),
            ]))
        }
        return JSONWriter().write(.object(JSONObject([("rows", .array(objects))])))
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
