import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics

/// The requantization stage on a systolic array's output path: scales each int32 accumulator
/// of output channel `c` by `(inputScale · weightScale[c]) / outputScale` with the node's rule
/// (float32 multiplier for float-scale, TFLite's `QuantizeMultiplier` on the double value for
/// the fixed-point multiplier, a rounding shift for power-of-two multipliers), adds the zero
/// point and saturates. An unquantized i32 output passes the accumulator through.
struct OutputRequantizer: Sendable {
    /// The reference interpreter's requantizer: the kernels scale exactly as the definition does.
    private let base: Requantizer

    init(rule: RequantizationRule, input: TensorType, weight: TensorType, output: TensorType, channels: Int, place: String) throws(DiagnosticError) {
        do {
            base = try Requantizer(rule: rule, input: input, weight: weight, output: output, channels: channels)
        } catch {
            throw DiagnosticError(.error("cannot requantize to \(output) with \(rule.rawValue): \(error.message)", place: place))
        }
    }

    /// The output code of accumulator `value` in channel `channel`.
    @inline(__always)
    func apply(_ value: Int32, channel: Int) -> Int32 { base.apply(value, channel: channel) }

    /// Whether the output is requantized at all.
    var requantizes: Bool { base.requantizes }
}
