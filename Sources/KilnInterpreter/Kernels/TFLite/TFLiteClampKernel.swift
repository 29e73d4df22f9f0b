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
enum TFLiteClampKernel {
    static func execute(_ operation: Operator, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let codes = x.codes else { throw KernelError("TFLite's \(operation.kind.rawValue) needs integer input") }
        let input = try TFLiteArithmetic.parameters(x.type, "input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        let identity = try TFLiteArithmetic.multiplier(Double(input.scale / output.scale))
        let bounds: ClosedRange<Int32>
        var negative = identity
        switch operation {
        case .relu: bounds = TFLiteArithmetic.activationRange(minimum: 0, maximum: nil, outputType)
        case .clip(let minimum, let maximum): bounds = TFLiteArithmetic.activationRange(minimum: minimum, maximum: maximum, outputType)
        case .leakyRelu(let alpha):
            bounds = TFLiteArithmetic.range(outputType.elementType)
            negative = try TFLiteArithmetic.multiplier(Double(input.scale * alpha / output.scale))
        default: throw KernelError("TFLite has no clamp kernel for \(operation.kind.rawValue)")
        }
        let result = codes.map { code -> Int32 in
            let centered = code &- input.zeroPoint
            let scaled = TFLiteArithmetic.multiply(centered, centered >= 0 ? identity : negative)
            let value = Int64(scaled) + Int64(output.zeroPoint)
            return Int32(min(max(value, Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
        }
        return Tensor(type: outputType, storage: .int32(result))
    }
}
