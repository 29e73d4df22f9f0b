/// The integer building blocks of gemmlowp / TFLite / CMSIS-NN style requantization.
///
/// These are Kiln's own implementations of the published semantics; `docs/numerics.md`
/// gives each one's rounding and saturation behaviour.
public enum FixedPointMath {
    /// Saturating rounding doubling high multiply: `round(a · b / 2^31)`, ties toward +∞,
    /// saturated to `Int32`.
    ///
    /// The only input whose result does not fit is `a == b == Int32.min` (the exact result is
    /// 2^31); it saturates to `Int32.max`. Ties round toward +∞ because the C formulation adds
    /// `2^30` to non-negative products and `1 − 2^30` to negative ones, then truncates toward
    /// zero: `0.5 → 1`, `−0.5 → 0`, `−1.5 → −1`.
    ///
    /// - Parameters:
    ///   - a: a Q31 (or any int32) value.
    ///   - b: a Q31 multiplier.
    @inlinable
    public static func saturatingRoundingDoublingHighMultiply(_ a: Int32, _ b: Int32) -> Int32 {
        let product = Int64(a) * Int64(b)  // |product| ≤ 2^62: cannot overflow
        // floor((product + 2^30) / 2^31) is round-half-up of product / 2^31.
        return Int32(clamping: (product + (1 << 30)) >> 31)
    }

    /// Rounding divide by a power of two: `round(x / 2^exponent)`, ties away from zero
    /// (gemmlowp's `RoundingDivideByPOT`). The result always fits.
    ///
    /// - Parameters:
    ///   - x: the dividend.
    ///   - exponent: the power of two, in `0...31` (clamped to that range).
    @inlinable
    public static func roundingDivideByPowerOfTwo(_ x: Int32, exponent: Int) -> Int32 {
        let shift = Swift.min(Swift.max(exponent, 0), 31)
        let mask = Int32(truncatingIfNeeded: (Int64(1) << shift) - 1)
        let remainder = x & mask
        let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
        // (x >> shift) + 1 cannot overflow: when shift == 0 the mask is 0 and nothing is added.
        return (x >> shift) &+ (remainder > threshold ? 1 : 0)
    }

    /// Shifts `x` left by `shift` bits (in `0...31`, clamped), saturating to `Int32`.
    ///
    /// C implementations multiply by `1 << shift` in int32, which is undefined on overflow;
    /// Kiln saturates instead (see `docs/numerics.md`).
    @inlinable
    public static func saturatingShiftLeft(_ x: Int32, by shift: Int) -> Int32 {
        Int32(clamping: Int64(x) << Swift.min(Swift.max(shift, 0), 31))
    }
}
