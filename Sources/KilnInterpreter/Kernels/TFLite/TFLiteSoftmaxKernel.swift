import Foundation
import KilnIR
import KilnNumerics

/// TFLite's 8-bit SOFTMAX over the last axis (`activations.cc` `SoftmaxPrepare` with
/// `PopulateSoftmaxLookupTable`, evaluated by `optimized_ops::Softmax` for every kernel type).
///
/// `table[255 − d] = expf(−inputScale · beta · d)` for `d` in `0...255` (float). Per row:
/// `sum = Σ table[255 − max + q]` in float, in order; each output is
/// `saturate(int(roundf(table[255 − max + q] · (1 / (sum · outputScale)))) + outputZero)`.
enum TFLiteSoftmaxKernel {
    static func execute(beta: Float, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let codes = x.codes, let depth = x.shape.last, depth > 0 else {
            throw KernelError("TFLite's softmax needs integer input with a non-empty last axis")
        }
        let input = try TFLiteArithmetic.parameters(x.type, "input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        guard x.type.elementType.maximumCode - x.type.elementType.minimumCode <= 255 else {
            throw KernelError("TFLite's softmax table takes 8-bit input, got \(x.type)")
        }
        let scale = -input.scale * beta
        var table = [Float](repeating: 0, count: 256)
        for value in 0...255 { table[255 - value] = Foundation.exp(scale * Float(value)) }
        let bounds = TFLiteArithmetic.range(outputType.elementType)
        var result = [Int32](repeating: 0, count: codes.count)
        for start in stride(from: 0, to: codes.count, by: depth) {
            let row = codes[start ..< start + depth]
            let largest = row.max()!
            var sum: Float = 0
            for q in row { sum += table[Int(255 - largest + q)] }
            let inverse = 1 / (sum * output.scale)
            for (offset, q) in row.enumerated() {
                let probability = table[Int(255 - largest + q)] * inverse
                let quantized = TFLiteArithmetic.round(probability) &+ output.zeroPoint
                result[start + offset] = min(max(quantized, bounds.lowerBound), bounds.upperBound)
            }
        }
        return Tensor(type: outputType, storage: .int32(result))
    }
}
