import KilnIR
import KilnNumerics

/// TFLite's quantized ADD, SUB and MUL (`reference_integer_ops::Add`/`Mul`, `reference_ops::Sub`
/// with the parameters of `add.cc`, `sub.cc` and `mul.cc`), with NumPy broadcasting.
///
/// ADD / SUB: both inputs, offset by their zero points, are shifted left by 20 bits and scaled
/// by `scale_i / (2 · max(scale_1, scale_2))`; the sum (or difference) is scaled by
/// `2 · max(scale_1, scale_2) / (2^20 · outputScale)`, offset by the output zero point and
/// saturated. MUL: the product of the offset inputs is scaled by `scale_1 · scale_2 / outputScale`.
/// Every scaling is `MultiplyByQuantizedMultiplier` with a multiplier from `QuantizeMultiplier`.
enum TFLiteArithmeticKernel {
    static func execute(_ kind: OperatorKind, _ a: Tensor, _ b: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let x = a.codes, let y = b.codes else { throw KernelError("TFLite's \(kind.rawValue) needs integer operands") }
        let first = try TFLiteArithmetic.parameters(a.type, "first input")
        let second = try TFLiteArithmetic.parameters(b.type, "second input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        let bounds = TFLiteArithmetic.range(outputType.elementType)
        let left = BroadcastIndex(from: a.shape, to: outputType.shape)
        let right = BroadcastIndex(from: b.shape, to: outputType.shape)
        let count = Shape.elementCount(outputType.shape) ?? 0
        var result = [Int32](repeating: 0, count: count)
        if kind == .mul {
            let multiplier = try TFLiteArithmetic.multiplier(Double(a.type.quantization!.scales[0] * b.type.quantization!.scales[0] / output.scale))
            for index in 0..<count {
                let product = (x[left.sourceOffset(index)] &- first.zeroPoint) &* (y[right.sourceOffset(index)] &- second.zeroPoint)
                let value = Int64(TFLiteArithmetic.multiply(product, multiplier)) + Int64(output.zeroPoint)
                result[index] = Int32(min(max(value, Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
            }
            return Tensor(type: outputType, storage: .int32(result))
        }
        let leftShift = 20
        let twiceMaximum = Double(2 * max(first.scale, second.scale))
        let firstMultiplier = try TFLiteArithmetic.multiplier(Double(first.scale) / twiceMaximum)
        let secondMultiplier = try TFLiteArithmetic.multiplier(Double(second.scale) / twiceMaximum)
        let outputMultiplier = try TFLiteArithmetic.multiplier(twiceMaximum / Double(Float(1 << leftShift) * output.scale))
        for index in 0..<count {
            let p = (x[left.sourceOffset(index)] &- first.zeroPoint) &<< leftShift
            let q = (y[right.sourceOffset(index)] &- second.zeroPoint) &<< leftShift
            let scaledP = TFLiteArithmetic.multiply(p, firstMultiplier)
            let scaledQ = TFLiteArithmetic.multiply(q, secondMultiplier)
            let raw = kind == .sub ? scaledP &- scaledQ : scaledP &+ scaledQ
            let value = Int64(TFLiteArithmetic.multiply(raw, outputMultiplier)) + Int64(output.zeroPoint)
            result[index] = Int32(min(max(value, Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
        }
        return Tensor(type: outputType, storage: .int32(result))
    }
}
