import KilnIR

/// What quantization did to one layer of the float model, and how far its output moved.
public struct LayerQuantizationReport: Sendable, Hashable {
    /// How a layer's output is computed after quantization.
    public enum Form: String, Sendable, Hashable {
        /// Integer codes in, integer codes out, requantized with calibrated output parameters.
        case integer
        /// Integer accumulator compared with per-channel integer thresholds, then `sign`: a binary
        /// output with no float arithmetic.
        case threshold
        /// Codes moved or compared without arithmetic (pooling by max, reshape, sign on codes).
        case codes
        /// Float activations, weights stored as codes and dequantized before the float layer.
        case weightsOnly
    }

    /// The node's name in the quantized graph (the float model's node name).
    public var node: String
    /// The operator.
    public var operation: OperatorKind
    /// How the output is computed.
    public var form: Form
    /// The float model's value this layer's output stands for (after fused activations).
    public var floatValue: String
    /// The quantized graph's value holding the layer's output codes.
    public var quantizedValue: String
    /// The type of the output codes.
    public var outputType: TensorType
    /// The type of the quantized weights, for multiply-accumulate layers.
    public var weightType: TensorType?
    /// The activation folded into the layer (relu or clip by the output zero point, sign by thresholds).
    public var fusedActivation: OperatorKind?
    /// The fraction of weight codes that are zero, for multiply-accumulate layers.
    public var weightSparsity: Double?
    /// The dequantized output against the float model's value on the calibration data (nil until measured).
    public var error: ErrorStatistics?

    /// SQNR in dB of the dequantized output against the float model's value on the calibration
    /// data (NaN until measured).
    public var signalToQuantizationNoiseRatio: Double { error?.signalToQuantizationNoiseRatioDecibels ?? .nan }

    /// Whether the weights are binary (±1 codes with a per-channel scale).
    public var hasBinaryWeights: Bool { weightType?.elementType == .binary }
}
