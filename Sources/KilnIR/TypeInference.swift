import KilnNumerics

extension Operator {
    /// The output types an operation gets when the caller does not declare them: the inferred
    /// shapes with the element type and quantization the operation's semantics imply.
    ///
    /// Quantized results whose parameters cannot be implied (the output of `quantize` and
    /// `requantize`, a requantized conv) must be declared by the caller; for those the default
    /// is the raw result (int32 accumulators for conv / dense / matmul).
    /// - Parameter inputs: one type per input position (nil for an absent optional input).
    public func defaultOutputTypes(_ inputs: [TensorType?]) throws(ShapeInferenceError) -> [TensorType] {
        let shapes = try outputShapes(inputs.map { $0?.shape })
        let first = inputs.first.flatMap { $0 }
        func same(_ shape: [Int]) -> TensorType {
            TensorType(shape: shape, elementType: first?.elementType ?? .float32, quantization: first?.quantization)
        }
        switch kind {
        case .conv2d, .dense, .matmul:
            if first?.elementType.isFloat ?? true { return [.float32(shapes[0])] }
            return [TensorType(shape: shapes[0], elementType: .int32)]
        case .softmax where !(first?.elementType.isFloat ?? true):
            // A softmax of codes writes codes of the input's storage (TFLite's integer softmax,
            // ONNX Runtime's QLinearSoftmax); their output parameters are declared by the caller.
            return [same(shapes[0])]
        case .dequantize, .softmax, .batchNorm, .layerNorm:
            return [.float32(shapes[0])]
        case .sign:
            return [TensorType(shape: shapes[0], elementType: .binary)]
        case .dynamicQuantize:
            return [TensorType(shape: shapes[0], elementType: .uint8), .float32([]), TensorType(shape: [], elementType: .uint8)]
        case .multiThreshold:
            return [TensorType(shape: shapes[0], elementType: .int32)]
        case .compare, .logical:
            return [TensorType(shape: shapes[0], elementType: .bool)]
        case .where:
            let x = inputs.count > 1 ? inputs[1] : nil
            return [TensorType(shape: shapes[0], elementType: x?.elementType ?? .float32, quantization: x?.quantization)]
        case .quantize:
            return [TensorType(shape: shapes[0], elementType: .uint8, quantization: QuantizationParameters(scale: 1))]
        default:
            return shapes.map(same)
        }
    }
}
