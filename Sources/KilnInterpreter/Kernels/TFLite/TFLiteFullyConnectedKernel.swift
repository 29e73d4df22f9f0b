import KilnIR
import KilnNumerics

/// TFLite's 8-bit FULLY_CONNECTED as the TFLite interpreter computes it: the int32 accumulator
/// `bias + Σ (x − inputZero)·w` scaled with *single* rounding,
/// `(acc · m + 2^(30 − shift)) >> (31 − shift)` in 64 bits with `(m, shift) =
/// QuantizeMultiplier(double(inputScale) · double(weightScale) / double(outputScale))`, then the
/// output zero point and saturation. (Measured against the interpreter's reference kernels on
/// the MLPerf Tiny autoencoder, whose 1,920 outputs differ in 858 places under double rounding;
/// CONV_2D and DEPTHWISE_CONV_2D use double rounding.)
enum TFLiteFullyConnectedKernel {
    static func execute(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ outputType: TensorType) throws(KernelError) -> Tensor {
        let input = try TFLiteArithmetic.parameters(x.type, "input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        guard let weightQuantization = w.type.quantization, let units = w.shape.last else {
            throw KernelError("TFLite's fully connected needs quantized weights")
        }
        let accumulators = try MatrixKernels.dense(x, w, bias, TensorType(shape: outputType.shape, elementType: .int32),
                                                   rule: .fixedPointMultiplier)
        var multipliers: [FixedPointMultiplier] = []
        for unit in 0..<units {
            let real = Double(input.scale) * Double(weightQuantization.scale(at: unit)) / Double(output.scale)
            multipliers.append(try TFLiteArithmetic.multiplier(real))
        }
        let bounds = TFLiteArithmetic.range(outputType.elementType)
        let codes = accumulators.codes!.enumerated().map { index, accumulator -> Int32 in
            let multiplier = multipliers[index % units]
            let totalShift = Int64(31 - multiplier.shift)
            let scaled = (Int64(accumulator) * Int64(multiplier.quantizedMultiplier) + (Int64(1) << (totalShift - 1))) >> totalShift
            let value = scaled + Int64(output.zeroPoint)
            return Int32(min(max(value, Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
        }
        return Tensor(type: outputType, storage: .int32(codes))
    }
}
