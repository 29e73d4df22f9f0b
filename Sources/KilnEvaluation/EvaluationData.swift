import KilnDiagnostics
import KilnIR
import KilnInterpreter

/// The samples an evaluation runs on and what scores the outputs: labels (top-1), the model's
/// own reference output (SQNR and cosine similarity), or nothing (outputs only).
public struct EvaluationData: Sendable {
    /// What the outputs are scored against.
    public enum Scoring: Sendable {
        /// Nothing: the outputs only.
        case none
        /// Integer class labels, one per sample.
        case labels([Int64])
        /// The reference interpreter's output, on the samples, of the graph every target compiles
        /// (``EvaluationModel/graph``: the model as loaded, or Kiln's quantization of it).
        case reference(Tensor)
    }

    /// The inputs, by graph input name: each one sample of exactly its input's shape, or a batch
    /// along the leading dimension (``SampleBatch``).
    public let inputs: [String: Tensor]
    /// What scores the outputs.
    public let scoring: Scoring
    /// The float model's output on the samples, so that outputs are also scored against float:
    /// the source model when Kiln quantized it (``EvaluationModel/isQuantizedByKiln``), or the
    /// float model a quantized model came from when the caller gives it; nil otherwise.
    public let floatReference: Tensor?
    /// The outputs on these samples of the programs simulated so far whose outputs depend on
    /// their graph alone, reused by ``Evaluation/evaluate(_:data:progress:)`` for an equal graph.
    let recordedProgramOutputs = RecordedProgramOutputs()

    /// Samples scored by labels, or not scored.
    /// - Throws: ``DiagnosticError`` when there is not one label per sample (leading dimension).
    public init(inputs: [String: Tensor], labels: [Int64]?) throws(DiagnosticError) {
        let samples = inputs.keys.sorted().first.flatMap { inputs[$0]?.shape.first } ?? 0
        if let labels, samples != labels.count {
            throw DiagnosticError(.error("\(labels.count) labels for \(samples) samples"))
        }
        self.inputs = inputs
        scoring = labels.map { .labels($0) } ?? .none
        floatReference = nil
    }

    /// Samples scored against the model's own reference output: the reference interpreter runs
    /// the graph every target compiles on them once, here, and the float model as well: the
    /// source model when Kiln quantized a float model, else `floatModel` when given
    /// (``floatReference``).
    /// - Parameter floatModel: the float model a quantized model came from (the same graph
    ///   inputs), or nil.
    /// - Throws: ``DiagnosticError`` when the data does not name exactly the graph's inputs, or a
    ///   model does not run on the samples.
    public init(inputs: [String: Tensor], referenceOf model: EvaluationModel, floatModel: Graph? = nil) throws(DiagnosticError) {
        func output(of graph: Graph) throws(DiagnosticError) -> Tensor {
            try SampleBatch.feeding(inputs, to: graph).run(try ReferenceInterpreter(graph: graph))[0]
        }
        self.inputs = inputs
        scoring = .reference(try output(of: model.graph))
        if model.isQuantizedByKiln {
            floatReference = try output(of: model.source)
        } else if let floatModel {
            floatReference = try output(of: floatModel)
        } else {
            floatReference = nil
        }
    }
}
