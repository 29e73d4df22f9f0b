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

    /// The inputs of the model's first graph input: one sample of exactly its shape, or a batch
    /// along the leading dimension (``SampleBatch``).
    public let samples: Tensor
    /// What scores the outputs.
    public let scoring: Scoring
    /// The float source model's output on the samples when Kiln quantized it
    /// (``EvaluationModel/isQuantizedByKiln``), so that outputs are also scored against float;
    /// nil otherwise.
    public let floatReference: Tensor?

    /// Samples scored by labels, or not scored.
    /// - Throws: ``DiagnosticError`` when there is not one label per sample (leading dimension).
    public init(samples: Tensor, labels: [Int64]?) throws(DiagnosticError) {
        if let labels, samples.shape.first != labels.count {
            throw DiagnosticError(.error("\(labels.count) labels for \(samples.shape.first ?? 0) samples"))
        }
        self.samples = samples
        scoring = labels.map { .labels($0) } ?? .none
        floatReference = nil
    }

    /// Samples scored against the model's own reference output: the reference interpreter runs
    /// the graph every target compiles on them once, here, and, when Kiln quantized a float
    /// model, the float source model as well (``floatReference``).
    /// - Throws: ``DiagnosticError`` when a model does not have one input or does not run on
    ///   the samples.
    public init(samples: Tensor, referenceOf model: EvaluationModel) throws(DiagnosticError) {
        func output(of graph: Graph) throws(DiagnosticError) -> Tensor {
            try SampleBatch.feeding(samples, to: graph).run(try ReferenceInterpreter(graph: graph))[0]
        }
        self.samples = samples
        scoring = .reference(try output(of: model.graph))
        floatReference = model.isQuantizedByKiln ? try output(of: model.source) : nil
    }
}
