/// The ``RequantizationRule/floatScale`` rule: ONNX Runtime's QLinearConv / QLinearMatMul output stage.
///
/// `out = saturate(roundHalfToEven(Float(acc) · multiplier) + zeroPoint)` where
/// `multiplier = (inputScale · weightScale) / outputScale` is computed with float32 operations
/// and `Float(acc)` rounds to nearest-even for |acc| > 2^24. A float64 or fixed-point version of
/// the same computation differs from ONNX Runtime on some elements.
public struct FloatScaleRequantizer: Sendable, Hashable {
    /// The rule this requantizer implements.
    public static let rule = RequantizationRule.floatScale
    /// The float32 combined multiplier.
    public let multiplier: Float
    /// The output zero point.
    public let zeroPoint: Int32
    /// The smallest output code.
    public let minimumCode: Int32
    /// The largest output code.
    public let maximumCode: Int32

    /// Computes the combined multiplier exactly as ONNX Runtime does: `(inputScale · weightScale) / outputScale` in float32.
    ///
    /// - Parameters:
    ///   - inputScale: the scale of the activation input (`x_scale` / `a_scale`).
    ///   - weightScale: the scale of the weight (`w_scale` / `b_scale`), per tensor or for one channel.
    ///   - outputScale: the output scale (`y_scale`).
    /// - Throws: ``NumericsError/invalidScale(_:)`` if a scale is not positive and finite, or
    ///   the multiplier underflows to 0 or overflows to infinity.
    public static func multiplier(inputScale: Float, weightScale: Float, outputScale: Float) throws -> Float {
        for scale in [inputScale, weightScale, outputScale] where !(scale.isFinite && scale > 0) {
            throw NumericsError.invalidScale(scale)
        }
        let multiplier = (inputScale * weightScale) / outputScale
        guard multiplier.isFinite, multiplier > 0 else { throw NumericsError.invalidScale(multiplier) }
        return multiplier
    }

    /// Creates a requantizer from a float32 multiplier.
    ///
    /// - Parameters:
    ///   - multiplier: positive and finite.
    ///   - zeroPoint: the output zero point, inside `outputType`'s range.
    ///   - outputType: the integer output type (e.g. `.int8`, `.uint8`).
    /// - Throws: ``NumericsError`` for a bad multiplier, zero point or type.
    public init(multiplier: Float, zeroPoint: Int32, outputType: ElementType) throws {
        guard multiplier.isFinite, multiplier > 0 else { throw NumericsError.invalidScale(multiplier) }
        let (minimum, maximum) = try LinearQuantization.outputCodeRange(of: outputType, zeroPoint: zeroPoint)
        self.multiplier = multiplier
        self.zeroPoint = zeroPoint
        self.minimumCode = minimum
        self.maximumCode = maximum
    }

    /// Creates a requantizer from the three ONNX scales (see ``multiplier(inputScale:weightScale:outputScale:)``).
    ///
    /// - Throws: ``NumericsError`` for bad scales, zero point or type.
    public init(inputScale: Float, weightScale: Float, outputScale: Float, zeroPoint: Int32, outputType: ElementType) throws {
        try self.init(multiplier: Self.multiplier(inputScale: inputScale, weightScale: weightScale, outputScale: outputScale),
                      zeroPoint: zeroPoint, outputType: outputType)
    }

    /// Requantizes one int32 accumulator to an output code.
    @inlinable
    public func apply(_ accumulator: Int32) -> Int32 {
        let scaled = (Float(accumulator) * multiplier).rounded(.toNearestOrEven)
        // Clamp before converting: scaled is finite (|acc| < 2^31, multiplier finite) but may be huge.
        let bounded = Swift.min(Swift.max(scaled, -4294967296.0), 4294967296.0)
        let code = Int64(bounded) + Int64(zeroPoint)
        return Int32(truncatingIfNeeded: Swift.min(Swift.max(code, Int64(minimumCode)), Int64(maximumCode)))
    }
}
