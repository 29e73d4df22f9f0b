import KilnDiagnostics
import KilnIR

/// Accuracy-driven fallback: quantizes, and while the graph outputs' SQNR against the float model
/// (on the calibration data) is below a target, widens the weights of the most sensitive narrow
/// layer — the one whose output has the lowest SQNR — to ``widerBits`` and quantizes again.
///
/// The search is deterministic and stops when the target is met or every layer is wide; at most
/// one quantization per multiply-accumulate layer, plus one.
public struct AccuracyFallback: Sendable {
    /// The options of the narrow layers (and everything else).
    public let options: QuantizationOptions
    /// The lowest acceptable SQNR in dB of every graph output.
    public let minimumOutputDecibels: Double
    /// The weight width of a layer that falls back.
    public let widerBits: Int

    /// Creates the search.
    public init(options: QuantizationOptions, minimumOutputDecibels: Double, widerBits: Int = 8) {
        self.options = options
        self.minimumOutputDecibels = minimumOutputDecibels
        self.widerBits = widerBits
    }

    /// The outcome: the last quantization, the layers widened in the order they fell back, and
    /// whether the target was met.
    public struct Outcome: Sendable {
        /// The quantized graph and its report (with ``QuantizationOptions/layerWeightBits`` applied).
        public var result: QuantizationResult
        /// The layers whose weights were widened, most sensitive first.
        public var widenedLayers: [String]
        /// Whether every graph output reached ``minimumOutputDecibels``.
        public var metTarget: Bool
    }

    /// Runs the search on `graph` with `calibration` (see ``PostTrainingQuantizer/quantize(_:calibration:)``).
    /// - Throws: ``DiagnosticError`` from quantization.
    public func quantize(_ graph: Graph, calibration: [String: Tensor]) throws(DiagnosticError) -> Outcome {
        var current = options
        var widened: [String] = []
        while true {
            let result = try PostTrainingQuantizer(options: current).quantize(graph, calibration: calibration)
            let met = result.outputs.allSatisfy { $0.error.signalToQuantizationNoiseRatioDecibels >= minimumOutputDecibels }
            let narrow = result.layers.filter { $0.weightType != nil && current.weightBits(for: $0.node) < widerBits && !$0.hasBinaryWeights }
            guard !met, let sensitive = narrow.min(by: { $0.signalToQuantizationNoiseRatio < $1.signalToQuantizationNoiseRatio }) else {
                return Outcome(result: result, widenedLayers: widened, metTarget: met)
            }
            current.layerWeightBits[sensitive.node] = widerBits
            widened.append(sensitive.node)
        }
    }
}
