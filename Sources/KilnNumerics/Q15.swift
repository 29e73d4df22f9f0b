/// Saturating Q15 arithmetic (1 sign bit, 15 fraction bits, stored as `Int16`) with CMSIS-DSP semantics.
///
/// No operation rounds: right shifts truncate toward −∞ before saturating
/// (`SSAT((a · b) >> 15)`), exactly as the portable CMSIS-DSP kernels do.
public enum Q15 {
    /// The number of fraction bits.
    public static let fractionBits = 15

    /// `SSAT(a + b, 16)` (`arm_add_q15`).
    @inlinable public static func add(_ a: Int16, _ b: Int16) -> Int16 { SaturatingArithmetic.add(a, b) }

    /// `SSAT(a − b, 16)` (`arm_sub_q15`).
    @inlinable public static func subtract(_ a: Int16, _ b: Int16) -> Int16 { SaturatingArithmetic.subtract(a, b) }

    /// `SSAT((a · b) >> 15, 16)` (`arm_mult_q15`); only `−32768 · −32768` saturates (to 32767).
    @inlinable public static func multiply(_ a: Int16, _ b: Int16) -> Int16 {
        SaturatingArithmetic.multiply(a, b, fractionBits: 15)
    }

    /// `SSAT((x · fraction) >> (15 − shift), 16)` (`arm_scale_q15`); `shift > 15` shifts left, saturating.
    ///
    /// - Parameters:
    ///   - x: the value.
    ///   - fraction: the Q15 scale factor.
    ///   - shift: extra left shift of the result (any value; CMSIS-DSP defines it for ≤ 15).
    @inlinable public static func scale(_ x: Int16, by fraction: Int16, shift: Int) -> Int16 {
        Int16(clamping: SaturatingArithmetic.shiftRightOrLeft(Int64(x) * Int64(fraction), by: 15 - Swift.min(Swift.max(shift, -64), 64)))
    }

    /// Left shift with saturation (`bits ≥ 0`) or arithmetic right shift toward −∞ (`bits < 0`) (`arm_shift_q15`).
    @inlinable public static func shift(_ x: Int16, by bits: Int) -> Int16 { SaturatingArithmetic.shift(x, by: bits) }

    /// `−x`, with −32768 → 32767 (`arm_negate_q15`).
    @inlinable public static func negate(_ x: Int16) -> Int16 { SaturatingArithmetic.negate(x) }

    /// `|x|`, with −32768 → 32767 (`arm_abs_q15`).
    @inlinable public static func absolute(_ x: Int16) -> Int16 { SaturatingArithmetic.absolute(x) }

    /// `SSAT(x + offset, 16)` (`arm_offset_q15`).
    @inlinable public static func offset(_ x: Int16, by offset: Int16) -> Int16 { SaturatingArithmetic.add(x, offset) }

    /// `min(max(x, low), high)` (`arm_clip_q15`; `low = 0` is ReLU).
    @inlinable public static func clip(_ x: Int16, low: Int16, high: Int16) -> Int16 {
        SaturatingArithmetic.clip(x, low: low, high: high)
    }

    /// `x >> 8`, truncating toward −∞ (`arm_q15_to_q7`).
    @inlinable public static func toQ7(_ x: Int16) -> Int8 { Int8(truncatingIfNeeded: x >> 8) }

    /// `x << 16` (`arm_q15_to_q31`), exact.
    @inlinable public static func toQ31(_ x: Int16) -> Int32 { Int32(x) << 16 }

    /// `Float(x) / 32768`, exact (`arm_q15_to_float`).
    @inlinable public static func toFloat(_ x: Int16) -> Float { SaturatingArithmetic.toFloat(x, fractionBits: 15) }

    /// `SSAT(trunc(x · 32768), 16)`: float32 multiply, truncation toward zero, then saturation
    /// (`arm_float_to_q15`); NaN gives 0.
    @inlinable public static func fromFloat(_ x: Float) -> Int16 { SaturatingArithmetic.fromFloat(x, fractionBits: 15) }
}
