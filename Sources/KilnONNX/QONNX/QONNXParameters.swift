import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Per-channel constants of a QONNX quantizer (scale, zero point), broadcast to one axis.
struct QONNXChannelValues {
    /// One value, or one per index of ``axis``.
    var values: [Float]
    /// The input axis the values vary along, or nil for one value.
    var axis: Int?

    /// The value for channel `index`.
    func at(_ index: Int) -> Float { values.count == 1 ? values[0] : values[index] }
}

extension ImportContext {
    /// Reads a float32 constant that broadcasts to `shape` along at most one axis (QONNX's
    /// scale and zero point: a scalar, or e.g. `[C, 1, 1, 1]` for weights, `[1, C, 1, 1]` for
    /// activations).
    /// - Throws: if the input is not a float32 constant or broadcasts along several axes.
    func qonnxChannelValues(_ index: Int, _ role: String, shape: [Int]) throws(DiagnosticError) -> QONNXChannelValues {
        let tensor = try constantInput(index, role)
        guard tensor.type.elementType == .float32, let values = tensor.floats else {
            throw error("\(role) must be a float32 constant (the qonnx executor computes in float32), got \(tensor.type)")
        }
        guard !values.isEmpty else { throw error("\(role) is empty") }
        if values.count == 1 { return QONNXChannelValues(values: values, axis: nil) }
        let rank = shape.count
        guard tensor.shape.count <= rank else {
            throw error("\(role) of shape \(tensor.shape) has more dimensions than the input's \(shape)")
        }
        let offset = rank - tensor.shape.count
        let varying = tensor.shape.indices.filter { tensor.shape[$0] != 1 }
        guard varying.count == 1, let position = varying.first, tensor.shape[position] == shape[position + offset] else {
            throw error("\(role) of shape \(tensor.shape) does not broadcast along one axis of the input's shape \(shape)")
        }
        return QONNXChannelValues(values: values, axis: position + offset)
    }

    /// The common axis of several per-channel constants, or nil if all are single values.
    func qonnxCommonAxis(_ parts: [QONNXChannelValues]) throws(DiagnosticError) -> Int? {
        let axes = Set(parts.compactMap(\.axis))
        guard axes.count <= 1 else { throw error("scale and zero point vary along different axes \(axes.sorted())") }
        return axes.first
    }

    /// Reads a QONNX bit width: a float constant scalar holding an integer in `1...32`.
    func qonnxBitWidth(_ index: Int, _ role: String) throws(DiagnosticError) -> Int {
        let tensor = try constantInput(index, role)
        let values = floats(tensor)
        guard values.count == 1, let value = values.first else {
            throw error("\(role) must be a scalar, got shape \(tensor.shape)")
        }
        guard value.isFinite, value == value.rounded(), (1...32).contains(value) else {
            throw error("\(role) \(value) is out of range: QONNX bit widths are integers in 1...32")
        }
        return Int(value)
    }

    /// Reads a `rounding_mode` attribute.
    func qonnxRounding(default name: String) throws(DiagnosticError) -> QONNXRounding {
        let text = try string("rounding_mode", default: name)
        guard let mode = QONNXRounding(attribute: text) else {
            throw error("rounding_mode '\(text)' is unknown (expected ROUND, \(QONNXRounding.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return mode
    }

    /// Integral zero points as codes.
    /// - Throws: if a zero point is not an integer inside the code type.
    func qonnxZeroPoints(_ zero: QONNXChannelValues, range: ClosedRange<Int>) throws(DiagnosticError) -> [Int32] {
        var codes: [Int32] = []
        for value in zero.values {
            guard value == value.rounded(), Float(range.lowerBound) <= value, value <= Float(range.upperBound) else {
                throw error("zero point \(value) is not an integer in \(range): Kiln's codes have integer zero points")
            }
            codes.append(Int32(value))
        }
        return codes
    }

    /// Quantization parameters for channel values along `axis`, with one entry per channel.
    func qonnxParameters(scale: QONNXChannelValues, zeroPoints: [Int32], axis: Int?, channels: Int) -> QuantizationParameters {
        guard let axis else { return QuantizationParameters(scale: scale.values[0], zeroPoint: zeroPoints[0]) }
        return QuantizationParameters(scales: (0..<channels).map { scale.at($0) },
                                      zeroPoints: (0..<channels).map { zeroPoints.count == 1 ? zeroPoints[0] : zeroPoints[$0] },
                                      axis: axis)
    }
}

/// The Kiln element type that holds the integers `range` (at least 2 bits: Kiln has no 1-bit
/// integers; ±1 values are `binary`).
func qonnxCodeType(_ range: ClosedRange<Int>) -> ElementType? {
    let signed = range.lowerBound < 0
    for bits in 2...32 {
        let type = ElementType.integer(bits: bits, signed: signed)
        if type.contains(Int64(range.lowerBound)) && type.contains(Int64(range.upperBound)) { return type }
    }
    return nil
}
