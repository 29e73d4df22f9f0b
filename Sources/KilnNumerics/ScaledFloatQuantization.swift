/// Quantization to a small float format with a scale: `code = encode(x / scale)` (float32
/// division, round to nearest even, saturating) and `real = decode(code) · scale`, as ONNX
/// `QuantizeLinear` / `DequantizeLinear` with a float8 zero point of 0 and `saturate = 1`.
public enum ScaledFloatQuantization {
    /// The code of `value / scale` in `format`; out-of-range values and infinities saturate to
    /// ±largest finite value, NaN stays NaN.
    @inlinable
    public static func quantize(_ value: Float, scale: Float, format: FloatFormat) -> Int32 {
        Int32(format.encode(value / scale, overflow: .saturate))
    }

    /// `decode(code) · scale` in float32.
    @inlinable
    public static func dequantize(_ code: Int32, scale: Float, format: FloatFormat) -> Float {
        format.decode(UInt32(truncatingIfNeeded: code)) * scale
    }

    /// Quantizes a tensor with per-tensor or per-axis scales (zero points must be 0).
    ///
    /// - Parameters:
    ///   - values: the real values in row-major order.
    ///   - shape: the tensor shape; its element count must equal `values.count`.
    ///   - parameters: per-tensor or per-axis scales.
    ///   - format: the float format of the codes.
    /// - Throws: ``NumericsError`` for invalid parameters or shapes, or a nonzero zero point.
    public static func quantize(_ values: [Float], shape: [Int], parameters: QuantizationParameters,
                                format: FloatFormat) throws -> [Int32] {
        try parameters.validate(for: .floatingPoint(format), shape: shape)
        if let zeroPoint = parameters.zeroPoints.first(where: { $0 != 0 }) {
            throw NumericsError.zeroPointOutOfRange(zeroPoint: Int64(zeroPoint), type: .floatingPoint(format))
        }
        let channel = try ChannelIndexer(shape: shape, count: values.count, parameters: parameters)
        return values.indices.map { quantize(values[$0], scale: parameters.scale(at: channel.slice(of: $0)), format: format) }
    }
}
