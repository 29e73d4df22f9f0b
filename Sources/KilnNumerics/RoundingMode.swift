/// A named rule for rounding a real value, or an integer divided by a power of two, to an integer.
///
/// Every requantization rule in Kiln is built from one of these; `docs/numerics.md` lists which.
public enum RoundingMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// Round to nearest, ties to the even neighbour (IEEE-754 default, ONNX QuantizeLinear):
    /// 2.5 → 2, 3.5 → 4, −2.5 → −2.
    case halfToEven
    /// Round to nearest, ties away from zero (C `round`, gemmlowp `RoundingDivideByPOT`):
    /// 2.5 → 3, −2.5 → −3.
    case halfAwayFromZero
    /// Round to nearest, ties toward +∞ (`(x + 2^(s−1)) >> s` on fixed-point processors, gemmlowp's
    /// saturating rounding doubling high multiply): 2.5 → 3, −2.5 → −2.
    case halfUp
    /// Round toward −∞ (an arithmetic shift right, as fixed-point signal-processing libraries do): 2.5 → 2, −2.5 → −3.
    case towardNegativeInfinity
    /// Round toward zero (a C cast from float to int): 2.5 → 2, −2.5 → −2.
    case towardZero

    /// Divides `value` by `2^exponent` and rounds the exact quotient with this mode.
    ///
    /// - Parameters:
    ///   - value: the dividend.
    ///   - exponent: the power of two, in `0...63`; values outside are clamped to that range.
    /// - Returns: the rounded quotient. It cannot overflow.
    @inlinable
    public func divide(_ value: Int64, byPowerOfTwo exponent: Int) -> Int64 {
        let shift = Swift.min(Swift.max(exponent, 0), 63)
        if shift == 0 { return value }
        let floor = value >> shift
        // remainder = value - floor * 2^shift, in [0, 2^shift); computed without overflow.
        let remainder = UInt64(bitPattern: value) & ((UInt64(1) << shift) &- 1)
        let half = UInt64(1) << (shift - 1)
        let roundUp: Bool
        switch self {
        case .towardNegativeInfinity: roundUp = false
        case .towardZero: roundUp = value < 0 && remainder != 0
        case .halfUp: roundUp = remainder >= half
        case .halfAwayFromZero: roundUp = remainder > half || (remainder == half && value >= 0)
        case .halfToEven: roundUp = remainder > half || (remainder == half && (floor & 1) == 1)
        }
        return roundUp ? floor + 1 : floor
    }

    /// Rounds `value` to an integral value with this mode (the result is still a `Double`).
    ///
    /// - Parameter value: any value; NaN and infinities are returned unchanged.
    @inlinable
    public func round(_ value: Double) -> Double {
        switch self {
        case .halfToEven: return value.rounded(.toNearestOrEven)
        case .halfAwayFromZero: return value.rounded(.toNearestOrAwayFromZero)
        case .halfUp:
            let floor = value.rounded(.down)
            return value - floor >= 0.5 ? floor + 1 : floor
        case .towardNegativeInfinity: return value.rounded(.down)
        case .towardZero: return value.rounded(.towardZero)
        }
    }
}
