/// Saturating Q31 arithmetic (1 sign bit, 31 fraction bits, stored as `Int32`) with CMSIS-DSP semantics.
///
/// Checked against the `cmsisdsp` 1.10.3 portable C path. Note that CMSIS-DSP's Q31 multiply
/// and scale drop the lowest result bit (they shift the 64-bit product right by 32, saturate
/// to 31 bits and shift left by one).
public enum Q31 {
    /// The number of fraction bits.
    public static let fractionBits = 31

    /// `SSAT(a + b, 32)` (`arm_add_q31`).
    @inlinable public static func add(_ a: Int32, _ b: Int32) -> Int32 { SaturatingArithmetic.add(a, b) }

    /// `SSAT(a − b, 32)` (`arm_sub_q31`).
    @inlinable public static func subtract(_ a: Int32, _ b: Int32) -> Int32 { SaturatingArithmetic.subtract(a, b) }

    /// `SSAT((a · b) >> 32, 31) << 1` (`arm_mult_q31`): the lowest bit is always 0 and
    /// `Int32.min · Int32.min` gives `0x7FFFFFFE`.
    @inlinable public static func multiply(_ a: Int32, _ b: Int32) -> Int32 {
        let high = (Int64(a) * Int64(b)) >> 32
        return Int32(Swift.min(Swift.max(high, -(1 << 30)), (1 << 30) - 1) << 1)
    }

    /// `SSAT(((x · fraction) >> 32) << (shift + 1))` (`arm_scale_q31`); a negative `shift + 1`
    /// shifts right instead (toward −∞).
    ///
    /// - Parameters:
    ///   - x: the value.
    ///   - fraction: the Q31 scale factor.
    ///   - shift: the extra left shift (any value).
    @inlinable public static func scale(_ x: Int32, by fraction: Int32, shift: Int) -> Int32 {
        let high = (Int64(x) * Int64(fraction)) >> 32
        return Int32(clamping: SaturatingArithmetic.shiftRightOrLeft(high, by: -(Swift.min(Swift.max(shift, -64), 64) + 1)))
    }

    /// Left shift with saturation (`bits ≥ 0`) or arithmetic right shift toward −∞ (`bits < 0`) (`arm_shift_q31`).
    @inlinable public static func shift(_ x: Int32, by bits: Int) -> Int32 { SaturatingArithmetic.shift(x, by: bits) }

    /// `−x`, with `Int32.min` → `Int32.max` (`arm_negate_q31`).
    @inlinable public static func negate(_ x: Int32) -> Int32 { SaturatingArithmetic.negate(x) }

    /// `|x|`, with `Int32.min` → `Int32.max` (`arm_abs_q31`).
    @inlinable public static func absolute(_ x: Int32) -> Int32 { SaturatingArithmetic.absolute(x) }

    /// `x >> 16`, truncating toward −∞ (`arm_q31_to_q15`).
    @inlinable public static func toQ15(_ x: Int32) -> Int16 { Int16(truncatingIfNeeded: x >> 16) }

    /// `x >> 24`, truncating toward −∞ (`arm_q31_to_q7`).
    @inlinable public static func toQ7(_ x: Int32) -> Int8 { Int8(truncatingIfNeeded: x >> 24) }

    /// `Float(x) / 2^31` (`arm_q31_to_float`); `Float(x)` rounds to nearest-even for |x| > 2^24.
    @inlinable public static func toFloat(_ x: Int32) -> Float { SaturatingArithmetic.toFloat(x, fractionBits: 31) }

    /// `SSAT(trunc(x · 2^31), 32)` with a float32 multiply (`arm_float_to_q31`): 1.0 → `Int32.max`; NaN gives 0.
    @inlinable public static func fromFloat(_ x: Float) -> Int32 { SaturatingArithmetic.fromFloat(x, fractionBits: 31) }
}
