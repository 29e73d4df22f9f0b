/// Saturating Q7 arithmetic (1 sign bit, 7 fraction bits, stored as `Int8`) with CMSIS-DSP semantics.
///
/// No operation rounds: right shifts truncate toward −∞ before saturating.
public enum Q7 {
    /// The number of fraction bits.
    public static let fractionBits = 7

    /// `SSAT(a + b, 8)` (`arm_add_q7`).
    @inlinable public static func add(_ a: Int8, _ b: Int8) -> Int8 { SaturatingArithmetic.add(a, b) }

    /// `SSAT(a − b, 8)` (`arm_sub_q7`).
    @inlinable public static func subtract(_ a: Int8, _ b: Int8) -> Int8 { SaturatingArithmetic.subtract(a, b) }

    /// `SSAT((a · b) >> 7, 8)` (`arm_mult_q7`); only `−128 · −128` saturates (to 127).
    @inlinable public static func multiply(_ a: Int8, _ b: Int8) -> Int8 {
        SaturatingArithmetic.multiply(a, b, fractionBits: 7)
    }

    /// `SSAT((x · fraction) >> (7 − shift), 8)` (`arm_scale_q7`); `shift > 7` shifts left, saturating.
    ///
    /// - Parameters:
    ///   - x: the value.
    ///   - fraction: the Q7 scale factor.
    ///   - shift: extra left shift of the result (any value).
    @inlinable public static func scale(_ x: Int8, by fraction: Int8, shift: Int) -> Int8 {
        Int8(clamping: SaturatingArithmetic.shiftRightOrLeft(Int64(x) * Int64(fraction), by: 7 - Swift.min(Swift.max(shift, -64), 64)))
    }

    /// Left shift with saturation (`bits ≥ 0`) or arithmetic right shift toward −∞ (`bits < 0`) (`arm_shift_q7`).
    @inlinable public static func shift(_ x: Int8, by bits: Int) -> Int8 { SaturatingArithmetic.shift(x, by: bits) }

    /// `−x`, with −128 → 127 (`arm_negate_q7`).
    @inlinable public static func negate(_ x: Int8) -> Int8 { SaturatingArithmetic.negate(x) }

    /// `|x|`, with −128 → 127 (`arm_abs_q7`).
    @inlinable public static func absolute(_ x: Int8) -> Int8 { SaturatingArithmetic.absolute(x) }

    /// `SSAT(x + offset, 8)` (`arm_offset_q7`).
    @inlinable public static func offset(_ x: Int8, by offset: Int8) -> Int8 { SaturatingArithmetic.add(x, offset) }

    /// `min(max(x, low), high)` (`arm_clip_q7`; `low = 0` is ReLU).
    @inlinable public static func clip(_ x: Int8, low: Int8, high: Int8) -> Int8 {
        SaturatingArithmetic.clip(x, low: low, high: high)
    }

    /// `x << 8`, exact (`arm_q7_to_q15`).
    @inlinable public static func toQ15(_ x: Int8) -> Int16 { Int16(x) << 8 }

    /// `x << 24`, exact (`arm_q7_to_q31`).
    @inlinable public static func toQ31(_ x: Int8) -> Int32 { Int32(x) << 24 }

    /// `Float(x) / 128`, exact (`arm_q7_to_float`).
    @inlinable public static func toFloat(_ x: Int8) -> Float { SaturatingArithmetic.toFloat(x, fractionBits: 7) }

    /// `SSAT(trunc(x · 128), 8)`: float32 multiply, truncation toward zero, saturation
    /// (`arm_float_to_q7`); NaN gives 0.
    @inlinable public static func fromFloat(_ x: Float) -> Int8 { SaturatingArithmetic.fromFloat(x, fractionBits: 7) }
}
