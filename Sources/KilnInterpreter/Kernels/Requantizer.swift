import KilnIR
import KilnNumerics

/// Scales an int32 accumulator to the output code of a conv2d / dense / matmul / requantize
/// node, per output channel, with the node's requantization rule.
///
/// With an unquantized int32 output the accumulator is returned unchanged (ConvInteger /
/// MatMulInteger semantics).
struct Requantizer {
    private let rule: RequantizationRule
    private let passThrough: Bool
    /// float32 multipliers `(inputScale · weightScale[c]) / outputScale`, computed in float32.
    private let multipliers: [Float]
    private let outputZero: Int32
    private let minimum: Int64
    private let maximum: Int64

    /// - Parameters:
    ///   - weight: the weight operand's type, or nil when the accumulator has only the input's scale.
    ///   - channels: the number of output channels (per-axis weight scales are indexed by channel).
    init(rule: RequantizationRule, input: TensorType, weight: TensorType?, output: TensorType, channels: Int) throws(KernelError) {
        self.rule = rule
        minimum = output.elementType.minimumCode
        maximum = output.elementType.maximumCode
        guard let outputQuantization = output.quantization else {
            passThrough = true
            multipliers = []
            outputZero = 0
            return
        }
        passThrough = false
        guard let inputQuantization = input.quantization else {
            throw KernelError("a quantized output needs a quantized input")
        }
        let inputScale = inputQuantization.scale(at: 0)
        let outputScale = outputQuantization.scale(at: 0)
        outputZero = outputQuantization.zeroPoint(at: 0)
        multipliers = (0..<channels).map { channel in
            let weightScale = weight?.quantization?.scale(at: channel) ?? 1
            return (inputScale * weightScale) / outputScale
        }
        guard rule == .floatScale else {
            throw KernelError("requantization rule \(rule.rawValue) is not available in the reference interpreter yet")
        }
    }

    /// The output code for accumulator `value` of output channel `channel`.
    @inline(__always)
    func apply(_ value: Int32, channel: Int) -> Int32 {
        if passThrough { return value }
        let multiplier = multipliers.count == 1 ? multipliers[0] : multipliers[channel]
        return FloatScaleRounding.code(Float(value) * multiplier, zeroPoint: outputZero, minimum: minimum, maximum: maximum)
    }
}

/// The float → code step shared by quantize and the float-scale rule: round half to even,
/// add the zero point, saturate. NaN maps to the zero point.
enum FloatScaleRounding {
    @inline(__always)
    static func code(_ scaled: Float, zeroPoint: Int32, minimum: Int64, maximum: Int64) -> Int32 {
        guard !scaled.isNaN else { return zeroPoint }
        let rounded = scaled.rounded(.toNearestOrEven)
        let lower = Float(minimum - Int64(zeroPoint)), upper = Float(maximum - Int64(zeroPoint))
        if rounded <= lower { return Int32(minimum) }
        if rounded >= upper { return Int32(maximum) }
        return Int32(rounded) + zeroPoint
    }
}
