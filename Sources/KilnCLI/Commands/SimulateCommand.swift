import Foundation
import KilnCompiler
import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnJSON
import KilnModelIO
import KilnReports

/// `kiln simulate MODEL --target T`: compile, then simulate the program (functionally with
/// `--input`, cost-only without), per kernel.
struct SimulateCommand: Command {
    /// The workload formats the families contribute (MODEL may be one of them).
    let workloadFormats: [any WorkloadFormat]

    let name = "simulate"
    let summary = "Simulate a model on a target: per-layer actions, outputs, accuracy"
    let usage = "simulate MODEL --target T [--calibration C.npy] [--folding FILE] [--input [NAME=]X.npy ...] [--labels Y.npy] [--output OUT.npy] [--output-dir DIR] [--trace trace.json] [--format table|json|csv]"
    var discussion: String {
        (["Without --input only the program's action counts are computed (cost only, no data)."] + workloadFormats.map(\.help)
            + ["With --input the functional simulator runs the program with the target's arithmetic on every",
               "sample (first dimension of X); --output writes the first output, --output-dir every output,",
               "--labels reports top-1 accuracy. A model with several inputs takes --input NAME=X.npy once per",
               "input, matched by input name.",
               "--calibration quantizes a float MODEL and calibrates narrow formats exactly as 'kiln compare'",
               "does, so both simulate the same program."]).joined(separator: "\n")
    }
    var options: [OptionSpecification] {
        [
            OptionSpecification("--input", short: "-i", arity: .repeated, valueName: "[NAME=]X.npy",
                                help: "input data; the first dimension is the batch; NAME=X.npy once per input of a model with several"),
            OptionSpecification("--labels", valueName: "Y.npy", help: "integer class labels, one per sample"),
            OptionSpecification("--output", short: "-o", valueName: "OUT.npy", help: "where to write the first output"),
            OptionSpecification("--output-dir", valueName: "DIR", help: OutputDirectory.help),
            OptionSpecification("--trace", valueName: "FILE", help: "write a Chrome trace (Perfetto, chrome://tracing) of one inference"),
            .format(["table", "json", "csv"] + workloadFormats.flatMap(\.reportFormats)),
            .stack,
        ] + workloadFormats.compactMap(\.variantOption).map {
            OptionSpecification($0.name, valueName: "KIND", choices: $0.choices, help: $0.help)
        } + compileOptions
    }

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...1, names: "MODEL")
        if let format = workloadFormats.first(where: { $0.reads(workloadAt: arguments.positionals[0]) }) {
            return try WorkloadSimulation.run(format, arguments, context: context)
        }
        if let wanted = arguments.value("--format"), let format = workloadFormats.first(where: { $0.reportFormats.contains(wanted) }) {
            throw UsageError("--format \(wanted) needs a \(format.name) as MODEL")
        }
        for option in ["--trace", "--output"] {
            if let path = arguments.value(option) { try OutputFile.checkWritable(path, option: option) }
        }
        let graph = try ModelLoader.load(arguments.positionals[0])
        let target = try context.requiredTarget(arguments)
        if let directory = arguments.value("--output-dir") { try OutputDirectory.prepare(directory) }
        let files = try EvaluationFiles(data: arguments.values("--input"), labels: arguments.value("--labels"), dataOption: "--input")
        var model = try EvaluationModel(graph, calibration: try EvaluationFiles.calibration(arguments.value("--calibration")))
        model.layerSettings = try EvaluationFiles.layerSettings(arguments.value("--folding"))
        let evaluation = context.evaluation(try context.targetCatalog(arguments))
        let data = try files.data(for: graph)
        let result = try ModelLoader.attributing(to: arguments.positionals[0]) { () throws(DiagnosticError) in
            try evaluation.run(model: model, target: target, data: data, allowHostFallback: !arguments.flag("--no-host-fallback"))
        }
        let program = result.program, cost = result.cost
        if let tracePath = arguments.value("--trace") {
            do {
                try Data((ChromeTrace.json(program: program, cost: cost) + "\n").utf8).write(to: URL(fileURLWithPath: tracePath))
            } catch {
                throw DiagnosticError(.error("cannot write the trace (\(error.localizedDescription))", file: tracePath))
            }
        }
        if let outputPath = arguments.value("--output"), let output = result.outputs?.first {
            try NumPyWriter.write(try NumPyArray(tensor: output), to: outputPath)
        }
        if let directory = arguments.value("--output-dir"), let outputs = result.outputs {
            try OutputDirectory.write(outputs, names: program.graph.outputs, to: directory)
        }
        let accuracy = result.score?.topOne
        let report = SimulationReport(program: program, cost: cost, accuracy: accuracy)
        switch arguments.value("--format") {
        case "json": context.console.print(report.json())
        case "csv": context.console.print(report.csv())
        default: context.console.print(report.text())
        }
        return .success
    }
}

/// The per-layer view of a simulated program: where each step ran, its MACs, cycles, share of
/// the time, what bounds it and its energy, with totals.
struct SimulationReport {
    let program: TargetProgram
    let cost: ProgramCost
    let accuracy: Double?

    func table() -> TextTable {
        let time = ColumnScale(unit: .seconds, values: cost.steps.map(\.seconds))
        let energy = ColumnScale(unit: .joules, values: cost.steps.map(\.energy.total))
        var table = TextTable([("#", .right), ("LAYER", .left), ("KERNEL", .left), ("WHERE", .left), ("MACS", .right),
                               ("CYCLES", .right), (time.title("TIME"), .right), ("SHARE (%)", .right), ("BOUND", .left),
                               (energy.title("ENERGY"), .right)])
        let total = max(cost.steps.reduce(0) { $0 + $1.seconds }, 1e-30)
        for (index, step) in cost.steps.enumerated() {
            table.append(["\(index)", step.layer, step.kernel, step.resource.rawValue, "\(step.counts.totalMultiplyAccumulates)",
                          String(format: "%.0f", step.cost.totalCycles), time.format(.number(step.seconds)),
                          String(format: "%.1f", step.seconds / total * 100), step.cost.bound.rawValue, energy.format(.number(step.energy.total))])
        }
        table.footer = [["", "total", "", "", "\(cost.steps.reduce(0) { $0 + $1.counts.totalMultiplyAccumulates })", "",
                         time.format(.number(cost.latencySeconds)), "", cost.bound.rawValue, energy.format(.number(cost.energy.total))]]
        return table
    }

    func text() -> String {
        var lines = ["\(program.graph.name) on \(program.target.name) (\(program.target.family))", "", table().rendered(), ""]
        let accelerator = cost.acceleratorInferencesPerSecond.map { " end to end (accelerator alone \(Units.engineering($0)))" } ?? ""
        let run = cost.runSeconds > 0 ? " (with the stack's run call, \(Units.seconds(cost.runSeconds)))" : ""
        lines.append("latency \(Units.seconds(cost.latencySeconds))\(run), \(Units.engineering(cost.inferencesPerSecond)) inferences/s\(accelerator), "
                     + "energy \(Units.joules(cost.energy.total)) per inference (compute \(Units.joules(cost.energy.compute)), "
                     + "on-chip \(Units.joules(cost.energy.onChipMemory)), off-chip \(Units.joules(cost.energy.offChipMemory)), "
                     + "static \(Units.joules(cost.energy.staticEnergy)), host link \(Units.joules(cost.energy.hostLink)))")
        lines.append("weights \(Units.bytes(program.weightBytes)), peak activations \(Units.bytes(program.peakActivationBytes)), "
                     + "utilization \(ColumnScale(unit: .fraction, values: []).format(.number(cost.utilization)))%")
        let levels = program.memoryUsageByLevel.filter { $0.peakBytes > 0 }
        if !levels.isEmpty {
            lines.append("memory: " + levels.map { "\($0.level) \(Units.bytes($0.peakBytes)) (weights \(Units.bytes($0.weightBytes)))" }.joined(separator: ", "))
        }
        let total = max(cost.steps.reduce(0) { $0 + $1.seconds }, 1e-30)
        lines.append("time by operator: " + cost.operatorShares(of: program).map { share in
            "\(share.operatorKind) \(String(format: "%.1f", share.seconds / total * 100)) %\(share.resource == .accelerator ? "" : " (\(share.resource.rawValue))")"
        }.joined(separator: ", "))
        for step in program.kernelSteps {
            if case .host(let reason) = step.placement {
                lines.append("host: \(step.kernel.nodes.map(\.name).joined(separator: ", ")): \(reason)")
            }
        }
        if let accuracy { lines.append("top-1 accuracy: \(String(format: "%.4f", accuracy))") }
        return lines.joined(separator: "\n")
    }

    /// The `kind` of simulate JSON.
    static let kind = "kiln.simulate"
    /// The version of the simulate JSON layout (`docs/schemas/simulate.schema.json`).
    static let schemaVersion: Int64 = 1

    /// The per-layer CSV (``KilnReports/LayerTable``): raw numbers in SI base units, the bytes
    /// read and written at each memory level.
    func csv() -> String {
        let layers = LayerTable(cost: cost, target: program.target)
        var table = TextTable(layers.keys.map { ($0, .left) })
        for row in layers.rows {
            table.append(row.map { value in
                switch value {
                case .text(let text): text
                case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : JSONWriter.format(number)
                }
            })
        }
        return table.csv()
    }

    func json() -> String {
        func bytes(_ levels: [String: Int]) -> JSONValue {
            .object(JSONObject(program.target.memory.map { ($0.name, .integer(Int64(levels[$0.name] ?? 0))) }))
        }
        let rows = cost.steps.map { step -> JSONValue in
            .object(JSONObject([
                ("layer", .string(step.layer)), ("kernel", .string(step.kernel)), ("placement", .string(step.resource.rawValue)),
                ("multiplyAccumulates", .integer(Int64(step.counts.totalMultiplyAccumulates))),
                ("computeCycles", .number(step.cost.computeCycles)), ("memoryStallCycles", .number(step.cost.memoryStallCycles)),
                ("overheadCycles", .number(step.cost.overheadCycles)), ("seconds", .number(step.seconds)),
                ("bound", .string(step.cost.bound.rawValue)), ("energyJoules", .number(step.energy.total)),
                ("readBytes", bytes(step.counts.bytesRead)), ("writtenBytes", bytes(step.counts.bytesWritten)),
                ("hostLinkBytes", .integer(Int64(step.counts.hostLinkBytes))),
                ("actions", ProgramReport.countsJSON(step.counts)),
            ]))
        }
        return JSONWriter().write(.object(JSONObject([
            ("kind", .string(Self.kind)),
            ("schemaVersion", .integer(Self.schemaVersion)),
            ("model", .string(program.graph.name)),
            ("target", .string(program.target.name)),
            ("family", .string(program.target.family)),
            ("top1", accuracy.map { .number($0) } ?? .null),
            ("latencySeconds", .number(cost.latencySeconds)),
            ("inferencesPerSecond", .number(cost.inferencesPerSecond)),
            ("acceleratorInferencesPerSecond", cost.acceleratorInferencesPerSecond.map { .number($0) } ?? .null),
            ("energyJoules", .number(cost.energy.total)),
            ("averagePowerWatts", cost.latencySeconds > 0 ? .number(cost.energy.total / cost.latencySeconds) : .null),
            ("energyJoulesByComponent", .object(JSONObject([
                ("compute", .number(cost.energy.compute)), ("onChipMemory", .number(cost.energy.onChipMemory)),
                ("offChipMemory", .number(cost.energy.offChipMemory)), ("static", .number(cost.energy.staticEnergy)),
                ("hostLink", .number(cost.energy.hostLink)),
            ]))),
            ("weightBytes", .integer(Int64(program.weightBytes))),
            ("peakActivationBytes", .integer(Int64(program.peakActivationBytes))),
            ("utilization", .number(cost.utilization)),
            ("bound", .string(cost.bound.rawValue)),
            ("hostOps", .integer(Int64(program.hostNodeCount))),
            ("memoryByLevel", .array(program.memoryUsageByLevel.map { level in
                .object(JSONObject([("level", .string(level.level)), ("weightBytes", .integer(Int64(level.weightBytes))),
                                    ("peakBytes", .integer(Int64(level.peakBytes)))]))
            })),
            ("operatorShares", .array(cost.operatorShares(of: program).map { share in
                .object(JSONObject([("operator", .string(share.operatorKind)), ("placement", .string(share.resource.rawValue)),
                                    ("seconds", .number(share.seconds)), ("steps", .integer(Int64(share.steps)))]))
            })),
            ("layers", .array(rows)),
        ])))
    }
}
