import Foundation
import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnJSON
import KilnModelIO

/// `kiln simulate MODEL --target T`: compile, then simulate the program (functionally with
/// `--input`, cost-only without), per kernel.
struct SimulateCommand: Command {
    let name = "simulate"
    let summary = "Simulate a model on a target: per-layer actions, outputs, accuracy"
    let usage = "simulate MODEL --target T [--input X.npy] [--labels Y.npy] [--output OUT.npy] [--trace trace.json] [--format table|json|csv]"
    let discussion = """
    Without --input only the program's action counts are computed (cost only, no data).
    MODEL may be a SCALE-Sim topology CSV and T a SCALE-Sim .cfg: then Kiln's systolic-array
    model reports SCALE-Sim's per-layer numbers; --format scalesim writes COMPUTE_REPORT.csv rows.
    With --input the functional simulator runs the program with the target's arithmetic on every
    sample (first dimension of X); --output writes the outputs, --labels reports top-1 accuracy.
    """
    let options: [OptionSpecification] = [
        OptionSpecification("--input", short: "-i", valueName: "X.npy", help: "input data; the first dimension is the batch"),
        OptionSpecification("--labels", valueName: "Y.npy", help: "integer class labels, one per sample"),
        OptionSpecification("--output", short: "-o", valueName: "OUT.npy", help: "where to write the first output"),
        OptionSpecification("--trace", valueName: "FILE", help: "write a Chrome trace (Perfetto, chrome://tracing) of one inference"),
        .format(["table", "json", "csv", "scalesim"]),
        OptionSpecification("--topology-format", valueName: "KIND", choices: ["conv", "gemm"],
                            help: "for a SCALE-Sim topology CSV: conv (default) or gemm"),
    ] + compileOptions

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...1, names: "MODEL")
        if arguments.positionals[0].lowercased().hasSuffix(".csv") {
            return try ScaleSimSimulation.run(arguments, context: context)
        }
        if arguments.value("--format") == "scalesim" {
            throw UsageError("--format scalesim needs a SCALE-Sim topology CSV as MODEL")
        }
        let graph = try ModelLoader.load(arguments.positionals[0])
        let target = try context.requiredTarget(arguments)
        if arguments.value("--labels") != nil && arguments.value("--input") == nil {
            throw UsageError("--labels needs --input")
        }
        let compiler = Compiler(registry: context.registry)
        let program = try ModelLoader.attributing(to: arguments.positionals[0]) { () throws(DiagnosticError) in
            try compiler.compile(graph, for: target, options: CompileOptions(allowHostFallback: !arguments.flag("--no-host-fallback")))
        }
        let cost = try CostEstimator(compiler: compiler, catalog: try context.targetCatalog(arguments)).estimate(program)
        if let tracePath = arguments.value("--trace") {
            do {
                try Data((ChromeTrace.json(program: program, cost: cost) + "\n").utf8).write(to: URL(fileURLWithPath: tracePath))
            } catch {
                throw DiagnosticError(.error("cannot write the trace (\(error.localizedDescription))", file: tracePath))
            }
        }

        var accuracy: Double?
        if let inputPath = arguments.value("--input") {
            guard program.graph.inputs.count == 1 else { throw UsageError("--input feeds one graph input; this model has \(program.graph.inputs.count)") }
            let inputName = program.graph.inputs[0]
            let inputType = program.graph.types[inputName]!
            let data = try ModelDataFiles.readData(inputPath, feeds: inputName, of: inputType)
            let simulator = FunctionalSimulator(program: program)
            let outputs: [Tensor]
            if data.shape == inputType.shape {
                outputs = try simulator.run([inputName: data]).outputs
            } else {
                outputs = try simulator.runBatch([inputName: data]).outputs
            }
            if let outputPath = arguments.value("--output") {
                try NumPyWriter.write(try NumPyArray(tensor: outputs[0]), to: outputPath)
            }
            if let labelsPath = arguments.value("--labels") {
                let labels = try ModelDataFiles.readLabels(labelsPath, samples: data.shape == inputType.shape ? 1 : data.shape[0],
                                                           classes: outputs[0].shape.last ?? 0)
                accuracy = try Self.topOneAccuracy(outputs[0], labels: labels, labelsFile: labelsPath)
            }
        }
        let report = SimulationReport(program: program, cost: cost, accuracy: accuracy)
        switch arguments.value("--format") {
        case "json": context.console.print(report.json())
        case "csv": context.console.print(report.table().csv())
        default: context.console.print(report.text())
        }
        return .success
    }

    /// The fraction of samples whose largest output (last axis) is at the label's index.
    static func topOneAccuracy(_ output: Tensor, labels: [Int64], labelsFile: String) throws(DiagnosticError) -> Double {
        let classes = output.shape.last ?? 0
        let samples = classes == 0 ? 0 : output.count / classes
        guard labels.count == samples else {
            throw DiagnosticError(.error("\(labels.count) labels for \(samples) samples", file: labelsFile))
        }
        let values = output.doubles
        var correct = 0
        for sample in 0..<samples {
            let row = values[sample * classes ..< (sample + 1) * classes]
            if let best = row.indices.max(by: { row[$0] < row[$1] }), best - sample * classes == Int(labels[sample]) { correct += 1 }
        }
        return samples == 0 ? 0 : Double(correct) / Double(samples)
    }
}

/// The per-layer view of a simulated program: where each step ran, its MACs, cycles, share of
/// the time, what bounds it and its energy, with totals.
struct SimulationReport {
    let program: TargetProgram
    let cost: ProgramCost
    let accuracy: Double?

    func table() -> TextTable {
        var table = TextTable([("#", .right), ("LAYER", .left), ("KERNEL", .left), ("WHERE", .left), ("MACS", .right),
                               ("CYCLES", .right), ("TIME", .right), ("SHARE", .right), ("BOUND", .left), ("ENERGY", .right)])
        let total = max(cost.steps.reduce(0) { $0 + $1.seconds }, 1e-30)
        for (index, step) in cost.steps.enumerated() {
            table.append(["\(index)", step.layer, step.kernel, step.placement, "\(step.counts.totalMultiplyAccumulates)",
                          String(format: "%.0f", step.cost.totalCycles), Units.seconds(step.seconds),
                          String(format: "%.1f%%", step.seconds / total * 100), step.cost.bound.rawValue, Units.joules(step.energy.total)])
        }
        table.footer = [["", "total", "", "", "\(cost.steps.reduce(0) { $0 + $1.counts.totalMultiplyAccumulates })", "",
                         Units.seconds(cost.latencySeconds), "", cost.bound.rawValue, Units.joules(cost.energy.total)]]
        return table
    }

    func text() -> String {
        var lines = ["\(program.graph.name) on \(program.target.name) (\(program.target.family))", "", table().rendered(), ""]
        lines.append("latency \(Units.seconds(cost.latencySeconds)), \(Units.engineering(cost.inferencesPerSecond)) inferences/s, "
                     + "energy \(Units.joules(cost.energy.total)) per inference (compute \(Units.joules(cost.energy.compute)), "
                     + "on-chip \(Units.joules(cost.energy.onChipMemory)), off-chip \(Units.joules(cost.energy.offChipMemory)), "
                     + "static \(Units.joules(cost.energy.staticEnergy)), host link \(Units.joules(cost.energy.hostLink)))")
        lines.append("weights \(Units.bytes(program.weightBytes)), peak activations \(Units.bytes(program.peakActivationBytes)), "
                     + "utilization \(String(format: "%.1f%%", cost.utilization * 100))")
        for step in program.kernelSteps {
            if case .host(let reason) = step.placement {
                lines.append("host: \(step.kernel.nodes.map(\.name).joined(separator: ", ")): \(reason)")
            }
        }
        if let accuracy { lines.append("top-1 accuracy: \(String(format: "%.4f", accuracy))") }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        let rows = cost.steps.map { step -> JSONValue in
            .object(JSONObject([
                ("layer", .string(step.layer)), ("kernel", .string(step.kernel)), ("placement", .string(step.placement)),
                ("computeCycles", .number(step.cost.computeCycles)), ("memoryStallCycles", .number(step.cost.memoryStallCycles)),
                ("overheadCycles", .number(step.cost.overheadCycles)), ("seconds", .number(step.seconds)),
                ("bound", .string(step.cost.bound.rawValue)), ("energyJoules", .number(step.energy.total)),
                ("actions", ProgramReport.countsJSON(step.counts)),
            ]))
        }
        return JSONWriter().write(.object(JSONObject([
            ("model", .string(program.graph.name)),
            ("target", .string(program.target.name)),
            ("family", .string(program.target.family)),
            ("top1", accuracy.map { .number($0) } ?? .null),
            ("latencySeconds", .number(cost.latencySeconds)),
            ("inferencesPerSecond", .number(cost.inferencesPerSecond)),
            ("energyJoules", .number(cost.energy.total)),
            ("energy", .object(JSONObject([
                ("compute", .number(cost.energy.compute)), ("onChipMemory", .number(cost.energy.onChipMemory)),
                ("offChipMemory", .number(cost.energy.offChipMemory)), ("static", .number(cost.energy.staticEnergy)),
                ("hostLink", .number(cost.energy.hostLink)),
            ]))),
            ("weightBytes", .integer(Int64(program.weightBytes))),
            ("peakActivationBytes", .integer(Int64(program.peakActivationBytes))),
            ("utilization", .number(cost.utilization)),
            ("bound", .string(cost.bound.rawValue)),
            ("hostOps", .integer(Int64(program.hostNodeCount))),
            ("layers", .array(rows)),
        ])))
    }
}
