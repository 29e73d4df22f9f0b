import KilnIR
import KilnNumerics

/// TFLite's 8-bit MEAN (`reference_ops::QuantizedMeanOrSum` with the multiplier of
/// `reduce.cc`): the raw codes are summed per output in int32; with `n` codes per output,
/// `QuantizeMultiplier(double(inputScale) / double(outputScale)) = (m, s)` becomes
/// `m' = (m · 2^k) / n` (integer division) and `s' = s − k` with
/// `k = min(⌊log2 n⌋, 32, 31 + s)`; the output is
/// `saturate(MultiplyByQuantizedMultiplier(sum − inputZero · n, m', s') + outputZero)`.
enum TFLiteMeanKernel {
    static func execute(axes: [Int], _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let codes = x.codes else { throw KernelError("TFLite's mean needs integer input") }
        let input = try TFLiteArithmetic.parameters(x.type, "input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        let (targets, outputCount) = MeanKernel.reducedIndices(x.shape, axes: axes)
        let count = codes.count / max(outputCount, 1)
        var sums = [Int32](repeating: 0, count: outputCount)
        for (index, code) in codes.enumerated() { sums[targets[index]] &+= code }
        guard count > 0 else { return Tensor(type: outputType, storage: .int32(sums)) }
        let base = try TFLiteArithmetic.multiplier(Double(input.scale) / Double(output.scale))
        var shift = Int64(count).bitWidth - 1 - Int64(count).leadingZeroBitCount
        shift = min(shift, 32, 31 + base.shift)
        let mantissa = Int32(truncatingIfNeeded: (Int64(base.quantizedMultiplier) << Int64(shift)) / Int64(count))
        let multiplier: FixedPointMultiplier
        do { multiplier = try FixedPointMultiplier(quantizedMultiplier: mantissa, shift: base.shift - shift) } catch {
            throw KernelError("cannot scale the mean of \(count) codes: \(error)")
        }
        let bounds = TFLiteArithmetic.range(outputType.elementType)
        let offset = input.zeroPoint &* Int32(truncatingIfNeeded: count)
        let result = sums.map { sum -> Int32 in
            let value = Int64(TFLiteArithmetic.multiply(sum &- offset, multiplier)) + Int64(output.zeroPoint)
            return Int32(min(max(value, Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
        }
        return Tensor(type: outputType, storage: .int32(result))
    }
}
