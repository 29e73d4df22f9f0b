import KilnDiagnostics
import KilnIR

/// The analysis ``AdaptiveRoundingPass`` and ``BiasCorrectionPass`` share: the float input of
/// every weighted layer on every calibration sample, from one run of the float graph per sample
/// (the reference interpreter, samples in parallel), computed once and handed to both.
///
/// The layers are the conv2d and dense nodes with constant float weights and a float32 input.
/// The inputs are those of the graph the analysis ran on; a pass that changes weights before
/// another uses the analysis (adaptive rounding before bias correction) changes the inputs of
/// later layers by its own error, which the analysis does not follow: both passes measure the
/// layers on the float model's inputs.
public struct CalibratedLayerInputs: Sendable {
    /// Each layer's input on every sample, in sample order, by layer (node) name.
    private let inputsByLayer: [String: [Tensor]]

    /// Runs `graph` on every sample and keeps the inputs of its layers.
    /// - Parameters:
    ///   - graph: a verified float graph.
    ///   - samples: the calibration inputs.
    /// - Throws: ``DiagnosticError`` from the interpreter.
    /// - Complexity: one run of `graph` per sample; holds every layer's input of every sample.
    public init(graph: Graph, samples: CalibrationSamples) throws(DiagnosticError) {
        let layers = graph.nodes.filter { node in
            (node.kind == .conv2d || node.kind == .dense) && node.input(1).flatMap { graph.constants[$0]?.floats } != nil
                && graph.types[node.inputs[0]]?.elementType == .float32
        }
        guard !layers.isEmpty else {
            inputsByLayer = [:]
            return
        }
        let activations = try samples.values(Set(layers.map { $0.inputs[0] }), of: graph)
        inputsByLayer = Dictionary(uniqueKeysWithValues: layers.map { node in (node.name, activations.compactMap { $0[node.inputs[0]] }) })
    }

    /// The input of `layer` on every sample, in sample order; nil when `layer` is not one of the
    /// analysed layers.
    func inputs(of layer: Node) -> [Tensor]? { inputsByLayer[layer.name] }
}
