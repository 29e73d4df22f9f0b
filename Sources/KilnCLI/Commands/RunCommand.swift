import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnInterpreter
import KilnModelIO

/// `kiln run MODEL --input X.npy --output Y.npy`: the reference interpreter on NumPy data.
struct RunCommand: Command {
    let name = "run"
    let summary = "Run a model with the reference interpreter on .npy data"
    let usage = "run MODEL --input X.npy|NAME=X.npy ... --output Y.npy|NAME=Y.npy ... | --output-dir DIR [--target T] [--calibration C.npy]"
    let discussion = """
    The first dimension of each input file is the batch: a graph input of shape [1, ...] runs
    once per sample, in parallel, and the outputs are stacked. Inputs whose shapes all equal the
    graph inputs' run once. With one graph input, --input FILE needs no NAME=. With --target, the
    interpreter runs the graph after the target's numeric adaptation: the exact outputs that
    'kiln simulate' of the target's program must reproduce. --calibration quantizes a float MODEL
    and calibrates the target's narrow formats exactly as 'kiln simulate' and 'kiln compare' do.
    """
    let options: [OptionSpecification] = [
        OptionSpecification("--input", short: "-i", arity: .repeated, valueName: "[NAME=]FILE", help: "input data (.npy)"),
        OptionSpecification("--output", short: "-o", arity: .repeated, valueName: "[NAME=]FILE", help: "where to write an output (.npy)"),
        OptionSpecification("--output-dir", valueName: "DIR", help: OutputDirectory.help),
        OptionSpecification("--target", arity: .repeated, valueName: "NAME|FILE", help: "run the graph as adapted to this target's numerics"),
        .calibration,
        .targetDirectory, .overrideBuiltIn,
    ]

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...1, names: "MODEL")
        let model = try EvaluationModel(try ModelLoader.load(arguments.positionals[0]),
                                        calibration: try EvaluationFiles.calibration(arguments.value("--calibration")))
        var graph = model.graph
        if !arguments.values("--target").isEmpty {
            graph = try context.evaluation(try context.targetCatalog(arguments)).adapt(model, for: try context.requiredTarget(arguments))
        }
        let inputFiles = try Self.bind(arguments.values("--input"), to: graph.inputs, option: "--input")
        let outputFiles = try Self.bind(arguments.values("--output"), to: graph.outputs, option: "--output")
        let outputDirectory = arguments.value("--output-dir")
        guard !outputFiles.isEmpty || outputDirectory != nil else { throw UsageError("missing --output FILE or --output-dir DIR") }
        if let outputDirectory { try OutputDirectory.prepare(outputDirectory) }

        var feeds: [String: Tensor] = [:]
        for name in graph.inputs {
            guard let file = inputFiles[name] else {
                throw UsageError("missing --input for graph input '\(name)': give --input \(name)=FILE.npy (its inputs: \(graph.inputs.joined(separator: ", ")))")
            }
            feeds[name] = try ModelDataFiles.readData(file, feeds: name, of: graph.types[name]!)
        }
        let results = try ModelLoader.attributing(to: arguments.positionals[0]) { () throws(DiagnosticError) in
            try SampleBatch(feeds, for: graph).run(try ReferenceInterpreter(graph: graph))
        }
        if let outputDirectory { try OutputDirectory.write(results, names: graph.outputs, to: outputDirectory) }
        for (name, result) in zip(graph.outputs, results) {
            guard let file = outputFiles[name] else { continue }
            try NumPyWriter.write(try NumPyArray(tensor: result), to: file)
        }
        return .success
    }

    /// Binds `NAME=FILE` (or a bare `FILE` when there is one name) values to graph value names.
    static func bind(_ values: [String], to names: [String], option: String) throws(UsageError) -> [String: String] {
        var bound: [String: String] = [:]
        for value in values {
            if let equals = value.firstIndex(of: "="), names.contains(String(value[..<equals])) {
                bound[String(value[..<equals])] = String(value[value.index(after: equals)...])
            } else if names.count == 1 {
                bound[names[0]] = value
            } else {
                throw UsageError("\(option) '\(value)' must be NAME=FILE with NAME one of \(names.joined(separator: ", "))")
            }
        }
        return bound
    }
}
