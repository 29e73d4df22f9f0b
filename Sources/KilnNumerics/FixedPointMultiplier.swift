/// A real multiplier represented as a Q31 mantissa and a power-of-two exponent, as TFLite's
/// `QuantizeMultiplier` produces: `real ≈ quantizedMultiplier · 2^(shift − 31)`.
///
/// `quantizedMultiplier` is in `[2^30, 2^31 − 1]` (or 0 for a zero multiplier); `shift > 0`
/// is a left shift applied before the high multiply, `shift < 0` a rounding right shift after it.
public struct FixedPointMultiplier: Sendable, Hashable {
    /// The Q31 mantissa, in `[2^30, 2^31 − 1]`, or 0.
    public let quantizedMultiplier: Int32
    /// The power-of-two exponent in `-31...31` (positive: shift left).
    public let shift: Int
    /// `max(shift, 0)`, precomputed for the hot path.
    public let leftShift: Int
    /// `max(−shift, 0)`, precomputed for the hot path.
    public let rightShift: Int

    /// Creates a multiplier from its parts.
    ///
    /// - Parameters:
    ///   - quantizedMultiplier: a non-negative Q31 mantissa.
    ///   - shift: the exponent, in `-31...31`.
    /// - Throws: ``NumericsError/invalidArgument(_:)`` when either is out of range.
    public init(quantizedMultiplier: Int32, shift: Int) throws {
        guard quantizedMultiplier >= 0 else {
            throw NumericsError.invalidArgument("quantized multiplier \(quantizedMultiplier) must be non-negative")
        }
        guard (-31...31).contains(shift) else {
            throw NumericsError.invalidArgument("shift \(shift) is outside -31...31")
        }
        self.quantizedMultiplier = quantizedMultiplier
        self.shift = shift
        self.leftShift = Swift.max(shift, 0)
        self.rightShift = Swift.max(-shift, 0)
    }

    /// Converts a real multiplier the way TFLite's `QuantizeMultiplier` does.
    ///
    /// The real value is split as `m · 2^e` with `m` in `[0.5, 1)`; the mantissa is
    /// `round(m · 2^31)` with ties away from zero; if that rounds up to `2^31` it is halved and
    /// `e` incremented. Multipliers below `2^-32` (exponent < −31) become zero.
    ///
    /// - Parameter real: the multiplier, finite, ≥ 0 and below 2^31.
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for negative, non-finite or too large values.
    public init(real: Double) throws {
        guard real.isFinite, real >= 0 else {
            throw NumericsError.invalidArgument("real multiplier \(real) must be finite and non-negative")
        }
        if real == 0 {
            try self.init(quantizedMultiplier: 0, shift: 0)
            return
        }
        // real = significand · 2^exponent with significand in [1, 2); we want [0.5, 1).
        var exponent = Int(real.exponent) + 1
        let fraction = real.significand / 2
        var mantissa = (fraction * 2147483648.0).rounded(.toNearestOrAwayFromZero)
        if mantissa == 2147483648.0 {
            mantissa /= 2
            exponent += 1
        }
        if exponent < -31 {
            try self.init(quantizedMultiplier: 0, shift: 0)
            return
        }
        guard exponent <= 31 else {
            throw NumericsError.invalidArgument("real multiplier \(real) is too large (at most 2^31)")
        }
        try self.init(quantizedMultiplier: Int32(mantissa), shift: exponent)
    }

    /// The real value represented: `quantizedMultiplier · 2^(shift − 31)` (exact in Double).
    public var realValue: Double {
        Double(quantizedMultiplier) * Double(sign: .plus, exponent: shift - 31, significand: 1)
    }

    /// Multiplies an accumulator by this multiplier (TFLite's `MultiplyByQuantizedMultiplier`).
    ///
    /// `roundingDivideByPowerOfTwo(saturatingRoundingDoublingHighMultiply(x · 2^leftShift,
    /// quantizedMultiplier), rightShift)`, where the left shift saturates to `Int32`.
    ///
    /// - Parameter accumulator: the int32 accumulator.
    /// - Returns: the scaled value (not yet offset by a zero point or narrowed).
    @inlinable
    public func apply(_ accumulator: Int32) -> Int32 {
        let shifted = FixedPointMath.saturatingShiftLeft(accumulator, by: leftShift)
        let high = FixedPointMath.saturatingRoundingDoublingHighMultiply(shifted, quantizedMultiplier)
        return FixedPointMath.roundingDivideByPowerOfTwo(high, exponent: rightShift)
    }

    /// Multiplies an accumulator by this multiplier with *single* rounding: the exact 64-bit
    /// product `x · quantizedMultiplier` divided by `2^(31 − shift)`, rounding half toward +∞
    /// (`(x · m + 2^(30 − shift)) >> (31 − shift)`), saturated to `Int32`.
    ///
    /// This is TFLite's `MultiplyByQuantizedMultiplier` when built with `TFLITE_SINGLE_ROUNDING`
    /// and CMSIS-NN's `arm_nn_requantize` with `CMSIS_NN_USE_SINGLE_ROUNDING` (which computes
    /// `((x · m) >> (30 − shift) + 1) >> 1`, the same value).
    ///
    /// - Parameter accumulator: the int32 accumulator.
    @inlinable
    public func applySingleRounding(_ accumulator: Int32) -> Int32 {
        let totalShift = Int64(31 - shift)  // 0...62
        let product = Int64(accumulator) * Int64(quantizedMultiplier)  // |product| < 2^62
        let rounding: Int64 = totalShift > 0 ? Int64(1) << (totalShift - 1) : 0
        return Int32(clamping: (product + rounding) >> totalShift)
    }
}
