/// Saturating fixed-point arithmetic generic over the storage type, shared by ``Q7``, ``Q15``
/// and ``Q31`` and by ``FixedPointKernels``.
///
/// Every operation computes the exact result in `Int64` (or by sign where that cannot hold it)
/// and then saturates, so nothing here can trap.
public enum SaturatingArithmetic {
    /// `SSAT(a + b)`.
    @inlinable
    public static func add<T: FixedWidthInteger & SignedInteger>(_ a: T, _ b: T) -> T {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b < 0 ? T.min : T.max) : sum
    }

    /// `SSAT(a − b)`.
    @inlinable
    public static func subtract<T: FixedWidthInteger & SignedInteger>(_ a: T, _ b: T) -> T {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? (b < 0 ? T.max : T.min) : difference
    }

    /// `SSAT((a · b) >> fractionBits)`; the product is exact, the shift rounds toward −∞.
    ///
    /// - Parameters:
    ///   - a: a fixed-point value (at most 32 bits wide).
    ///   - b: a fixed-point value (at most 32 bits wide).
    ///   - fractionBits: the right shift, `0...63` (clamped).
    @inlinable
    public static func multiply<T: FixedWidthInteger & SignedInteger>(_ a: T, _ b: T, fractionBits: Int) -> T {
        let (product, overflow) = Int64(a).multipliedReportingOverflow(by: Int64(b))
        if overflow { return (a < 0) == (b < 0) ? T.max : T.min }
        return T(clamping: product >> Swift.min(Swift.max(fractionBits, 0), 63))
    }

    /// `SSAT(−x)`: the most negative value negates to the most positive one.
    @inlinable
    public static func negate<T: FixedWidthInteger & SignedInteger>(_ x: T) -> T {
        x == T.min ? T.max : -x
    }

    /// `SSAT(|x|)`: the most negative value gives the most positive one.
    @inlinable
    public static func absolute<T: FixedWidthInteger & SignedInteger>(_ x: T) -> T {
        x == T.min ? T.max : (x < 0 ? -x : x)
    }

    /// Shifts left (saturating) for `bits ≥ 0`, or arithmetically right (toward −∞, no rounding)
    /// for `bits < 0`. Any `bits` is accepted.
    @inlinable
    public static func shift<T: FixedWidthInteger & SignedInteger>(_ x: T, by bits: Int) -> T {
        if bits >= 0 { return T(clamping: shiftLeftSaturating(Int64(x), by: bits)) }
        return x >> Swift.min(-Swift.max(bits, -T.bitWidth), T.bitWidth)  // smart shift: never traps
    }

    /// `min(max(x, low), high)` (if `low > high` the result is `high`, as in CMSIS-DSP).
    @inlinable
    public static func clip<T: FixedWidthInteger & SignedInteger>(_ x: T, low: T, high: T) -> T {
        Swift.min(Swift.max(x, low), high)
    }

    /// Shifts an `Int64` left by any non-negative amount, saturating to `Int64`.
    @inlinable
    public static func shiftLeftSaturating(_ x: Int64, by bits: Int) -> Int64 {
        if x == 0 || bits <= 0 { return bits <= 0 ? x : 0 }
        if bits >= 63 { return x < 0 ? Int64.min : Int64.max }
        let shifted = x << bits
        return (shifted >> bits) == x ? shifted : (x < 0 ? Int64.min : Int64.max)
    }

    /// Shifts an `Int64` right (`bits > 0`, arithmetic, toward −∞) or left (`bits < 0`, saturating).
    @inlinable
    public static func shiftRightOrLeft(_ x: Int64, by bits: Int) -> Int64 {
        bits >= 0 ? x >> Swift.min(bits, 63) : shiftLeftSaturating(x, by: -Swift.max(bits, -64))
    }

    /// Converts a float to a fixed-point code CMSIS-style: `SSAT(trunc(x · 2^fractionBits))`.
    ///
    /// The multiply is done in float32 (`2^fractionBits` is exact) and the cast truncates toward
    /// zero, so there is no rounding: 1.5 LSB → 1, −1.5 LSB → −1. Out-of-range values saturate
    /// (C leaves |x · 2^n| ≥ 2^31 undefined; x86 gives the minimum code). NaN gives 0.
    @inlinable
    public static func fromFloat<T: FixedWidthInteger & SignedInteger>(_ x: Float, fractionBits: Int) -> T {
        let scaled = x * Float(sign: .plus, exponent: fractionBits, significand: 1)
        if scaled.isNaN { return 0 }
        // Clamp to ±2^62 before converting (exactly representable); then saturate to T.
        let limit = Float(sign: .plus, exponent: 62, significand: 1)
        let bounded = Swift.min(Swift.max(scaled, -limit), limit)
        return T(clamping: Int64(bounded.rounded(.towardZero)))
    }

    /// Converts a fixed-point code to float: `Float(x) / 2^fractionBits` (exact for ≤ 24-bit codes;
    /// a 32-bit code is rounded to nearest-even by the `Float` conversion first).
    @inlinable
    public static func toFloat<T: FixedWidthInteger & SignedInteger>(_ x: T, fractionBits: Int) -> Float {
        Float(x) / Float(sign: .plus, exponent: fractionBits, significand: 1)
    }
}
