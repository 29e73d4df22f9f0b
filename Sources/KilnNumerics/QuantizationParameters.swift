/// The affine mapping between real numbers and integer codes: `real = scale · (code − zeroPoint)`.
///
/// Parameters are per tensor (one scale and zero point) or per axis (one per slice along
/// ``axis``, as ONNX's per-axis DequantizeLinear and per-channel weights use).
public struct QuantizationParameters: Sendable, Hashable {
    /// The scales: one, or one per slice along ``axis``. All positive and finite.
    public var scales: [Float]
    /// The zero points: as many as ``scales``, each inside the code range.
    public var zeroPoints: [Int32]
    /// The axis along which parameters vary, or nil for per-tensor parameters.
    public var axis: Int?

    /// Creates per-tensor parameters.
    public init(scale: Float, zeroPoint: Int32 = 0) {
        self.scales = [scale]
        self.zeroPoints = [zeroPoint]
        self.axis = nil
    }

    /// Creates per-axis parameters (per-tensor when `axis` is nil and there is one scale).
    public init(scales: [Float], zeroPoints: [Int32], axis: Int?) {
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.axis = axis
    }

    /// Whether there is a single scale and zero point for the whole tensor.
    public var isPerTensor: Bool { axis == nil }

    /// The scale of slice `index` along the axis (the only scale if per tensor).
    @inlinable public func scale(at index: Int) -> Float { scales.count == 1 ? scales[0] : scales[index] }

    /// The zero point of slice `index` along the axis (the only zero point if per tensor).
    @inlinable public func zeroPoint(at index: Int) -> Int32 { zeroPoints.count == 1 ? zeroPoints[0] : zeroPoints[index] }

    /// Whether every zero point is 0 (symmetric quantization).
    public var isSymmetric: Bool { zeroPoints.allSatisfy { $0 == 0 } }
}

extension QuantizationParameters {
    /// Checks the parameters against an element type and, when given, a tensor shape.
    ///
    /// - Parameters:
    ///   - type: the quantized element type; every zero point must be inside its code range
    ///     (binary tensors must have zero point 0).
    ///   - shape: the tensor's shape; for per-axis parameters, `axis` must index it (negative
    ///     axes count from the end) and `scales.count` must equal that dimension.
    /// - Throws: ``NumericsError`` naming the first problem found.
    public func validate(for type: ElementType, shape: [Int]? = nil) throws {
        guard !scales.isEmpty, scales.count == zeroPoints.count else {
            throw NumericsError.sizeMismatch(expected: scales.count, actual: zeroPoints.count)
        }
        for scale in scales where !(scale.isFinite && scale > 0) {
            throw NumericsError.invalidScale(scale)
        }
        for zeroPoint in zeroPoints where !type.contains(Int64(zeroPoint)) && !(type == .binary && zeroPoint == 0) {
            throw NumericsError.zeroPointOutOfRange(zeroPoint: Int64(zeroPoint), type: type)
        }
        if axis == nil, scales.count != 1 {
            throw NumericsError.invalidArgument("per-tensor parameters must have exactly one scale, got \(scales.count)")
        }
        if let axis, let shape {
            let resolved = try Self.resolve(axis: axis, rank: shape.count)
            if scales.count != 1, scales.count != shape[resolved] {
                throw NumericsError.sizeMismatch(expected: shape[resolved], actual: scales.count)
            }
        }
    }

    /// Turns a possibly negative axis into an index in `0..<rank`, or throws.
    static func resolve(axis: Int, rank: Int) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0, resolved < rank else {
            throw NumericsError.invalidArgument("axis \(axis) is out of range for rank \(rank)")
        }
        return resolved
    }
}
