import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnModelIO

/// `kiln run MODEL --input X.npy --output Y.npy`: the reference interpreter on NumPy data.
struct RunCommand: Command {
    let name = "run"
    let summary = "Run a model with the reference interpreter on .npy data"
    let usage = "run MODEL --input X.npy|NAME=X.npy ... --output Y.npy|NAME=Y.npy ... [--target T]"
    let discussion = """
    The first dimension of each input file is the batch: a graph input of shape [1, ...] runs
    once per sample, in parallel, and the outputs are stacked. A file whose shape equals the
    graph input's runs once. With one graph input, --input FILE needs no NAME=. With --target, the
    interpreter runs the graph after the target's numeric adaptation: the exact outputs that
    'kiln simulate' of the target's program must reproduce.
    """
    let options: [OptionSpecification] = [
        OptionSpecification("--input", short: "-i", arity: .repeated, valueName: "[NAME=]FILE", help: "input data (.npy)"),
        OptionSpecification("--output", short: "-o", arity: .repeated, valueName: "[NAME=]FILE", help: "where to write an output (.npy)"),
        OptionSpecification("--target", arity: .repeated, valueName: "NAME|FILE", help: "run the graph as adapted to this target's numerics"),
        .targetDirectory,
    ]

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...1, names: "MODEL")
        var graph = try ModelLoader.load(arguments.positionals[0])
        if !arguments.values("--target").isEmpty {
            graph = try Compiler(registry: context.registry).adapt(graph, for: try context.requiredTarget(arguments))
        }
        let inputFiles = try Self.bind(arguments.values("--input"), to: graph.inputs, option: "--input")
        let outputFiles = try Self.bind(arguments.values("--output"), to: graph.outputs, option: "--output")
        guard !outputFiles.isEmpty else { throw UsageError("missing --output FILE") }

        var feeds: [String: Tensor] = [:]
        for name in graph.inputs {
            guard let file = inputFiles[name] else { throw UsageError("missing --input for graph input '\(name)'") }
            feeds[name] = try ModelDataFiles.readData(file, feeds: name, of: graph.types[name]!)
        }
        let interpreter = try ReferenceInterpreter(graph: graph)
        let batched = graph.inputs.allSatisfy { name in
            let type = graph.types[name]!
            return feeds[name]!.shape != type.shape && type.shape.first == 1
        }
        let results = try ModelLoader.attributing(to: arguments.positionals[0]) { () throws(DiagnosticError) in
            batched ? try interpreter.runBatch(feeds) : try interpreter.run(feeds)
        }
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
