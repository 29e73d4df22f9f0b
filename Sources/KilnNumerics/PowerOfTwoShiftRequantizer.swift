/// The ``RequantizationRule/powerOfTwoShift`` rule of fixed-point processors, and its truncating variant.
///
/// Rounding (``Rounding/halfUp``): `out = saturate(((acc + 2^(s−1)) >> s) + zeroPoint)`, ties
/// toward +∞. Truncating (``Rounding/truncate``): `out = saturate((acc >> s) + zeroPoint)`,
/// toward −∞, as fixed-point signal-processing libraries do. The rounding add is computed without overflow for every
/// `Int64` accumulator (the result equals the exact formula).
public struct PowerOfTwoShiftRequantizer: Sendable, Hashable {
    /// How the shifted-out bits are treated.
    public enum Rounding: String, Sendable, Hashable, CaseIterable, Codable {
        /// Add `2^(s−1)` then shift: round to nearest, ties toward +∞.
        case halfUp
        /// Plain arithmetic shift: round toward −∞ (an arithmetic shift right).
        case truncate
    }

    /// The rule this requantizer implements (both roundings are variants of it).
    public static let rule = RequantizationRule.powerOfTwoShift
    /// The right shift `s`, in `0...63`.
    public let shift: Int
    /// How ties and shifted-out bits are rounded.
    public let rounding: Rounding
    /// The output zero point.
    public let zeroPoint: Int32
    /// The smallest output code.
    public let minimumCode: Int32
    /// The largest output code.
    public let maximumCode: Int32

    /// Creates a requantizer.
    ///
    /// - Parameters:
    ///   - shift: the right shift in bits, `0...63`.
    ///   - rounding: ``Rounding/halfUp`` (default) or ``Rounding/truncate``.
    ///   - zeroPoint: the output zero point, inside `outputType`'s range.
    ///   - outputType: the integer or fixed-point output type.
    /// - Throws: ``NumericsError`` for a bad shift, zero point or type.
    public init(shift: Int, rounding: Rounding = .halfUp, zeroPoint: Int32 = 0, outputType: ElementType) throws {
        guard (0...63).contains(shift) else { throw NumericsError.invalidArgument("shift \(shift) is outside 0...63") }
        let (minimum, maximum) = try LinearQuantization.outputCodeRange(of: outputType, zeroPoint: zeroPoint)
        self.shift = shift
        self.rounding = rounding
        self.zeroPoint = zeroPoint
        self.minimumCode = minimum
        self.maximumCode = maximum
    }

    /// Requantizes one accumulator (of any width up to 64 bits) to an output code.
    @inlinable
    public func apply(_ accumulator: Int64) -> Int32 {
        // (acc + 2^(s-1)) >> s == (acc >> s) + bit (s-1) of acc, with no overflow.
        let roundingBit = (rounding == .halfUp && shift > 0) ? (accumulator >> (shift - 1)) & 1 : 0
        let shifted = (accumulator >> shift) + roundingBit  // ≤ 2^62 + 1 when shift ≥ 1
        let code = shifted.addingReportingOverflow(Int64(zeroPoint))
        let clamped = code.overflow ? (shifted > 0 ? Int64.max : Int64.min) : code.partialValue
        return Int32(truncatingIfNeeded: Swift.min(Swift.max(clamped, Int64(minimumCode)), Int64(maximumCode)))
    }
}
