/// Quantize and dequantize with ONNX `QuantizeLinear` / `DequantizeLinear` semantics.
///
/// `quantize(x) = saturate(roundHalfToEven(x / scale) + zeroPoint)`, computed in float32 like
/// ONNX Runtime (the division is a float32 division, the zero point is added as a float).
/// `dequantize(q) = Float(q − zeroPoint) · scale`. NaN quantizes to the zero point; ±∞ saturate.
/// The binary type quantizes by sign: `x ≥ 0 → +1`, otherwise −1 (scale and zero point unused).
public enum LinearQuantization {
    /// Quantizes one value (the per-element hot path; no validation).
    ///
    /// - Parameters:
    ///   - value: the real value.
    ///   - scale: the scale (precondition: positive and finite; validate with
    ///     ``QuantizationParameters/validate(for:shape:)``).
    ///   - zeroPoint: the zero point (precondition: inside `minimumCode...maximumCode`).
    ///   - minimumCode: the smallest code of the output type (e.g. −128).
    ///   - maximumCode: the largest code of the output type (e.g. 127).
    /// - Returns: the saturated code.
    @inlinable
    public static func quantize(_ value: Float, scale: Float, zeroPoint: Int32,
                                minimumCode: Int32, maximumCode: Int32) -> Int32 {
        let shifted = (value / scale).rounded(.toNearestOrEven) + Float(zeroPoint)
        let finite = shifted.isNaN ? Float(zeroPoint) : shifted
        // Clamp in Float, then convert through Int64: Float(Int32.max) rounds up to 2^31.
        let clamped = Swift.min(Swift.max(finite, Float(minimumCode)), Float(maximumCode))
        return Swift.min(Swift.max(Int32(clamping: Int64(clamped)), minimumCode), maximumCode)
    }

    /// Dequantizes one code: `Float(code − zeroPoint) · scale` (the subtraction is exact in Int64).
    ///
    /// - Parameters:
    ///   - code: the integer code.
    ///   - scale: the scale.
    ///   - zeroPoint: the zero point.
    @inlinable
    public static func dequantize(_ code: Int32, scale: Float, zeroPoint: Int32) -> Float {
        Float(Int64(code) - Int64(zeroPoint)) * scale
    }

    /// Quantizes one value to `type`, validating the parameters.
    ///
    /// - Parameters:
    ///   - value: the real value.
    ///   - scale: a positive finite scale.
    ///   - zeroPoint: a zero point inside `type`'s range (0 for binary).
    ///   - type: an integer, fixed-point or binary element type.
    /// - Throws: ``NumericsError`` for a bad scale, zero point or type.
    public static func quantize(_ value: Float, scale: Float, zeroPoint: Int32 = 0, to type: ElementType) throws -> Int32 {
        try quantize([value], shape: [1], parameters: QuantizationParameters(scale: scale, zeroPoint: zeroPoint), to: type)[0]
    }

    /// Quantizes a tensor with per-tensor or per-axis parameters.
    ///
    /// - Parameters:
    ///   - values: the elements in row-major order.
    ///   - shape: the tensor shape; its element count must equal `values.count`.
    ///   - parameters: per-tensor or per-axis parameters, validated against `type` and `shape`.
    ///   - type: an integer, fixed-point or binary element type.
    /// - Returns: the codes, widened to `Int32`.
    /// - Throws: ``NumericsError`` for invalid parameters, shapes or types.
    public static func quantize(_ values: [Float], shape: [Int], parameters: QuantizationParameters,
                                to type: ElementType) throws -> [Int32] {
        let (minimum, maximum) = try codeRange(of: type)
        try parameters.validate(for: type, shape: shape)
        let channel = try ChannelIndexer(shape: shape, count: values.count, parameters: parameters)
        if type == .binary { return values.map { $0 >= 0 || $0.isNaN ? 1 : -1 } }
        var result = [Int32](repeating: 0, count: values.count)
        for index in values.indices {
            let slice = channel.slice(of: index)
            result[index] = quantize(values[index], scale: parameters.scale(at: slice), zeroPoint: parameters.zeroPoint(at: slice),
                                     minimumCode: minimum, maximumCode: maximum)
        }
        return result
    }

    /// Dequantizes a tensor with per-tensor or per-axis parameters.
    ///
    /// - Parameters:
    ///   - codes: the codes in row-major order (each must lie in `type`'s range).
    ///   - shape: the tensor shape; its element count must equal `codes.count`.
    ///   - parameters: per-tensor or per-axis parameters, validated against `type` and `shape`.
    ///   - type: the codes' element type.
    /// - Returns: the real values.
    /// - Throws: ``NumericsError`` for invalid parameters, shapes, types or out-of-range codes.
    public static func dequantize(_ codes: [Int32], shape: [Int], parameters: QuantizationParameters,
                                  from type: ElementType) throws -> [Float] {
        _ = try codeRange(of: type)
        try parameters.validate(for: type, shape: shape)
        let channel = try ChannelIndexer(shape: shape, count: codes.count, parameters: parameters)
        var result = [Float](repeating: 0, count: codes.count)
        for index in codes.indices {
            guard type.contains(Int64(codes[index])) else {
                throw NumericsError.invalidArgument("code \(codes[index]) at index \(index) is outside the range of \(type.name)")
            }
            let slice = channel.slice(of: index)
            result[index] = dequantize(codes[index], scale: parameters.scale(at: slice),
                                       zeroPoint: type == .binary ? 0 : parameters.zeroPoint(at: slice))
        }
        return result
    }

    /// The code range a requantizer writes: that of `outputType` (``codeRange(of:)``), which
    /// must not be binary (a sign is a comparison, not a requantization), with `zeroPoint` inside it.
    /// - Throws: ``NumericsError`` for an unsupported type or a zero point out of range.
    static func outputCodeRange(of outputType: ElementType, zeroPoint: Int32) throws -> (Int32, Int32) {
        let (minimum, maximum) = try codeRange(of: outputType)
        guard outputType != .binary else { throw NumericsError.unsupportedType(outputType) }
        guard (minimum...maximum).contains(zeroPoint) else {
            throw NumericsError.zeroPointOutOfRange(zeroPoint: Int64(zeroPoint), type: outputType)
        }
        return (minimum, maximum)
    }

    /// The code range of a quantizable type as `Int32`, or throws for float32, int64 and bool.
    static func codeRange(of type: ElementType) throws -> (Int32, Int32) {
        switch type {
        case .float32, .int64, .bool, .floatingPoint: throw NumericsError.unsupportedType(type)
        case .integer(let bits, _) where !(2...32).contains(bits): throw NumericsError.unsupportedType(type)
        case .fixedPoint(let integerBits, let fractionBits)
            where integerBits < 0 || fractionBits < 0 || integerBits + fractionBits > 31:
            throw NumericsError.unsupportedType(type)
        default:
            guard let minimum = Int32(exactly: type.minimumCode), let maximum = Int32(exactly: type.maximumCode) else {
                throw NumericsError.unsupportedType(type)
            }
            return (minimum, maximum)
        }
    }
}

/// Maps a flat row-major index to the slice along the quantization axis.
struct ChannelIndexer {
    let innerStride: Int
    let dimension: Int

    init(shape: [Int], count: Int, parameters: QuantizationParameters) throws {
        var elements = 1
        for extent in shape {
            guard extent >= 0 else { throw NumericsError.invalidArgument("negative dimension \(extent) in shape \(shape)") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw NumericsError.invalidArgument("shape \(shape) has too many elements") }
            elements = product
        }
        guard elements == count else { throw NumericsError.sizeMismatch(expected: elements, actual: count) }
        if let axis = parameters.axis, parameters.scales.count > 1 {
            let resolved = try QuantizationParameters.resolve(axis: axis, rank: shape.count)
            innerStride = shape[(resolved + 1)...].reduce(1, *)
            dimension = shape[resolved]
        } else {
            innerStride = 1
            dimension = 1
        }
    }

    func slice(of index: Int) -> Int {
        dimension == 1 ? 0 : (index / Swift.max(innerStride, 1)) % dimension
    }
}
