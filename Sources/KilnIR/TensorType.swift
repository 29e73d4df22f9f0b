import KilnNumerics

/// The static type of a value in a graph: its shape, element type and, for quantized values,
/// the affine quantization parameters that give its codes a real meaning.
public struct TensorType: Sendable, Hashable, CustomStringConvertible {
    /// The dimensions, outermost first. An empty shape is a scalar.
    public var shape: [Int]
    /// What the elements are.
    public var elementType: ElementType
    /// How integer codes map to real numbers, or nil for plain (unquantized) values.
    public var quantization: QuantizationParameters?

    /// Creates a tensor type.
    public init(shape: [Int], elementType: ElementType, quantization: QuantizationParameters? = nil) {
        self.shape = shape
        self.elementType = elementType
        self.quantization = quantization
    }

    /// A float32 tensor type of the given shape.
    public static func float32(_ shape: [Int]) -> TensorType {
        TensorType(shape: shape, elementType: .float32)
    }

    /// A quantized tensor type with per-tensor parameters.
    public static func quantized(_ shape: [Int], _ elementType: ElementType, scale: Float, zeroPoint: Int32 = 0) -> TensorType {
        TensorType(shape: shape, elementType: elementType,
                   quantization: QuantizationParameters(scale: scale, zeroPoint: zeroPoint))
    }

    /// The number of elements, or nil if the product of the dimensions overflows `Int`.
    public var elementCount: Int? { Shape.elementCount(shape) }

    /// Whether the value holds integer codes with quantization parameters.
    public var isQuantized: Bool { quantization != nil }

    /// The type with a different shape and the same element type and quantization.
    public func withShape(_ newShape: [Int]) -> TensorType {
        TensorType(shape: newShape, elementType: elementType, quantization: quantization)
    }

    /// `i8[1,3,8,8] (s=0.0039, zp=0)`-style text used in listings and errors.
    public var description: String {
        var text = "\(elementType.name)[\(shape.map(String.init).joined(separator: ","))]"
        if let quantization {
            if quantization.isPerTensor {
                text += " (s=\(quantization.scales[0]), zp=\(quantization.zeroPoints[0]))"
            } else {
                text += " (per-axis \(quantization.axis ?? 0), \(quantization.scales.count) scales)"
            }
        }
        return text
    }
}

/// Helpers for shapes given as `[Int]`.
public enum Shape {
    /// The most elements one tensor may have: 2⁴⁰ (4 TiB of f32). The verifier rejects larger
    /// shapes, so a product of an element count with a per-element size, a bit width or a
    /// target's per-cycle rate cannot overflow 64 bits.
    public static let maximumElementCount = 1 << 40

    /// The product of the dimensions, or nil if a dimension is negative or the product overflows.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Row-major strides of a shape (the last dimension has stride 1).
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The NumPy broadcast of two shapes, or nil when they are incompatible.
    public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for index in 0..<rank {
            let da = index < rank - a.count ? 1 : a[index - (rank - a.count)]
            let db = index < rank - b.count ? 1 : b[index - (rank - b.count)]
            if da == db || db == 1 { result[index] = da }
            else if da == 1 { result[index] = db }
            else { return nil }
        }
        return result
    }

    /// Normalizes a possibly negative axis against a rank; nil when out of range.
    public static func normalizedAxis(_ axis: Int, rank: Int) -> Int? {
        let normalized = axis < 0 ? axis + rank : axis
        return (0..<max(rank, 1)).contains(normalized) ? normalized : nil
    }
}
