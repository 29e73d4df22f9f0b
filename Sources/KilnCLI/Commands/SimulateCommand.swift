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
    let usage = "simulate MODEL --target T [--input X.npy] [--labels Y.npy] [--output OUT.npy] [--format table|json|csv]"
    let discussion = """
    Without --input only the program's action counts are computed (cost only, no data).
    With --input the functional simulator runs the program with the target's arithmetic on every
    sample (first dimension of X); --output writes the outputs, --labels reports top-1 accuracy.
    """
    let options: [OptionSpecification] = [
        OptionSpecification("--input", short: "-i", valueName: "X.npy", help: "input data; the first dimension is the batch"),
        OptionSpecification("--labels", valueName: "Y.npy", help: "integer class labels, one per sample"),
        OptionSpecification("--output", short: "-o", valueName: "OUT.npy", help: "where to write the first output"),
        .format(["table", "json", "csv"]),
    ] + compileOptions

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...1, names: "MODEL")
        let graph = try ModelLoader.load(arguments.positionals[0])
        let target = try context.requiredTarget(arguments)
        if arguments.value("--labels") != nil && arguments.value("--input") == nil {
            throw UsageError("--labels needs --input")
        }
        let program = try Compiler(registry: context.registry).compile(
            graph, for: target, options: CompileOptions(allowHostFallback: !arguments.flag("--no-host-fallback")))

        var accuracy: Double?
        if let inputPath = arguments.value("--input") {
            guard program.graph.inputs.count == 1 else { throw UsageError("--input feeds one graph input; this model has \(program.graph.inputs.count)") }
            let data = try NumPyReader.read(contentsOf: inputPath).tensor()
            let inputName = program.graph.inputs[0]
            let inputType = program.graph.types[inputName]!
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
                let labels = try NumPyReader.read(contentsOf: labelsPath).int64Values()
                accuracy = try Self.topOneAccuracy(outputs[0], labels: labels, labelsFile: labelsPath)
            }
        }
        let report = SimulationReport(program: program, accuracy: accuracy)
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

/// The per-kernel view of a simulated program.
struct SimulationReport {
    let program: TargetProgram
    let accuracy: Double?

    func table() -> TextTable {
        var table = TextTable([("#", .right), ("LAYER", .left), ("KERNEL", .left), ("WHERE", .left), ("MACS", .right),
                               ("XNOR BITS", .right), ("ALU OPS", .right), ("HOST-LINK B", .right)])
        var index = 0
        for step in program.steps {
            switch step {
            case .transfer(let transfer):
                table.append(["", transfer.value, "transfer", transfer.toHost ? "→ host" : "→ accelerator", "0", "0", "0", "\(transfer.bytes)"])
            case .kernel(let kernelStep):
                let counts = kernelStep.kernel.countActions()
                let placement: String
                switch kernelStep.placement {
                case .accelerator: placement = "accelerator"
                case .host: placement = "host"
                }
                table.append(["\(index)", kernelStep.kernel.nodes.map(\.name).joined(separator: "+"), kernelStep.kernel.name, placement,
                              "\(counts.totalMultiplyAccumulates)", "\(counts.xnorPopcountBits)", "\(counts.aluOperations)", "\(counts.hostLinkBytes)"])
                index += 1
            }
        }
        return table
    }

    func text() -> String {
        var lines = ["\(program.graph.name) on \(program.target.name) (\(program.target.family))", "", table().rendered()]
        for step in program.kernelSteps {
            if case .host(let reason) = step.placement {
                lines.append("host: \(step.kernel.nodes.map(\.name).joined(separator: ", ")): \(reason)")
            }
        }
        if let accuracy { lines.append("top-1 accuracy: \(String(format: "%.4f", accuracy))") }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        var rows: [JSONValue] = []
        for step in program.steps {
            guard case .kernel(let kernelStep) = step else { continue }
            var members: [(String, JSONValue)] = [
                ("layer", .string(kernelStep.kernel.nodes.map(\.name).joined(separator: "+"))),
                ("kernel", .string(kernelStep.kernel.name)),
            ]
            switch kernelStep.placement {
            case .accelerator: members.append(("placement", .string("accelerator")))
            case .host(let reason): members += [("placement", .string("host")), ("reason", .string(reason))]
            }
            members.append(("actions", ProgramReport.countsJSON(kernelStep.kernel.countActions())))
            rows.append(.object(JSONObject(members)))
        }
        return JSONWriter().write(.object(JSONObject([
            ("model", .string(program.graph.name)),
            ("target", .string(program.target.name)),
            ("family", .string(program.target.family)),
            ("top1", accuracy.map { .number($0) } ?? .null),
            ("hostOps", .integer(Int64(program.hostNodeCount))),
            ("layers", .array(rows)),
        ])))
    }
}
