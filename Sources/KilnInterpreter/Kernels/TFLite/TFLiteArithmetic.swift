import Foundation
import KilnIR
import KilnNumerics

/// The arithmetic TensorFlow Lite's quantized kernels share (`quantization_util.cc`,
/// `kernel_util.cc`, `common.h`), so that every TFLite kernel of the reference interpreter
/// prepares its multipliers and activation bounds exactly as TFLite's `Prepare` functions do.
enum TFLiteArithmetic {
    /// `QuantizeMultiplier(real)`: a Q31 mantissa and a shift (``FixedPointMultiplier/init(real:)``).
    static func multiplier(_ real: Double) throws(KernelError) -> FixedPointMultiplier {
        do { return try FixedPointMultiplier(real: real) } catch {
            throw KernelError("cannot represent the multiplier \(real) as a Q31 mantissa and shift: \(error)")
        }
    }

    /// `MultiplyByQuantizedMultiplier(x, m, shift)` for any mantissa in `0...Int32.max` and
    /// shift in `-31...31` (double rounding: a saturating rounding doubling high multiply, then
    /// a rounding divide by a power of two).
    static func multiply(_ x: Int32, _ multiplier: FixedPointMultiplier) -> Int32 { multiplier.apply(x) }

    /// `TfLiteRound` on a float (`std::round`): half away from zero, clamped into `Int32` first.
    static func round(_ value: Float) -> Int32 {
        let rounded = value.rounded(.toNearestOrAwayFromZero)
        guard rounded.isFinite else { return rounded.isNaN ? 0 : (rounded > 0 ? Int32.max : Int32.min) }
        return Int32(max(min(rounded, 2_147_483_520), -2_147_483_648))
    }

    /// The smallest and largest code of an integer type, as Int32.
    static func range(_ type: ElementType) -> ClosedRange<Int32> {
        Int32(clamping: type.minimumCode)...Int32(clamping: type.maximumCode)
    }

    /// `CalculateActivationRangeQuantized`: the real bounds `minimum` / `maximum` (nil for
    /// none) quantized as `zeroPoint + round(bound / scale)` in float, inside the type's range.
    static func activationRange(minimum: Float?, maximum: Float?, _ type: TensorType) -> ClosedRange<Int32> {
        let full = range(type.elementType)
        let scale = type.quantization?.scale(at: 0) ?? 1, zeroPoint = type.quantization?.zeroPoint(at: 0) ?? 0
        func quantize(_ value: Float) -> Int32 { zeroPoint &+ round(value / scale) }
        let low = minimum.map { max(full.lowerBound, quantize($0)) } ?? full.lowerBound
        let high = maximum.map { min(full.upperBound, quantize($0)) } ?? full.upperBound
        return low...max(low, high)
    }

    /// The scale and zero point of a per-tensor quantized type.
    static func parameters(_ type: TensorType, _ role: String) throws(KernelError) -> (scale: Float, zeroPoint: Int32) {
        guard let quantization = type.quantization, quantization.isPerTensor else {
            throw KernelError("TFLite's kernel needs a per-tensor quantized \(role), got \(type)")
        }
        return (quantization.scales[0], quantization.zeroPoints[0])
    }
}
