import KilnIR
import KilnNumerics

/// TFLite's 8-bit SQUARED_DIFFERENCE (`squared_difference.cc`): both inputs, less their zero
/// points, are shifted left by 7 bits and scaled by `s_i / (2·max(s1, s2))` (double rounding);
/// the difference is squared in int32 and scaled by `(2·max(s1, s2))² / (2^14 · sy)`; then the
/// output zero point and saturation.
enum TFLiteSquaredDifferenceKernel {
    static func execute(_ a: Tensor, _ b: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let x = a.codes, let y = b.codes else { throw KernelError("TFLite's squaredDifference needs integer operands") }
        let first = try TFLiteArithmetic.parameters(a.type, "first input")
        let second = try TFLiteArithmetic.parameters(b.type, "second input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        let twiceMaximum = 2 * Double(max(first.scale, second.scale))
        let firstMultiplier = try TFLiteArithmetic.multiplier(Double(first.scale) / twiceMaximum)
        let secondMultiplier = try TFLiteArithmetic.multiplier(Double(second.scale) / twiceMaximum)
        let outputMultiplier = try TFLiteArithmetic.multiplier(twiceMaximum * twiceMaximum / Double(Float(1 << 14) * output.scale))
        let bounds = TFLiteArithmetic.range(outputType.elementType)
        let left = BroadcastIndex(from: a.shape, to: outputType.shape), right = BroadcastIndex(from: b.shape, to: outputType.shape)
        let count = Shape.elementCount(outputType.shape) ?? 0
        var result = [Int32](repeating: 0, count: count)
        for index in 0..<count {
            let p = TFLiteArithmetic.multiply((x[left.sourceOffset(index)] &- first.zeroPoint) &<< 7, firstMultiplier)
            let q = TFLiteArithmetic.multiply((y[right.sourceOffset(index)] &- second.zeroPoint) &<< 7, secondMultiplier)
            let difference = p &- q
            let value = Int64(TFLiteArithmetic.multiply(difference &* difference, outputMultiplier)) + Int64(output.zeroPoint)
            result[index] = Int32(min(max(value, Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
        }
        return Tensor(type: outputType, storage: .int32(result))
    }
}
