/// An error from a KilnNumerics function that was given parameters it cannot honour.
///
/// Numerics functions never trap on untrusted input: they validate it and throw one of these.
public enum NumericsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A scale is zero, negative, infinite or NaN. `value` is the offending scale.
    case invalidScale(Float)
    /// A zero point lies outside the code range of the element type.
    case zeroPointOutOfRange(zeroPoint: Int64, type: ElementType)
    /// The element type cannot be used here (for example quantizing to `float32`).
    case unsupportedType(ElementType)
    /// Two inputs that must have matching sizes do not (`expected` and `actual` element counts).
    case sizeMismatch(expected: Int, actual: Int)
    /// A shape, axis, bit width, shift or other argument is outside its legal range.
    case invalidArgument(String)

    /// A one-line human-readable description.
    public var description: String {
        switch self {
        case .invalidScale(let scale): "invalid scale \(scale): scales must be positive and finite"
        case .zeroPointOutOfRange(let zeroPoint, let type): "zero point \(zeroPoint) is outside the range of \(type.name)"
        case .unsupportedType(let type): "element type \(type.name) is not supported here"
        case .sizeMismatch(let expected, let actual): "size mismatch: expected \(expected) elements, got \(actual)"
        case .invalidArgument(let message): message
        }
    }
}
