import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnQuantizer

/// A model made ready for evaluation on any number of targets: Kiln's one calibration policy,
/// decided once per model so that every command compiles the same program for the same model,
/// target and calibration data.
///
/// The policy: with calibration data, a float model (no quantized multiply-accumulate) is
/// quantized by Kiln's post-training quantizer on that data, and every target's adaptation gets
/// the same data as its ``KilnCompiler/CompileOptions/calibration`` (targets with narrower
/// formats choose their ranges from it). Without calibration data the model is compiled as it is.
public struct EvaluationModel: Sendable {
    /// The model as loaded.
    public let source: Graph
    /// The graph every target compiles: ``source``, or Kiln's quantization of it.
    public let graph: Graph
    /// The calibration inputs every target's adaptation gets (by graph input name), or nil.
    public let calibration: [String: Tensor]?
    /// Per-layer weight and activation widths for families that choose operand widths per layer
    /// (``KilnCompiler/CompileOptions/layerBits``), by node name; empty for the target defaults.
    public let layerBits: [String: (weights: Int, activations: Int)]
    /// The user's per-layer implementation file (``KilnCompiler/CompileOptions/layerSettings``:
    /// a FINN folding for dataflow targets), or nil for each family's own choices.
    public var layerSettings: LayerSettingsFile?

    /// Applies the calibration policy.
    /// - Parameters:
    ///   - source: the loaded model.
    ///   - calibration: representative inputs for the model's first input (leading dimension =
    ///     samples), or nil.
    /// - Throws: ``DiagnosticError`` when quantization fails (for example calibration data of
    ///   the wrong shape).
    public init(_ source: Graph, calibration: Tensor?) throws(DiagnosticError) {
        self.source = source
        layerBits = [:]
        guard let calibration, let input = source.inputs.first else {
            graph = source
            self.calibration = nil
            return
        }
        let inputs = [input: calibration]
        self.calibration = inputs
        graph = Self.computesInFloat(source) ? try PostTrainingQuantizer().quantize(source, calibration: inputs).graph : source
    }

    /// A model already quantized by the caller (``PrecisionTuner``): `graph` compiles with the
    /// calibration inputs and per-layer widths given.
    /// - Parameters:
    ///   - source: the float model as loaded.
    ///   - graph: its quantization.
    ///   - calibration: the calibration inputs every target's adaptation gets, or nil.
    ///   - layerBits: per-layer widths for families that choose operand widths per layer.
    public init(_ source: Graph, quantizedAs graph: Graph, calibration: [String: Tensor]?,
                layerBits: [String: (weights: Int, activations: Int)]) {
        self.source = source
        self.graph = graph
        self.calibration = calibration
        self.layerBits = layerBits
    }

    /// Whether Kiln quantized the model (reports mark such a model "Kiln PTQ").
    public var isQuantizedByKiln: Bool { graph != source }

    /// Whether a graph computes in float: no multiply-accumulate reads a quantized input.
    public static func computesInFloat(_ graph: Graph) -> Bool {
        !graph.nodes.contains { node in
            OperatorKind.multiplyAccumulate.contains(node.kind) && (node.input(0).flatMap { graph.types[$0]?.elementType.isInteger } ?? false)
        }
    }

    /// The compile options of this model: its calibration inputs, its per-layer widths, and whether nodes the target
    /// cannot run may fall back to the host.
    public func compileOptions(allowHostFallback: Bool = true) -> CompileOptions {
        CompileOptions(allowHostFallback: allowHostFallback, layerBits: layerBits, calibration: calibration, layerSettings: layerSettings)
    }
}
