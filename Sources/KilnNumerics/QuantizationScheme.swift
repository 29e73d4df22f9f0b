/// How a calibrated real range becomes quantization parameters: bit width, signedness,
/// symmetric or asymmetric, and narrow range.
public struct QuantizationScheme: Sendable, Hashable {
    /// The code width in bits, `2...16`.
    public let bits: Int
    /// Whether codes are signed.
    public let signed: Bool
    /// Whether the range is symmetric around zero (signed: zero point 0; unsigned: zero point at mid-range).
    public let symmetric: Bool
    /// Whether the lowest code is unused (signed int8 becomes −127…127, uint8 becomes 1…255).
    public let narrowRange: Bool

    /// Creates a scheme.
    ///
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for `bits` outside `2...16`.
    public init(bits: Int, signed: Bool, symmetric: Bool, narrowRange: Bool = false) throws {
        guard (2...16).contains(bits) else { throw NumericsError.invalidArgument("scheme bit width \(bits) is outside 2...16") }
        self.bits = bits
        self.signed = signed
        self.symmetric = symmetric
        self.narrowRange = narrowRange
    }

    /// The element type of the codes.
    public var elementType: ElementType { .integer(bits: bits, signed: signed) }
    /// The smallest code used (one above the type's minimum when ``narrowRange``).
    public var minimumCode: Int64 { elementType.minimumCode + (narrowRange ? 1 : 0) }
    /// The largest code used.
    public var maximumCode: Int64 { elementType.maximumCode }

    /// Parameters covering `minimum...maximum`.
    ///
    /// Asymmetric: the range is widened to include 0, `scale = (max − min) / (qmax − qmin)` and
    /// `zeroPoint = roundHalfToEven(qmin − min / scale)` clamped to the code range. Symmetric:
    /// `scale = max(|min|, |max|) / ((qmax − qmin) / 2)`, zero point 0 (signed) or
    /// `(qmin + qmax + 1) / 2` (unsigned). An all-zero range gives scale 1. Arithmetic is in
    /// Double, the scale is then rounded to Float.
    ///
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for non-finite bounds or `minimum > maximum`.
    public func parameters(minimum: Float, maximum: Float) throws -> QuantizationParameters {
        guard minimum.isFinite, maximum.isFinite, minimum <= maximum else {
            throw NumericsError.invalidArgument("invalid calibration range \(minimum)...\(maximum)")
        }
        let low = Double(minimumCode), high = Double(maximumCode)
        if symmetric {
            let magnitude = Swift.max(abs(Double(minimum)), abs(Double(maximum)))
            let scale = magnitude == 0 ? 1 : Float(magnitude / ((high - low) / 2))
            let zeroPoint = signed ? 0 : Int32((minimumCode + maximumCode + 1) / 2)
            return QuantizationParameters(scale: scale > 0 ? scale : .leastNormalMagnitude, zeroPoint: zeroPoint)
        }
        let lower = Swift.min(Double(minimum), 0), upper = Swift.max(Double(maximum), 0)
        if upper == lower { return QuantizationParameters(scale: 1, zeroPoint: signed ? 0 : Int32(minimumCode)) }
        let scale = (upper - lower) / (high - low)
        let zeroPoint = Swift.min(Swift.max((low - lower / scale).rounded(.toNearestOrEven), low), high)
        let floatScale = Float(scale)
        return QuantizationParameters(scale: floatScale > 0 ? floatScale : .leastNormalMagnitude, zeroPoint: Int32(zeroPoint))
    }
}
