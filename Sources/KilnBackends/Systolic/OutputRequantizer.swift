import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics

/// The requantization stage on a systolic array's output path: scales each int32 accumulator
/// of output channel `c` by `(inputScale · weightScale[c]) / outputScale` with the node's rule
/// (float32 multiplier for float-scale, TFLite's `QuantizeMultiplier` on the double value for
/// the fixed-point multiplier, a rounding shift for power-of-two multipliers), adds the zero
/// point and saturates. An unquantized i32 output passes the accumulator through.
///
/// A binarized layer's sign (``sign()``) is the same stage with a multiplier of 2, an output
/// offset of +1 and saturation to −1…1: `clamp(2·acc + 1, −1, 1)` is `acc ≥ 0 ? +1 : −1` (the
/// odd value is never 0), Kiln's `sign`, the threshold already in the accumulator as its bias.
struct OutputRequantizer: Sendable {
    /// The reference interpreter's requantizer: the kernels scale exactly as the definition does.
    private let base: Requantizer
    /// Whether the stage writes the sign of the accumulator (±1 codes) instead.
    let writesSign: Bool

    init(rule: RequantizationRule, input: TensorType, weight: TensorType, output: TensorType, channels: Int, place: String) throws(DiagnosticError) {
        do {
            base = try Requantizer(rule: rule, input: input, weight: weight, output: output, channels: channels)
        } catch {
            throw DiagnosticError(.error("cannot requantize to \(output) with \(rule.rawValue): \(error.message)", place: place))
        }
        writesSign = false
    }

    private init(signOf base: Requantizer) {
        self.base = base
        writesSign = true
    }

    /// The stage that writes `acc ≥ 0 ? +1 : −1` (2·acc + 1 saturated to −1…1) as ±1 codes.
    func sign() -> OutputRequantizer { OutputRequantizer(signOf: base) }

    /// The output code of accumulator `value` in channel `channel`.
    @inline(__always)
    func apply(_ value: Int32, channel: Int) -> Int32 {
        writesSign ? Int32(min(max(2 * Int64(value) + 1, -1), 1)) : base.apply(value, channel: channel)
    }

    /// Whether the output is requantized (or its sign written) at all.
    var requantizes: Bool { writesSign || base.requantizes }
}
