import KilnDiagnostics
import KilnIR
import KilnNumerics

/// The requantization stage on a systolic array's output path: scales each int32 accumulator
/// of output channel `c` by `(inputScale · weightScale[c]) / outputScale` with the node's rule
/// (float32 multiplier for float-scale, TFLite's `QuantizeMultiplier` on the double value for
/// the fixed-point multiplier, a rounding shift for power-of-two multipliers), adds the zero
/// point and saturates. An unquantized i32 output passes the accumulator through.
struct OutputRequantizer: Sendable {
    private enum Stage: Sendable {
        case passThrough
        case floatScale([FloatScaleRequantizer])
        case fixedPoint([FixedPointRequantizer])
        case shift([PowerOfTwoShiftRequantizer])
    }
    private let stage: Stage

    /// - Throws: ``DiagnosticError`` when the scales give no valid requantizer under `rule`.
    init(rule: RequantizationRule, input: TensorType, weight: TensorType, output: TensorType, channels: Int, place: String) throws(DiagnosticError) {
        guard let outputQuantization = output.quantization else { stage = .passThrough; return }
        guard let inputQuantization = input.quantization else {
            throw DiagnosticError(.error("a quantized output needs a quantized input", place: place))
        }
        let inputScale = inputQuantization.scale(at: 0), outputScale = outputQuantization.scale(at: 0)
        let zero = outputQuantization.zeroPoint(at: 0)
        let weightScales = (0..<channels).map { weight.quantization?.scale(at: $0) ?? 1 }
        do {
            switch rule {
            case .floatScale:
                stage = .floatScale(try weightScales.map {
                    try FloatScaleRequantizer(inputScale: inputScale, weightScale: $0, outputScale: outputScale, zeroPoint: zero,
                                              outputType: output.elementType)
                })
            case .fixedPointMultiplier:
                stage = .fixedPoint(try weightScales.map {
                    try FixedPointRequantizer(multiplier: FixedPointMultiplier(real: Double(inputScale) * Double($0) / Double(outputScale)),
                                              zeroPoint: zero, outputType: output.elementType)
                })
            case .powerOfTwoShift:
                stage = .shift(try weightScales.map { scale throws in
                    let multiplier = Double(inputScale) * Double(scale) / Double(outputScale)
                    guard multiplier.significand == 1, multiplier.exponent <= 0 else {
                        throw NumericsError.invalidArgument("requantization multiplier \(multiplier) is not 2^-k (k ≥ 0), as a shift needs")
                    }
                    return try PowerOfTwoShiftRequantizer(shift: Int(-multiplier.exponent), zeroPoint: zero, outputType: output.elementType)
                })
            }
        } catch {
            throw DiagnosticError(.error("cannot requantize to \(output) with \(rule.rawValue): \(error)", place: place))
        }
    }

    /// The output code of accumulator `value` of channel `channel`.
    @inline(__always)
    func apply(_ value: Int32, channel: Int) -> Int32 {
        switch stage {
        case .passThrough: value
        case .floatScale(let all): all[all.count == 1 ? 0 : channel].apply(value)
        case .fixedPoint(let all): all[all.count == 1 ? 0 : channel].apply(value)
        case .shift(let all): all[all.count == 1 ? 0 : channel].apply(Int64(value))
        }
    }

    /// Whether the stage does any arithmetic.
    var requantizes: Bool { if case .passThrough = stage { false } else { true } }
}
