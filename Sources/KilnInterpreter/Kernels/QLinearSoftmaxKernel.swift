import Foundation
import KilnIR
import KilnNumerics

/// softmax of 8-bit codes as ONNX Runtime's `com.microsoft.QLinearSoftmax` computes it
/// (`onnxruntime/contrib_ops/cpu/quantization/qlinear_softmax.cc`, onnxruntime 1.32, where the
/// table type `EXP_OUT_DTYPE` is float32).
///
/// A 256-entry float32 table `T[i] = float(exp((i − 255 + shift)·sx))` (evaluated in double) with
/// `shift = max(0, ln(FLT_MAX / D) − 5) / sx` for a reduction of `D` elements; each row reads
/// `T[x − max(x) + 255]` (int8: the codes are moved by `127 − max` and the table is indexed by
/// the wrapped byte), sums the entries in float32 in order, and writes
/// `nearbyintf((t · floor(1 / sy)) / sum) + zy`, clamped above at 255 (uint8; int8 keeps ORT's
/// narrowing of values above 127 through the low byte). A row whose sum is 0 stops the kernel.
enum QLinearSoftmaxKernel {
    static func execute(_ axis: Int, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let codes = x.codes, let inputQuantization = x.type.quantization, let outputQuantization = outputType.quantization,
              x.type.elementType.bitWidth == 8, let normalized = Shape.normalizedAxis(axis, rank: x.shape.count) else {
            throw KernelError("a quantized softmax needs 8-bit per-tensor codes in and out")
        }
        let signed = x.type.elementType.isSigned
        let length = x.shape.isEmpty ? 1 : x.shape[normalized]
        let inner = Shape.elementCount(Array(x.shape.dropFirst(normalized + 1))) ?? 1
        let outer = length * inner == 0 ? 0 : codes.count / (length * inner)
        let table = lookupTable(scale: inputQuantization.scale(at: 0), length: length, signed: signed)
        let outputScale = (1 / outputQuantization.scale(at: 0)).rounded(.down)
        let zeroPoint = outputQuantization.zeroPoint(at: 0)
        var output = [Int32](repeating: 0, count: codes.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var largest = Int32.min
                for k in 0..<length { largest = max(largest, codes[base + k * inner]) }
                func entry(_ code: Int32) -> Float {
                    signed ? table[Int(UInt8(truncatingIfNeeded: 127 - largest + code))] : table[Int(code + 255 - largest)]
                }
                var sum: Float = 0
                for k in 0..<length { sum += entry(codes[base + k * inner]) }
                guard sum != 0 else { throw KernelError("ONNX Runtime's QLinearSoftmax stops on a row whose table sum is 0") }
                for k in 0..<length {
                    let quotient = (entry(codes[base + k * inner]) * outputScale / sum).rounded(.toNearestOrEven)
                    let value = Int64(quotient) + Int64(zeroPoint)
                    output[base + k * inner] = signed ? (value > 255 ? -1 : Int32(Int8(truncatingIfNeeded: value)))
                                                      : Int32(min(value, 255))
                }
            }
        }
        return Tensor(type: outputType, storage: .int32(output))
    }

    /// ORT's table for an input scale and reduction length (index: the code's byte).
    static func lookupTable(scale: Float, length: Int, signed: Bool) -> [Float] {
        let quotient = Float.greatestFiniteMagnitude / Float(length)
        let shift = max(0, Foundation.log(Double(quotient)) - 5) / Double(scale)
        var table = [Float](repeating: 0, count: 256)
        for i in 0..<256 {
            let value = Float(Foundation.exp((Double(i) - 255 + shift) * Double(scale)))
            table[Int(UInt8(truncatingIfNeeded: signed ? i - 128 : i))] = value
        }
        return table
    }
}
