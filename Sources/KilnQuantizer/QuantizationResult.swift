import KilnIR

/// The outcome of post-training quantization: the quantized graph and what happened per layer.
public struct QuantizationResult: Sendable {
    /// The quantized graph (verified): float input → quantize → integer layers → dequantize.
    public var graph: Graph
    /// One entry per quantized layer, in graph order, with its SQNR on the calibration data.
    public var layers: [LayerQuantizationReport]
    /// Nodes whose results stay float (operators Kiln does not quantize, or inputs it cannot quantize).
    public var floatNodes: [String]
    /// Per graph output, in graph order: the quantized graph's output against the float model's
    /// on the calibration data.
    public var outputs: [(name: String, error: ErrorStatistics)]

    /// The names of the layers whose weights became binary.
    public var binaryLayers: [String] { layers.filter(\.hasBinaryWeights).map(\.node) }
}
