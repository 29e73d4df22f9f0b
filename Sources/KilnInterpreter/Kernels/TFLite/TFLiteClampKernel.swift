import KilnIR
import KilnNumerics

/// TFLite's quantized RELU, RELU6, RELU_N1_TO_1 (and fused activations) and LEAKY_RELU
/// (`activations.cc`: `QuantizedReluX` → `ReluX`, and `reference_ops::QuantizeLeakyRelu`).
///
/// relu / clip: `clamp(outputZero + MultiplyByQuantizedMultiplier(x − inputZero, m), bounds)`
/// with `m = QuantizeMultiplier(float(inputScale / outputScale))` and the bounds of
/// ``TFLiteArithmetic/activationRange(minimum:maximum:_:)``; with equal input and output
/// parameters `m` is exactly 1 and this is a clamp of the codes (a fused activation).
/// leakyRelu: `x − inputZero ≥ 0` is scaled by `float(inputScale / outputScale)`, otherwise by
/// `float(inputScale · alpha / outputScale)`; then the output zero point and saturation.
/// Public so that a backend's kernels compute exactly these codes.
public struct TFLiteClamp: Sendable, Hashable {
    /// The output code range after the activation (the fused activation's bounds).
    public let bounds: ClosedRange<Int32>
    /// The zero points of input and output.
    public let inputZeroPoint: Int32, outputZeroPoint: Int32
    /// The multipliers of non-negative and negative offset inputs (equal except for leakyRelu).
    public let identity: FixedPointMultiplier, negative: FixedPointMultiplier
    /// Whether input and output share scale and zero point and the multipliers are the identity,
    /// so that the activation is a clamp of the codes to ``bounds`` (a fused activation).
    public let isCodeClamp: Bool

    /// Prepares relu, clip or leakyRelu from `input` to `output` as TFLite's `Prepare` does.
    /// - Throws: ``KernelError`` for another operation, unquantized types or a multiplier that
    ///   cannot be represented.
    public init(_ operation: Operator, input inputType: TensorType, output outputType: TensorType) throws(KernelError) {
        let input = try TFLiteArithmetic.parameters(inputType, "input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        identity = try TFLiteArithmetic.multiplier(Double(input.scale / output.scale))
        var negative = identity
        switch operation {
        case .relu: bounds = TFLiteArithmetic.activationRange(minimum: 0, maximum: nil, outputType)
        case .clip(let minimum, let maximum): bounds = TFLiteArithmetic.activationRange(minimum: minimum, maximum: maximum, outputType)
        case .leakyRelu(let alpha):
            bounds = TFLiteArithmetic.range(outputType.elementType)
            negative = try TFLiteArithmetic.multiplier(Double(input.scale * alpha / output.scale))
        default: throw KernelError("TFLite has no clamp kernel for \(operation.kind.rawValue)")
        }
        self.negative = negative
        inputZeroPoint = input.zeroPoint
        outputZeroPoint = output.zeroPoint
        // QuantizeMultiplier(1.0) = 2^30 · 2^(1 − 31): the double-rounded product is exact.
        isCodeClamp = input == output && operation.kind != .leakyRelu
    }

    /// The output code of one input code.
    @inline(__always)
    public func apply(_ code: Int32) -> Int32 {
        let centered = code &- inputZeroPoint
        let value = Int64((centered >= 0 ? identity : negative).apply(centered)) + Int64(outputZeroPoint)
        return Int32(min(max(value, Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
    }
}

/// TFLite's quantized relu / clip / leakyRelu: ``TFLiteClamp`` per element.
enum TFLiteClampKernel {
    static func execute(_ operation: Operator, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let codes = x.codes else { throw KernelError("TFLite's \(operation.kind.rawValue) needs integer input") }
        let clamp = try TFLiteClamp(operation, input: x.type, output: outputType)
        return Tensor(type: outputType, storage: .int32(codes.map(clamp.apply)))
    }
}
