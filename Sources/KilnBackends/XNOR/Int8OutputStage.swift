import KilnIR
import KilnInterpreter
import KilnNumerics

/// The int8 unit's output stage: scale each int32 accumulator to the output code with the
/// node's requantization rule (per output channel), then optionally clamp the code (a fused
/// `relu` / `clip`) and optionally compare it with the zero point (a fused `sign` → ±1).
///
/// The multipliers are built exactly as the reference interpreter builds them: float32
/// `(sx·sw[c])/sy` for the float-scale rule, TFLite's `QuantizeMultiplier` of the double
/// product for the fixed-point rule, and an exact `2^−k` for the shift rule.
struct Int8OutputStage: Sendable {
    /// The reference interpreter's requantizer: the int8 unit scales exactly as the definition does.
    private let scaling: Requantizer
    let lower: Int32, upper: Int32
    let signZeroPoint: Int32?
    let ruleName: String

    init(rule: RequantizationRule, input: TensorType, weight: TensorType, output: TensorType, channels: Int,
         clamp: (lower: Int32, upper: Int32)?, signZeroPoint: Int32?) throws(StageError) {
        lower = clamp?.lower ?? Int32.min
        upper = clamp?.upper ?? Int32.max
        self.signZeroPoint = signZeroPoint
        ruleName = output.quantization == nil ? "none (int32 result)" : rule.rawValue
        do {
            scaling = try Requantizer(rule: rule, input: input, weight: weight, output: output, channels: channels)
        } catch {
            throw StageError(error.message)
        }
    }

    @inline(__always)
    func apply(_ value: Int32, channel: Int) -> Int32 {
        let code = min(max(scaling.apply(value, channel: channel), lower), upper)
        if let signZeroPoint { return code >= signZeroPoint ? 1 : -1 }
        return code
    }

    /// ALU operations per output element: the requantization, a clamp, a comparison.
    var operationsPerOutput: Int {
        var count = 0
        if scaling.requantizes { count += 1 }
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
