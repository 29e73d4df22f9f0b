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

    /// The rule applied to data for a graph's only input.
    /// - Throws: ``DiagnosticError`` when the graph does not have exactly one input.
    public static func feeding(_ samples: Tensor, to graph: Graph) throws(DiagnosticError) -> SampleBatch {
        guard graph.inputs.count == 1 else {
            throw DiagnosticError(.error("the data feeds one graph input; the model '\(graph.name)' has \(graph.inputs.count)"))
        }
        return SampleBatch([graph.inputs[0]: samples], for: graph)
    }

    /// The graph's outputs from the reference interpreter.
    /// - Throws: ``DiagnosticError`` naming the input or node that failed.
    public func run(_ interpreter: ReferenceInterpreter) throws(DiagnosticError) -> [Tensor] {
        isSingleSample ? try interpreter.run(feeds) : try interpreter.runBatch(feeds)
    }

    /// The program's outputs from the functional simulator.
    /// - Throws: ``DiagnosticError`` naming the input or the kernel that failed.
    public func run(_ simulator: FunctionalSimulator) throws(DiagnosticError) -> [Tensor] {
        isSingleSample ? try simulator.run(feeds).outputs : try simulator.runBatch(feeds).outputs
    }
}
