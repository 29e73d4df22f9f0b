import KilnIR
import KilnNumerics

/// The output stage of TFLite's 8-bit FULLY_CONNECTED as the TFLite interpreter computes it,
/// per output unit: the int32 accumulator `bias + Σ (x − inputZero)·w` scaled with *single*
/// rounding, `(acc · m + 2^(30 − shift)) >> (31 − shift)` in 64 bits with `(m, shift) =
/// QuantizeMultiplier(double(inputScale) · double(weightScale) / double(outputScale))`, then the
/// output zero point and saturation. (Measured against the interpreter's reference kernels on
/// the MLPerf Tiny autoencoder, whose 1,920 outputs differ in 858 places under double rounding;
/// CONV_2D and DEPTHWISE_CONV_2D use double rounding.) Public so that a backend's kernels
/// compute exactly these codes.
public struct TFLiteFullyConnectedOutputStage: Sendable, Hashable {
    /// One multiplier per output unit (one for per-tensor weights).
    public let multipliers: [FixedPointMultiplier]
    /// The output zero point.
    public let zeroPoint: Int32
    /// The output type's code range.
    public let bounds: ClosedRange<Int32>

    /// Prepares the multipliers.
    /// - Parameters:
    ///   - input: the activation input's type; `weight`: the weight type (per-tensor or per unit);
    ///   - output: the output type; `units`: the output units.
    /// - Throws: ``KernelError`` when a type is not quantized or a multiplier cannot be represented.
    public init(input: TensorType, weight: TensorType, output: TensorType, units: Int) throws(KernelError) {
        let x = try TFLiteArithmetic.parameters(input, "input")
        let y = try TFLiteArithmetic.parameters(output, "output")
        guard let weightQuantization = weight.quantization else { throw KernelError("TFLite's fully connected needs quantized weights") }
        var multipliers: [FixedPointMultiplier] = []
        for unit in 0..<(weightQuantization.isPerTensor ? 1 : units) {
            let real = Double(x.scale) * Double(weightQuantization.scale(at: unit)) / Double(y.scale)
            multipliers.append(try TFLiteArithmetic.multiplier(real))
        }
        self.multipliers = multipliers
        zeroPoint = y.zeroPoint
        bounds = TFLiteArithmetic.range(output.elementType)
    }

    /// The output code of accumulator `accumulator` of unit `unit`.
    @inline(__always)
    public func apply(_ accumulator: Int32, unit: Int) -> Int32 {
        let multiplier = multipliers[multipliers.count == 1 ? 0 : unit]
        let value = Int64(multiplier.applySingleRounding(accumulator)) + Int64(zeroPoint)
        return Int32(min(max(value, Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
    }
}

/// TFLite's 8-bit FULLY_CONNECTED: the shared int32 accumulation, then
/// ``TFLiteFullyConnectedOutputStage``.
enum TFLiteFullyConnectedKernel {
    static func execute(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let units = w.shape.last else { throw KernelError("TFLite's fully connected needs quantized weights") }
        let stage = try TFLiteFullyConnectedOutputStage(input: x.type, weight: w.type, output: outputType, units: units)
        let accumulators = try MatrixKernels.dense(x, w, bias, TensorType(shape: outputType.shape, elementType: .int32),
                                                   rule: .fixedPointMultiplier)
        let codes = accumulators.codes!.enumerated().map { index, accumulator in stage.apply(accumulator, unit: index % units) }
        return Tensor(type: outputType, storage: .int32(codes))
    }
}
