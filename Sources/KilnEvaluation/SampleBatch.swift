import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter

/// Kiln's one rule for data fed to a model: when every tensor has exactly its graph input's
/// shape it is one sample and runs once; otherwise its leading dimension is the batch, each
/// sample runs on its own (in parallel, the graph inputs having a leading dimension of 1) and
/// the outputs are stacked.
public struct SampleBatch: Sendable {
    /// The fed tensors, by graph input name.
    public let feeds: [String: Tensor]
    /// Whether the feeds are one sample of exactly the graph inputs' shapes.
    public let isSingleSample: Bool

    /// Applies the rule to the feeds of a graph.
    public init(_ feeds: [String: Tensor], for graph: Graph) {
        self.feeds = feeds
        isSingleSample = graph.inputs.allSatisfy { name in feeds[name].map { $0.shape == graph.types[name]?.shape } ?? false }
    }

    /// The rule applied to data for a graph's inputs, checked by name: every graph input has a
    /// tensor and every tensor feeds a graph input.
    /// - Throws: ``DiagnosticError`` naming the graph input without data, or the data whose name
    ///   is not a graph input (with the inputs the graph has).
    public static func feeding(_ inputs: [String: Tensor], to graph: Graph) throws(DiagnosticError) -> SampleBatch {
        if let missing = graph.inputs.first(where: { inputs[$0] == nil }) {
            throw DiagnosticError(.error("no data for the graph input '\(missing)' of the model '\(graph.name)' "
                                         + "(its inputs: \(graph.inputs.joined(separator: ", ")))", place: "tensor '\(missing)'"))
        }
        if let unknown = inputs.keys.sorted().first(where: { !graph.inputs.contains($0) }) {
            throw DiagnosticError(.error("the data names '\(unknown)', which is not an input of the model '\(graph.name)' "
                                         + "(its inputs: \(graph.inputs.joined(separator: ", ")))", place: "tensor '\(unknown)'"))
        }
        return SampleBatch(inputs, for: graph)
    }

    /// The graph's outputs from the reference interpreter.
    /// - Throws: ``DiagnosticError`` naming the input or node that failed.
    public func run(_ interpreter: ReferenceInterpreter) throws(DiagnosticError) -> [Tensor] {
        isSingleSample ? try interpreter.run(feeds) : try interpreter.runBatch(feeds)
    }

    /// How many samples ``run(_:progress:)`` simulates between two progress reports: a few
    /// times the cores of a small machine, so the samples of a chunk still run in parallel.
    public static let progressChunk = 32

    /// The program's outputs from the functional simulator, simulating ``progressChunk``
    /// samples at a time and reporting the samples done and the total after each chunk (the
    /// outputs equal ``run(_:)-swift.method``'s).
    /// - Parameter progress: called after each chunk; returns whether to go on.
    /// - Throws: ``DiagnosticError`` naming the input or the kernel that failed, or saying that
    ///   `progress` stopped the run.
    public func run(_ simulator: FunctionalSimulator, progress: (_ done: Int, _ total: Int) -> Bool) throws(DiagnosticError) -> [Tensor] {
        let graph = simulator.program.graph
        guard !isSingleSample, let first = graph.inputs.first, let total = feeds[first]?.shape.first, total > Self.progressChunk else {
            let outputs = try run(simulator)
            _ = progress(1, 1)
            return outputs
        }
        var samples: [String: [Tensor]] = [:]
        for name in graph.inputs {
            guard let tensor = feeds[name], let type = graph.types[name] else { continue }
            samples[name] = try tensor.samples(total, of: type.shape, place: "tensor '\(name)'")
        }
        var perOutput: [[Tensor]] = Array(repeating: [], count: graph.outputs.count)
        var start = 0
        while start < total {
            let end = min(start + Self.progressChunk, total)
            var chunk: [String: Tensor] = [:]
            for (name, inputSamples) in samples {
                chunk[name] = try Tensor.stacked(Array(inputSamples[start ..< end]), place: "tensor '\(name)'")
            }
            let outputs = try simulator.runBatch(chunk).outputs
            for (index, output) in outputs.enumerated() {
                perOutput[index] += try output.samples(end - start, of: [1] + output.shape.dropFirst(), place: "output \(graph.outputs[index])")
            }
            guard progress(end, total) || end == total else {
                throw DiagnosticError(.error("the simulation was stopped after \(end) of \(total) samples"))
            }
            start = end
        }
        return try perOutput.enumerated().map { index, samples throws(DiagnosticError) in
            try Tensor.stacked(samples, place: "output \(graph.outputs[index])")
        }
    }

    /// The program's outputs from the functional simulator.
    /// - Throws: ``DiagnosticError`` naming the input or the kernel that failed.
    public func run(_ simulator: FunctionalSimulator) throws(DiagnosticError) -> [Tensor] {
        isSingleSample ? try simulator.run(feeds).outputs : try simulator.runBatch(feeds).outputs
    }
}
