import KilnIR
import KilnNumerics

/// TFLite's QUANTIZE (`reference_ops::AffineQuantize` for float input, `reference_ops::Requantize`
/// for integer input, with the multiplier of `quantize.cc`).
///
/// float → code: `saturate(int(roundf(x / float(scale))) + zeroPoint)`, per tensor or per
/// channel. code → code: `saturate(MultiplyByQuantizedMultiplier(q − inputZero, m) + outputZero)`
/// with `m = QuantizeMultiplier(double(inputScale) / double(outputScale))`.
enum TFLiteQuantizeKernel {
    static func execute(_ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let quantization = outputType.quantization else { throw KernelError("TFLite's quantize needs a quantized output type") }
        let bounds = TFLiteArithmetic.range(outputType.elementType)
        if let values = x.floats {
            let slice = QuantizationKernels.sliceIndex(x.shape, quantization)
            var output = [Int32](repeating: 0, count: values.count)
            for index in values.indices {
                let s = slice(index)
                let code = TFLiteArithmetic.round(values[index] / quantization.scale(at: s)) &+ quantization.zeroPoint(at: s)
                output[index] = min(max(code, bounds.lowerBound), bounds.upperBound)
            }
            return Tensor(type: outputType, storage: .int32(output))
        }
        guard let codes = x.codes else { throw KernelError("TFLite's quantize needs float or integer input") }
        let input = try TFLiteArithmetic.parameters(x.type, "input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        let multiplier = try TFLiteArithmetic.multiplier(Double(input.scale) / Double(output.scale))
        return Tensor(type: outputType, storage: .int32(codes.map { code in
            let value = Int64(TFLiteArithmetic.multiply(code &- input.zeroPoint, multiplier)) + Int64(output.zeroPoint)
            return Int32(min(max(value, Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
        }))
    }
}
