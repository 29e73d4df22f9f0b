import KilnIR
import KilnNumerics

/// maxPool, averagePool, globalAveragePool, globalMaxPool over NCHW data.
///
/// Max pooling is exact on codes (input and output share their parameters). Quantized global
/// average pooling (and a window covering the whole image without padding) sums
/// `code − zeroPoint` in int32 and scales the sum by the float32 multiplier
/// `inputScale / (outputScale · count)`, rounding half to even (the float-scale rule); any other
/// window on 8-bit codes follows ONNX Runtime's float path (``KilnNumerics/ONNXRuntimeQLinearAveragePool``).
enum PoolingKernels {
    static func window(_ operation: Operator, _ attributes: Pooling, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        let geometry = WindowGeometry(input: x.shape, kernel: (attributes.kernel[0], attributes.kernel[1]),
                                      strides: attributes.strides, dilations: attributes.dilations,
                                      pads: attributes.pads, output: outputType.shape)
        let isMax = operation.kind == .maxPool
        let plane = geometry.height * geometry.width
        let outputPlane = geometry.outputHeight * geometry.outputWidth
        let paddedHeight = geometry.height + attributes.pads[0] + attributes.pads[2]
        let paddedWidth = geometry.width + attributes.pads[1] + attributes.pads[3]
        let planes = geometry.batch * geometry.channels

        func divisor(_ oy: Int, _ ox: Int) -> Int {
            geometry.tapCount(oy, ox, includingPadding: attributes.countIncludePad,
                              paddedHeight: paddedHeight, paddedWidth: paddedWidth)
        }

        if let input = x.floats {
            var output = [Float](repeating: 0, count: planes * outputPlane)
            for p in 0..<planes {
                for oy in 0..<geometry.outputHeight {
                    for ox in 0..<geometry.outputWidth {
                        var accumulator: Float = isMax ? -.infinity : 0
                        geometry.forEachTap(oy, ox) { _, _, y, xx in
                            let value = input[p * plane + y * geometry.width + xx]
                            accumulator = isMax ? max(accumulator, value) : accumulator + value
                        }
                        if !isMax { accumulator /= Float(divisor(oy, ox)) }
                        output[p * outputPlane + oy * geometry.outputWidth + ox] = accumulator
                    }
                }
            }
            return Tensor(type: outputType, storage: .float32(output))
        }
        guard let input = x.codes else { throw KernelError("pooling needs float32 or integer input") }
        let zero = x.type.quantization?.zeroPoint(at: 0) ?? 0
        let floatPath = isMax ? nil : onnxRuntimeFloatPath(attributes, x.type, outputType)
        var output = [Int32](repeating: 0, count: planes * outputPlane)
        for p in 0..<planes {
            for oy in 0..<geometry.outputHeight {
                for ox in 0..<geometry.outputWidth {
                    var accumulator: Int32 = isMax ? Int32.min : 0
                    var floatSum: Float = 0
                    geometry.forEachTap(oy, ox) { _, _, y, xx in
                        let value = input[p * plane + y * geometry.width + xx]
                        accumulator = isMax ? max(accumulator, value) : accumulator &+ (value &- zero)
                        if let floatPath { floatSum += floatPath.dequantized(value) }
                    }
                    let index = p * outputPlane + oy * geometry.outputWidth + ox
                    if isMax {
                        // A window entirely in the padding sees only padding (the zero point).
                        output[index] = accumulator == Int32.min ? zero : accumulator
                    } else if let floatPath, divisor(oy, ox) > 0 {
                        output[index] = floatPath.code(sum: floatSum, count: divisor(oy, ox))
                    } else {
                        output[index] = try averageCode(accumulator, count: divisor(oy, ox), x.type, outputType)
                    }
                }
            }
        }
        return Tensor(type: outputType, storage: .int32(output))
    }

    static func global(_ operation: Operator, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        let planes = x.shape[0] * x.shape[1]
        let plane = planes == 0 ? 0 : x.count / planes
        let isMax = operation.kind == .globalMaxPool
        if let input = x.floats {
            let output = (0..<planes).map { p -> Float in
                let slice = input[p * plane ..< (p + 1) * plane]
                return isMax ? (slice.max() ?? 0) : slice.reduce(0, +) / Float(plane)
            }
            return Tensor(type: outputType, storage: .float32(output))
        }
        guard let input = x.codes else { throw KernelError("pooling needs float32 or integer input") }
        let zero = x.type.quantization?.zeroPoint(at: 0) ?? 0
        var output = [Int32](repeating: 0, count: planes)
        for p in 0..<planes {
            let slice = input[p * plane ..< (p + 1) * plane]
            if isMax {
                output[p] = slice.max() ?? zero
            } else {
                let sum = slice.reduce(Int32(0)) { $0 &+ ($1 &- zero) }
                output[p] = try averageCode(sum, count: plane, x.type, outputType)
            }
        }
        return Tensor(type: outputType, storage: .int32(output))
    }

    /// ONNX Runtime's float path for a quantized average over a window that is not the whole
    /// image (``KilnNumerics/ONNXRuntimeQLinearAveragePool``), or nil when the integer rule applies.
    static func onnxRuntimeFloatPath(_ attributes: Pooling, _ input: TensorType, _ output: TensorType) -> ONNXRuntimeQLinearAveragePool? {
        guard let inputQuantization = input.quantization, let outputQuantization = output.quantization, input.shape.count == 4,
              ONNXRuntimeQLinearAveragePool.takesFloatPath(kernel: attributes.kernel, spatialShape: Array(input.shape.dropFirst(2)),
                                                           pads: attributes.pads, inputBits: input.elementType.bitWidth,
                                                           outputBits: output.elementType.bitWidth) else { return nil }
        return ONNXRuntimeQLinearAveragePool(inputScale: inputQuantization.scale(at: 0), inputZeroPoint: inputQuantization.zeroPoint(at: 0),
                                             outputScale: outputQuantization.scale(at: 0), outputZeroPoint: outputQuantization.zeroPoint(at: 0),
                                             minimumCode: Int32(output.elementType.minimumCode), maximumCode: Int32(output.elementType.maximumCode))
    }

    /// The output code of a quantized average: `sum · (inputScale / (outputScale · count))`,
    /// rounded half to even, plus the output zero point, saturated (the float-scale rule).
    /// Plain integers: the mean rounded half to even.
    private static func averageCode(_ sum: Int32, count: Int, _ input: TensorType, _ output: TensorType) throws(KernelError) -> Int32 {
        guard count > 0 else { return output.quantization?.zeroPoint(at: 0) ?? 0 }
        guard let inputQuantization = input.quantization, let outputQuantization = output.quantization else {
            return Quantizer(unquantized: output).code(Float(sum) / Float(count))
        }
        let multiplier = inputQuantization.scale(at: 0) / (outputQuantization.scale(at: 0) * Float(count))
        do {
            return try FloatScaleRequantizer(multiplier: multiplier, zeroPoint: outputQuantization.zeroPoint(at: 0),
                                             outputType: output.elementType).apply(sum)
        } catch {
            throw KernelError("cannot requantize the average to \(output): \(error)")
        }
    }
}
