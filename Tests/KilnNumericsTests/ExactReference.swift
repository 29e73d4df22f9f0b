import KilnNumerics

/// Test-only exact references, written independently of the implementation: every rounding
/// here is a floor division with an explicit comparison of the remainder against half the divisor.
enum Exact {
    enum Tie { case even, awayFromZero, up }

    /// round(numerator / 2^exponent) with the given tie rule, by floor division and remainder comparison.
    static func round(_ numerator: Int64, dividedByPowerOfTwo exponent: Int, tie: Tie) -> Int64 {
        if exponent == 0 { return numerator }
        if exponent >= 63 { // |numerator / 2^63| ≤ 1: result is 0 or ±1 only for extreme values; not used by tests.
            precondition(abs(numerator) < (1 << 61)); return 0
        }
        let divisor = Int64(1) << exponent
        var quotient = numerator / divisor
        var remainder = numerator % divisor
        if remainder < 0 { quotient -= 1; remainder += divisor }  // now floor and 0 ≤ r < d
        let twice = 2 * remainder  // < 2^63 since d ≤ 2^62
        if twice > divisor { return quotient + 1 }
        if twice < divisor { return quotient }
        switch tie {
        case .even: return quotient % 2 == 0 ? quotient : quotient + 1
        case .up: return quotient + 1
        case .awayFromZero: return quotient >= 0 ? quotient + 1 : quotient  // tie: true value is quotient + 0.5
        }
    }

    static func clamp(_ value: Int64, _ low: Int64, _ high: Int64) -> Int64 { min(max(value, low), high) }

    /// A finite float as (integer significand, exponent): value = significand · 2^exponent.
    static func decompose(_ value: Float) -> (Int64, Int) {
        if value == 0 { return (0, 0) }
        let magnitude = Int64(value.significandBitPattern) | (value.isNormal ? (1 << 23) : 0)
        let exponent = (value.isNormal ? Int(value.exponent) : -126) - 23
        return (value < 0 ? -magnitude : magnitude, exponent)
    }

    /// Rounds significand · 2^exponent to 24 significant bits, ties to even (a float32 rounding).
    static func toFloat32(_ significand: Int64, _ exponent: Int) -> (Int64, Int) {
        let bits = 64 - significand.magnitude.leadingZeroBitCount
        guard bits > 24 else { return (significand, exponent) }
        return (round(significand, dividedByPowerOfTwo: bits - 24, tie: .even), exponent + bits - 24)
    }

    /// ONNX Runtime's float-scale requantization, computed with integers only.
    static func floatScale(_ accumulator: Int32, multiplier: Float, zeroPoint: Int32, low: Int64, high: Int64) -> Int64 {
        let (accumulatorSignificand, accumulatorExponent) = toFloat32(Int64(accumulator), 0)  // Float(acc)
        let (multiplierSignificand, multiplierExponent) = decompose(multiplier)
        let (productSignificand, productExponent) = toFloat32(accumulatorSignificand * multiplierSignificand,
                                                              accumulatorExponent + multiplierExponent)
        let rounded: Int64
        if productExponent >= 0 {
            rounded = productExponent > 20 ? (productSignificand > 0 ? Int64(1) << 40 : (productSignificand < 0 ? -(Int64(1) << 40) : 0))
                                           : productSignificand << productExponent
        } else {
            rounded = -productExponent > 40 ? 0 : round(productSignificand, dividedByPowerOfTwo: -productExponent, tie: .even)
        }
        return clamp(rounded + Int64(zeroPoint), low, high)
    }

    /// TFLite's MultiplyByQuantizedMultiplier plus zero point and saturation, from exact roundings.
    static func fixedPoint(_ accumulator: Int32, multiplier: FixedPointMultiplier, zeroPoint: Int32, low: Int64, high: Int64) -> Int64 {
        let shifted = clamp(Int64(accumulator) * (Int64(1) << max(multiplier.shift, 0)), Int64(Int32.min), Int64(Int32.max))
        let highProduct = clamp(round(shifted * Int64(multiplier.quantizedMultiplier), dividedByPowerOfTwo: 31, tie: .up),
                                Int64(Int32.min), Int64(Int32.max))
        let divided = round(highProduct, dividedByPowerOfTwo: max(-multiplier.shift, 0), tie: .awayFromZero)
        return clamp(divided + Int64(zeroPoint), low, high)
    }

    /// A literal transliteration of gemmlowp's C formulation of SRDHM (nudge, then truncating division).
    static func doublingHighMultiplyAsInC(_ a: Int32, _ b: Int32) -> Int32 {
        if a == Int32.min && b == Int32.min { return Int32.max }
        let product = Int64(a) * Int64(b)
        let nudge: Int64 = product >= 0 ? (1 << 30) : (1 - (1 << 30))
        return Int32((product + nudge) / (Int64(1) << 31))
    }
}

/// A small deterministic generator (SplitMix64) so sampled tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
