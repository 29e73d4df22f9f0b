import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Converters of ONNX's float compute ops (convolution, matrix products, elementwise ops,
/// activations, pooling, normalization).
enum FloatConverters {
    // MARK: Convolution

    /// `Conv`: 1-D and 2-D, groups (incl. depthwise), pads / auto_pad, strides, dilations.
    static func conv(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "X"), w = try context.input(1, "W")
        try emitConvolution(&context, x: x, w: w, bias: context.optionalInput(2), template: nil)
    }

    /// Shared by Conv, QLinearConv and ConvInteger.
    static func emitConvolution(_ context: inout ImportContext, x: String, w: String, bias: String?,
                                template: TensorType?) throws(DiagnosticError) {
        let xShape = try context.shape(of: x), wShape = try context.shape(of: w)
        guard xShape.count == 3 || xShape.count == 4 else {
            throw context.error("only 1-D and 2-D convolutions are supported; input '\(x)' has shape \(xShape)")
        }
        guard wShape.count == xShape.count else {
            throw context.error("weight '\(w)' has shape \(wShape), expected rank \(xShape.count)")
        }
        let kernel = Array(wShape.dropFirst(2))
        if let declared = try context.ints("kernel_shape"), declared != kernel {
            throw context.error("kernel_shape \(declared) differs from the weight's spatial shape \(kernel)")
        }
        let groups = try context.int("group", default: 1)
        guard groups >= 1 else { throw context.error("group \(groups) must be ≥ 1") }
        let window = try WindowAttributes.resolve(context, spatial: Array(xShape.dropFirst(2)), kernel: kernel)
        let flat = window.twoDimensional
        let operation = Operator.conv2d(Convolution(strides: flat.strides, dilations: flat.dilations, pads: flat.pads, groups: groups))
        try WindowedEmission.emit(&context, operation, x: x, operands: [w] + (bias.map { [$0] } ?? []),
                                  liftOperands: 1, template: template)
    }

    // MARK: Matrix products

    /// `Gemm`: `alpha · A' · B' + beta · C`. Constant factors are folded into constant operands;
    /// otherwise mul / add nodes are inserted.
    static func gemm(_ context: inout ImportContext) throws(DiagnosticError) {
        let a = try context.input(0, "A"), b = try context.input(1, "B")
        let alpha = try context.float("alpha", default: 1), beta = try context.float("beta", default: 1)
        let transA = try context.int("transA", default: 0) != 0, transB = try context.int("transB", default: 0) != 0
        guard try context.shape(of: a).count == 2, try context.shape(of: b).count == 2 else {
            throw context.error("A and B must be matrices, got \(try context.shape(of: a)) and \(try context.shape(of: b))")
        }
        let left = transA ? try context.emit(.transpose(permutation: [1, 0]), [a])[0] : a
        var alphaApplied = false
        let weight: String
        let isWeight: Bool
        if transB, let (dequantize, codes) = context.dequantizedConstant(b), codes.shape.count == 2 {
            weight = try transposedDequantize(&context, dequantize, codes)
            isWeight = true
        } else {
            var value = transB ? try context.emit(.transpose(permutation: [1, 0]), [b])[0] : b
            isWeight = context.known[value] != nil || context.dequantizedConstant(value) != nil
            if context.known[value] != nil && alpha != 1 {
                value = try context.emit(.mul, [value, context.constantValue(Tensor(shape: [], floats: [alpha]), "alpha")])[0]
                alphaApplied = true
            }
            weight = value
        }
        let columns = try context.shape(of: weight)[1]
        var bias: String?
        var addAfter: String?
        if let c = context.optionalInput(2) {
            _ = try context.input(2, "C")
            let cShape = try context.shape(of: c)
            if let constant = context.known[c] {
                let values = context.floats(constant).map { $0 * beta }
                if constant.count == columns && (constant.shape == [columns] || constant.shape == [1, columns]) {
                    bias = context.constantValue(Tensor(shape: [columns], floats: values), "bias")
                } else if constant.count == 1 {
                    bias = context.constantValue(Tensor(shape: [columns], floats: [Float](repeating: values[0], count: columns)), "bias")
                } else {
                    addAfter = context.constantValue(Tensor(shape: constant.shape, floats: values), "bias")
                }
            } else if beta == 1 && cShape == [columns] && alpha == 1 {
                bias = c
            } else {
                addAfter = beta == 1 ? c : try context.emit(.mul, [c, context.constantValue(Tensor(shape: [], floats: [beta]), "beta")])[0]
            }
        }
        if alpha != 1 && !alphaApplied && bias != nil {
            addAfter = bias
            bias = nil
        }
        let needsMore = (alpha != 1 && !alphaApplied) || addAfter != nil
        let product: String
        let outputs = needsMore ? nil : [try context.output(0)]
        if isWeight {
            product = try context.emit(.dense, [left, weight] + (bias.map { [$0] } ?? []), outputs: outputs)[0]
        } else {
            let matrix = try context.emit(.matmul, [left, weight], outputs: bias == nil ? outputs : nil)[0]
            product = bias == nil ? matrix : try context.emit(.add, [matrix, bias!], outputs: outputs)[0]
        }
        guard needsMore else { return }
        var result = product
        if alpha != 1 && !alphaApplied {
            result = try context.emit(.mul, [result, context.constantValue(Tensor(shape: [], floats: [alpha]), "alpha")],
                                      outputs: addAfter == nil ? [try context.output(0)] : nil)[0]
        }
        if let addAfter {
            try context.emit(.add, [result, addAfter], outputs: [try context.output(0)])
        }
    }

    /// A `dequantize` of transposed constant codes (for `transB` weights in QDQ models); the
    /// quantization axis follows the transposition.
    static func transposedDequantize(_ context: inout ImportContext, _ dequantize: Node, _ codes: Tensor) throws(DiagnosticError) -> String {
        let name = context.constantValue(transposedMatrix(codes), "weight_transposed")
        return try context.emit(.dequantize, [name], fold: false)[0]
    }

    /// A matrix transposed; a per-axis quantization axis follows the transposition.
    static func transposedMatrix(_ matrix: Tensor) -> Tensor {
        let rows = matrix.shape[0], columns = matrix.shape[1]
        var offsets: [Int] = []
        offsets.reserveCapacity(rows * columns)
        for column in 0..<columns {
            for row in 0..<rows { offsets.append(row * columns + column) }
        }
        var result = ShapeConverters.select(matrix, offsets, shape: [columns, rows])
        if var quantization = result.type.quantization, let axis = quantization.axis {
            quantization.axis = 1 - axis
            result.type.quantization = quantization
        }
        return result
    }

    /// `MatMul`: dense when B is a constant (or dequantized constant) matrix, else matmul.
    static func matmul(_ context: inout ImportContext) throws(DiagnosticError) {
        let a = try context.input(0, "A"), b = try context.input(1, "B")
        let bShape = try context.shape(of: b), aShape = try context.shape(of: a)
        let constantWeight = context.known[b] != nil || context.dequantizedConstant(b) != nil
        if constantWeight && bShape.count == 2 && aShape.count >= 2 && context.known[a] == nil {
            try context.emitResult(.dense, [a, b])
        } else {
            try context.emitResult(.matmul, [a, b])
        }
    }

    // MARK: Elementwise

    /// Add, Sub, Mul, Div (int64 constants are computed directly: shape arithmetic).
    static func binary(_ operation: Operator) -> ONNXConverter {
        { (context: inout ImportContext) throws(DiagnosticError) in
            let a = try context.input(0, "A"), b = try context.input(1, "B")
            if let x = context.known[a], let y = context.known[b], x.type.elementType == .int64 || y.type.elementType == .int64 {
                try context.bindConstant(context.output(0), try ShapeConverters.int64Arithmetic(context, operation.kind, x, y))
                return
            }
            try context.emitResult(operation, [a, b])
        }
    }

    /// A unary op with no attributes.
    static func unary(_ operation: Operator) -> ONNXConverter {
        { (context: inout ImportContext) throws(DiagnosticError) in
            try context.emitResult(operation, [try context.input(0, "X")])
        }
    }

    /// `LeakyRelu` (alpha defaults to 0.01).
    static func leakyRelu(_ context: inout ImportContext) throws(DiagnosticError) {
        try context.emitResult(.leakyRelu(alpha: try context.float("alpha", default: 0.01)), [try context.input(0, "X")])
    }

    /// `HardSigmoid` (alpha 0.2, beta 0.5 by default).
    static func hardSigmoid(_ context: inout ImportContext) throws(DiagnosticError) {
        let operation = Operator.hardSigmoid(alpha: try context.float("alpha", default: 0.2), beta: try context.float("beta", default: 0.5))
        try context.emitResult(operation, [try context.input(0, "X")])
    }

    /// `Gelu` (opset 20; `approximate` is none or tanh).
    static func gelu(_ context: inout ImportContext) throws(DiagnosticError) {
        let text = try context.string("approximate", default: "none")
        guard let approximation = GeluApproximation(rawValue: text) else {
            throw context.error("approximate '\(text)' is not 'none' or 'tanh'")
        }
        try context.emitResult(.gelu(approximation: approximation), [try context.input(0, "X")])
    }

    /// `Clip`: bounds are attributes before opset 11 and constant inputs from opset 11 on.
    static func clip(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "input")
        var minimum: Float?, maximum: Float?
        if context.opset < 11 {
            let low = try context.float("min", default: -.infinity), high = try context.float("max", default: .infinity)
            minimum = low.isFinite ? low : nil
            maximum = high.isFinite ? high : nil
        } else {
            if let low = try context.optionalConstantInput(1, "min") {
                guard low.count == 1 else { throw context.error("min must be a scalar, got shape \(low.shape)") }
                minimum = context.floats(low)[0]
            }
            if let high = try context.optionalConstantInput(2, "max") {
                guard high.count == 1 else { throw context.error("max must be a scalar, got shape \(high.shape)") }
                maximum = context.floats(high)[0]
            }
        }
        try context.emitResult(.clip(minimum: minimum, maximum: maximum), [x])
    }

    /// `Sign` → IR sign (binary ±1, with scale 1 so that it reads as the real values ±1) then
    /// dequantize back to f32, since ONNX's Sign writes floats. Note ONNX maps 0 to 0, Kiln's
    /// sign maps it to +1. Backends that compute in the binary domain match the `sign →
    /// dequantize` pair.
    static func sign(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "input")
        let shape = try context.type(of: x).shape
        let binary = try context.emit(.sign, [x], outputTypes: [TensorType(shape: shape, elementType: .binary,
                                                                          quantization: QuantizationParameters(scale: 1))])[0]
        try context.emitResult(.dequantize, [binary])
    }

    // MARK: Pooling

    /// `MaxPool` / `AveragePool`, 1-D and 2-D.
    static func pool(max isMax: Bool) -> ONNXConverter {
        { (context: inout ImportContext) throws(DiagnosticError) in
            try emitPool(&context, isMax: isMax, x: try context.input(0, "X"), template: nil)
        }
    }

    /// Shared by MaxPool, AveragePool and QLinearAveragePool.
    static func emitPool(_ context: inout ImportContext, isMax: Bool, x: String, template: TensorType?) throws(DiagnosticError) {
        let shape = try context.shape(of: x)
        guard shape.count == 3 || shape.count == 4 else {
            throw context.error("only 1-D and 2-D pooling is supported; input '\(x)' has shape \(shape)")
        }
        guard let kernel = try context.ints("kernel_shape") else { throw context.error("attribute 'kernel_shape' is required") }
        if isMax {
            try context.requireOnlyOutputs(1, "Indices")
            guard try context.int("storage_order", default: 0) == 0 else {
                throw context.error("storage_order 1 (column-major indices) is not supported")
            }
        }
        let window = try WindowAttributes.resolve(context, spatial: Array(shape.dropFirst(2)), kernel: kernel)
        if !isMax && window.dilations.contains(where: { $0 != 1 }) {
            throw context.error("average pooling with dilations \(window.dilations) is not supported")
        }
        let flat = window.twoDimensional
        let countIncludePad = try context.int("count_include_pad", default: 0) != 0
        let pooling = Pooling(kernel: kernel.count == 2 ? kernel : [1, kernel[0]], strides: flat.strides, pads: flat.pads,
                              dilations: flat.dilations, ceilMode: try context.int("ceil_mode", default: 0) != 0,
                              countIncludePad: !isMax && countIncludePad)
        try WindowedEmission.emit(&context, isMax ? .maxPool(pooling) : .averagePool(pooling), x: x, operands: [],
                                  liftOperands: 0, template: template)
    }

    /// GlobalAveragePool / GlobalMaxPool.
    static func globalPool(_ operation: Operator) -> ONNXConverter {
        { (context: inout ImportContext) throws(DiagnosticError) in
            try context.emitResult(operation, [try context.input(0, "X")])
        }
    }

    // MARK: Normalization

    /// `Softmax`: before opset 13 the input is coerced to 2-D at `axis` (flatten, softmax over
    /// the second axis, reshape back); from 13 on, softmax along one axis.
    static func softmax(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "input")
        let shape = try context.shape(of: x)
        if context.opset >= 13 {
            let axis = try context.axis(try context.int("axis", default: -1), rank: shape.count)
            try context.emitResult(.softmax(axis: axis), [x])
            return
        }
        let axis = try context.int("axis", default: 1)
        let normalized = axis < 0 ? axis + shape.count : axis
        guard (0...shape.count).contains(normalized) else { throw context.error("axis \(axis) is out of range for rank \(shape.count)") }
        if normalized == shape.count - 1 && !shape.isEmpty {
            try context.emitResult(.softmax(axis: normalized), [x])
            return
        }
        let flat = try context.emit(.flatten(axis: normalized), [x])[0]
        let soft = try context.emit(.softmax(axis: 1), [flat])[0]
        try context.emit(.reshape(shape: shape), [soft], outputs: [try context.output(0)])
    }

    /// `BatchNormalization` in inference mode.
    static func batchNorm(_ context: inout ImportContext) throws(DiagnosticError) {
        try context.requireOnlyOutputs(1, "training statistics")
        if try context.int("training_mode", default: 0) != 0 { throw context.error("training_mode 1 is not supported") }
        if context.opset < 9, try context.int("spatial", default: 1) == 0 { throw context.error("spatial 0 is not supported") }
        var inputs: [String] = []
        for (index, role) in ["X", "scale", "B", "mean", "var"].enumerated() { inputs.append(try context.input(index, role)) }
        try context.emitResult(.batchNorm(epsilon: try context.float("epsilon", default: 1e-5)), inputs)
    }

    /// `LayerNormalization` (opset 17).
    static func layerNorm(_ context: inout ImportContext) throws(DiagnosticError) {
        try context.requireOnlyOutputs(1, "Mean / InvStdDev")
        let x = try context.input(0, "X")
        let axis = try context.axis(try context.int("axis", default: -1), rank: try context.shape(of: x).count)
        let inputs = [x, try context.input(1, "Scale")] + (context.optionalInput(2).map { [$0] } ?? [])
        try context.emitResult(.layerNorm(axis: axis, epsilon: try context.float("epsilon", default: 1e-5)), inputs)
    }

    /// `Identity` and `Dropout` (inference: identity): an identity reshape that the
    /// `remove-identities` pass drops.
    static func identity(_ context: inout ImportContext) throws(DiagnosticError) {
        try context.requireOnlyOutputs(1, "mask")
        let x = try context.input(0, "input")
        try context.emitResult(.reshape(shape: try context.shape(of: x)), [x])
    }
}
