import KilnIR
import KilnNumerics

/// The int8 unit's output stage: scale each int32 accumulator to the output code with the
/// node's requantization rule (per output channel), then optionally clamp the code (a fused
/// `relu` / `clip`) and optionally compare it with the zero point (a fused `sign` → ±1).
///
/// The multipliers are built exactly as the reference interpreter builds them: float32
/// `(sx·sw[c])/sy` for the float-scale rule, TFLite's `QuantizeMultiplier` of the double
/// product for the fixed-point rule, and an exact `2^−k` for the shift rule.
struct Int8OutputStage: Sendable {
    private enum Scaling: Sendable {
        case passThrough
        case floatScale([FloatScaleRequantizer])
        case fixedPoint([FixedPointRequantizer])
        case shift([PowerOfTwoShiftRequantizer])
    }
    private let scaling: Scaling
    /// Code bounds of a fused clamp (the type's range when none).
    let lower: Int32, upper: Int32
    /// The zero point a fused `sign` compares with, if a sign is fused.
    let signZeroPoint: Int32?
    /// The rule's name, for the listing.
    let ruleName: String

    /// - Throws: a message when the parameters cannot be requantized (no scale, bad multiplier).
    init(rule: RequantizationRule, input: TensorType, weight: TensorType, output: TensorType, channels: Int,
         clamp: (lower: Int32, upper: Int32)?, signZeroPoint: Int32?) throws(StageError) {
        lower = clamp?.lower ?? Int32.min
        upper = clamp?.upper ?? Int32.max
        self.signZeroPoint = signZeroPoint
        guard let outputQuantization = output.quantization else {
            scaling = .passThrough
            ruleName = "none (int32 result)"
            return
        }
        guard let inputQuantization = input.quantization else { throw StageError("a quantized output needs a quantized input") }
        ruleName = rule.rawValue
        let inputScale = inputQuantization.scale(at: 0)
        let outputScale = outputQuantization.scale(at: 0)
        let zeroPoint = outputQuantization.zeroPoint(at: 0)
        let weightScales = (0..<channels).map { weight.quantization?.scale(at: $0) ?? 1 }
        do {
            switch rule {
            case .floatScale:
                scaling = .floatScale(try weightScales.map {
                    try FloatScaleRequantizer(inputScale: inputScale, weightScale: $0, outputScale: outputScale,
                                              zeroPoint: zeroPoint, outputType: output.elementType)
                })
            case .fixedPointMultiplier:
                scaling = .fixedPoint(try weightScales.map {
                    let real = Double(inputScale) * Double($0) / Double(outputScale)
                    return try FixedPointRequantizer(multiplier: FixedPointMultiplier(real: real), zeroPoint: zeroPoint,
                                                     outputType: output.elementType)
                })
            case .powerOfTwoShift:
                scaling = .shift(try weightScales.map { weightScale in
                    let multiplier = Double(inputScale) * Double(weightScale) / Double(outputScale)
                    guard multiplier.significand == 1, multiplier.exponent <= 0 else {
                        throw StageError("requantization multiplier \(multiplier) is not 2^-k (k ≥ 0), as a shift needs")
                    }
                    return try PowerOfTwoShiftRequantizer(shift: Int(-multiplier.exponent), zeroPoint: zeroPoint,
                                                          outputType: output.elementType)
                })
            }
        } catch let error as StageError {
            throw error
        } catch {
            throw StageError("cannot requantize to \(output): \(error)")
        }
    }

    /// The output code of accumulator `value` of channel `channel`.
    @inline(__always)
    func apply(_ value: Int32, channel: Int) -> Int32 {
        var code: Int32
        switch scaling {
        case .passThrough: code = value
        case .floatScale(let all): code = all[all.count == 1 ? 0 : channel].apply(value)
        case .fixedPoint(let all): code = all[all.count == 1 ? 0 : channel].apply(value)
        case .shift(let all): code = all[all.count == 1 ? 0 : channel].apply(Int64(value))
        }
        code = min(max(code, lower), upper)
        if let signZeroPoint { return code >= signZeroPoint ? 1 : -1 }
        return code
    }

    /// ALU operations per output element: the requantization, a clamp, a comparison.
    var operationsPerOutput: Int {
        var count = 0
        if case .passThrough = scaling {} else { count += 1 }
        if lower != Int32.min || upper != Int32.max { count += 1 }
        if signZeroPoint != nil { count += 1 }
        return count
    }

    /// How the listing describes the stage.
    var summary: String {
        var parts = ["requantize (\(ruleName))"]
        if lower != Int32.min || upper != Int32.max { parts.append("clamp codes to [\(lower), \(upper)]") }
        if let signZeroPoint { parts.append("sign: code ≥ \(signZeroPoint) → +1 else −1 (bit-packed output)") }
        return parts.joined(separator: ", ")
    }
}

/// Why an output stage or a pattern cannot be built.
struct StageError: Error, Sendable {
    /// The reason.
    var message: String
    init(_ message: String) { self.message = message }
}
