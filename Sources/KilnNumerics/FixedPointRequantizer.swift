/// The ``RequantizationRule/fixedPointMultiplier`` rule: gemmlowp / TFLite / CMSIS-NN output stage.
///
/// `out = saturate(multiplier.apply(acc) + zeroPoint)`, where ``FixedPointMultiplier/apply(_:)``
/// is a saturating left shift, a saturating rounding doubling high multiply (ties toward +∞)
/// and a rounding divide by a power of two (ties away from zero). The zero point is added in
/// Int64, so it cannot overflow before saturation.
public struct FixedPointRequantizer: Sendable, Hashable {
    /// The rule this requantizer implements.
    public static let rule = RequantizationRule.fixedPointMultiplier
    /// The Q31 multiplier and shift.
    public let multiplier: FixedPointMultiplier
    /// The output zero point.
    public let zeroPoint: Int32
    /// The smallest output code.
    public let minimumCode: Int32
    /// The largest output code.
    public let maximumCode: Int32

    /// Creates a requantizer.
    ///
    /// - Parameters:
    ///   - multiplier: the fixed-point multiplier (see ``FixedPointMultiplier/init(real:)``).
    ///   - zeroPoint: the output zero point, inside `outputType`'s range.
    ///   - outputType: the integer output type.
    /// - Throws: ``NumericsError`` for a bad zero point or type.
    public init(multiplier: FixedPointMultiplier, zeroPoint: Int32, outputType: ElementType) throws {
        let (minimum, maximum) = try LinearQuantization.outputCodeRange(of: outputType, zeroPoint: zeroPoint)
        self.multiplier = multiplier
        self.zeroPoint = zeroPoint
        self.minimumCode = minimum
        self.maximumCode = maximum
    }

    /// Requantizes one int32 accumulator to an output code.
    @inlinable
    public func apply(_ accumulator: Int32) -> Int32 {
        let code = Int64(multiplier.apply(accumulator)) + Int64(zeroPoint)
        return Int32(truncatingIfNeeded: Swift.min(Swift.max(code, Int64(minimumCode)), Int64(maximumCode)))
    }
}
