import KilnDiagnostics
import KilnIR
import KilnNumerics

extension ImportContext {
    /// Reads quantization parameters from a scale input and an optional zero-point input.
    ///
    /// One scale means per-tensor parameters; a 1-D scale of `n > 1` elements means per-axis
    /// parameters along `axis` of a tensor of rank `rank` (whose size there must be `n`).
    /// Scales of rank > 1 are ONNX's blocked quantization, which Kiln does not support.
    /// - Parameters:
    ///   - scaleIndex: the input position of the scale.
    ///   - zeroPointIndex: the input position of the zero point (nil or absent: zero).
    ///   - axis: the ONNX axis attribute value (may be negative), used for per-axis scales.
    ///   - shape: the shape of the quantized tensor.
    ///   - defaultType: the element type when no zero point gives one.
    /// - Returns: the parameters and the element type of the codes.
    func quantizationParameters(scaleIndex: Int, zeroPointIndex: Int?, axis: Int?, shape: [Int],
                                defaultType: ElementType, role: String) throws(DiagnosticError) -> (QuantizationParameters, ElementType) {
        let scaleTensor = try constantInput(scaleIndex, "\(role) scale")
        guard scaleTensor.type.elementType.isFloat else {
            throw error("\(role) scale must be a float tensor, got \(scaleTensor.type)")
        }
        let scales = floats(scaleTensor)
        guard !scales.isEmpty else { throw error("\(role) scale is empty") }
        guard scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw error("\(role) scale must be positive and finite, got \(scales.prefix(4))")
        }
        var elementType = defaultType
        var zeroPoints = [Int32](repeating: 0, count: scales.count)
        if let zeroPointIndex, let zeroPoint = try optionalConstantInput(zeroPointIndex, "\(role) zero point") {
            guard let codes = zeroPoint.codes, zeroPoint.type.elementType != .bool else {
                throw error("\(role) zero point must hold integer codes, got \(zeroPoint.type)")
            }
            guard zeroPoint.shape == scaleTensor.shape || (codes.count == scales.count) else {
                throw error("\(role) zero point shape \(zeroPoint.shape) differs from the scale's \(scaleTensor.shape)")
            }
            elementType = zeroPoint.type.elementType
            zeroPoints = codes
        }
        if scales.count == 1 {
            return (QuantizationParameters(scale: scales[0], zeroPoint: zeroPoints[0]), elementType)
        }
        guard scaleTensor.shape.count == 1 else {
            throw error("\(role) scale of shape \(scaleTensor.shape) is blocked quantization, which Kiln does not support (use per-tensor or per-axis parameters)")
        }
        let normalized = try self.axis(axis ?? 1, rank: shape.count, "quantization axis")
        guard shape[normalized] == scales.count else {
            throw error("\(role) has \(scales.count) scales but axis \(normalized) of shape \(shape) has size \(shape[normalized])")
        }
        return (QuantizationParameters(scales: scales, zeroPoints: zeroPoints, axis: normalized), elementType)
    }

    /// Whether `name` is the output of a `dequantize` node whose codes are a constant; returns
    /// that node and the codes.
    func dequantizedConstant(_ name: String) -> (node: Node, codes: Tensor)? {
        guard known[name] == nil,
              let node = graph.nodes.last(where: { $0.outputs.contains(name) }),
              node.kind == .dequantize, let codes = node.input(0).flatMap({ known[$0] ?? graph.constants[$0] }) else { return nil }
        return (node, codes)
    }

    /// Adds a constant under a fresh name derived from the node and returns the name.
    mutating func constantValue(_ tensor: Tensor, _ suffix: String) -> String {
        let name = freshValue(suffix)
        known[name] = tensor
        return name
    }
}
