import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Converters of ONNX's quantized ops. Scales and zero points must be constants: Kiln keeps
/// quantization parameters in value types. Integer data read by these ops takes their
/// parameters (see ``ImportContext/assignQuantization(_:_:role:)``).
enum QuantizedConverters {
    /// Rejects opset-21 blocked quantization.
    static func rejectBlocked(_ context: ImportContext) throws(DiagnosticError) {
        if try context.int("block_size", default: 0) != 0 {
            throw context.error("blocked quantization (block_size) is not supported: Kiln's quantization is per tensor or per axis")
        }
    }

    /// `QuantizeLinear`: per-tensor or per-axis; the code type comes from the zero point,
    /// `output_dtype`, or defaults to uint8.
    static func quantizeLinear(_ context: inout ImportContext) throws(DiagnosticError) {
        try rejectBlocked(context)
        let x = try context.input(0, "x")
        let shape = try context.shape(of: x)
        var defaultType = ElementType.uint8
        let dtype = try context.int("output_dtype", default: 0)
        if dtype != 0 {
            guard let onnxType = ONNXDataType(rawValue: Int32(dtype)) else { throw context.error("output_dtype \(dtype) is unknown") }
            guard let type = onnxType.kilnElementType, type.isInteger, type != .int64, type != .bool else {
                throw context.error("output_dtype \(onnxType): \(onnxType.unsupportedReason)")
            }
            defaultType = type
        }
        let (parameters, elementType) = try context.quantizationParameters(
            scaleIndex: 1, zeroPointIndex: 2, axis: try context.int("axis", default: 1), shape: shape,
            defaultType: defaultType, role: "y")
        guard try context.type(of: x).elementType.isFloat else { throw context.error("x must be float, got \(try context.type(of: x))") }
        try context.emitResult(.quantize, [x], outputType: TensorType(shape: shape, elementType: elementType, quantization: parameters))
    }

    /// `DequantizeLinear`: the input codes take the scale / zero point (per tensor or per axis).
    static func dequantizeLinear(_ context: inout ImportContext) throws(DiagnosticError) {
        try rejectBlocked(context)
        let x = try context.input(0, "x")
        let type = try context.type(of: x)
        let (parameters, elementType) = try context.quantizationParameters(
            scaleIndex: 1, zeroPointIndex: 2, axis: try context.int("axis", default: 1), shape: type.shape,
            defaultType: type.elementType, role: "x")
        guard elementType == type.elementType else {
            throw context.error("zero point type \(elementType.name) differs from x's \(type.elementType.name)")
        }
        try context.assignQuantization(x, parameters, role: "x")
        try context.emit(.dequantize, [x], outputs: [try context.output(0)], fold: false)
    }

    /// Reads `(value, scale, zeroPoint)` at three input positions and quantizes the value.
    static func quantizedOperand(_ context: inout ImportContext, _ index: Int, scale: Int, zeroPoint: Int,
                                 axis: Int? = nil, role: String) throws(DiagnosticError) -> String {
        let value = try context.input(index, role)
        let type = try context.type(of: value)
        let (parameters, elementType) = try context.quantizationParameters(
            scaleIndex: scale, zeroPointIndex: zeroPoint, axis: axis, shape: type.shape, defaultType: type.elementType, role: role)
        guard elementType == type.elementType else {
            throw context.error("\(role) zero point type \(elementType.name) differs from \(role)'s \(type.elementType.name)")
        }
        try context.assignQuantization(value, parameters, role: role)
        return value
    }

    /// The quantized result type from an output scale / zero-point pair (shape filled in later).
    static func resultTemplate(_ context: ImportContext, scale: Int, zeroPoint: Int, defaultType: ElementType) throws(DiagnosticError) -> TensorType {
        let (parameters, elementType) = try context.quantizationParameters(
            scaleIndex: scale, zeroPointIndex: zeroPoint, axis: nil, shape: [], defaultType: defaultType, role: "y")
        guard parameters.isPerTensor else { throw context.error("the output must have per-tensor parameters") }
        return TensorType(shape: [], elementType: elementType, quantization: parameters)
    }

    /// `QLinearConv`.
    static func qlinearConv(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try quantizedOperand(&context, 0, scale: 1, zeroPoint: 2, role: "x")
        let w = try quantizedOperand(&context, 3, scale: 4, zeroPoint: 5, axis: 0, role: "w")
        let template = try resultTemplate(context, scale: 6, zeroPoint: 7, defaultType: try context.type(of: x).elementType)
        let bias = context.optionalInput(8)
        if let bias, try context.type(of: bias).elementType != .int32 {
            throw context.error("bias '\(bias)' must be int32")
        }
        try FloatConverters.emitConvolution(&context, x: x, w: w, bias: bias, template: template)
    }

    /// `QLinearMatMul`: per-tensor a, per-tensor or per-column b.
    static func qlinearMatMul(_ context: inout ImportContext) throws(DiagnosticError) {
        let a = try quantizedOperand(&context, 0, scale: 1, zeroPoint: 2, role: "a")
        guard try context.type(of: a).quantization?.isPerTensor == true else { throw context.error("a must have per-tensor parameters") }
        let bRank = try context.shape(of: try context.input(3, "b")).count
        let b = try quantizedOperand(&context, 3, scale: 4, zeroPoint: 5, axis: bRank - 1, role: "b")
        let template = try resultTemplate(context, scale: 6, zeroPoint: 7, defaultType: try context.type(of: a).elementType)
        try emitProduct(&context, a, b, template: template)
    }

    /// dense for a constant matrix b, matmul otherwise.
    static func emitProduct(_ context: inout ImportContext, _ a: String, _ b: String, template: TensorType?) throws(DiagnosticError) {
        let operation: Operator = try useDenseProduct(context, a, b) ? .dense : .matmul
        let type = try template.map { t throws(DiagnosticError) in try WindowedEmission.resultType(context, operation, [a, b], t) }
        try context.emitResult(operation, [a, b], outputType: type)
    }

    /// Whether `a · b` is a dense layer (constant matrix b, computed a of rank ≥ 2).
    static func useDenseProduct(_ context: ImportContext, _ a: String, _ b: String) throws(DiagnosticError) -> Bool {
        let bRank = try context.shape(of: b).count, aRank = try context.shape(of: a).count
        return context.known[b] != nil && bRank == 2 && aRank >= 2 && context.known[a] == nil
    }

    /// Gives an integer operand the zero point of a `*Integer` op (scale 1).
    static func integerOperand(_ context: inout ImportContext, _ index: Int, zeroPoint: Int, axis: Int?, role: String) throws(DiagnosticError) -> String {
        let value = try context.input(index, role)
        guard let zero = try context.optionalConstantInput(zeroPoint, "\(role) zero point") else { return value }
        guard let codes = zero.codes else { throw context.error("\(role) zero point must be integer") }
        let type = try context.type(of: value)
        let parameters: QuantizationParameters
        if codes.count == 1 {
            parameters = QuantizationParameters(scale: 1, zeroPoint: codes[0])
        } else {
            guard let axis, zero.shape.count == 1, axis < type.shape.count, type.shape[axis] == codes.count else {
                throw context.error("\(role) zero point of shape \(zero.shape) is not supported for \(role) of shape \(type.shape)")
            }
            parameters = QuantizationParameters(scales: [Float](repeating: 1, count: codes.count), zeroPoints: codes, axis: axis)
        }
        try context.assignQuantization(value, parameters, role: role)
        return value
    }

    /// `ConvInteger`: int32 accumulators, no requantization.
    static func convInteger(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try integerOperand(&context, 0, zeroPoint: 2, axis: nil, role: "x")
        let w = try integerOperand(&context, 1, zeroPoint: 3, axis: 0, role: "w")
        try FloatConverters.emitConvolution(&context, x: x, w: w, bias: nil, template: TensorType(shape: [], elementType: .int32))
    }

    /// `MatMulInteger`: int32 accumulators, per-tensor A zero point, per-column B zero points.
    ///
    /// A zero point of A computed at run time (DynamicQuantizeLinear's) cannot live in A's type;
    /// the product is then rewritten exactly in int32: `Σₖ (a − zA)(b − zB) = Σₖ a·(b − zB) − zA·cₙ`
    /// with the constant column sums `cₙ = Σₖ (b[k, n] − zB[n])`, so B must be a constant matrix.
    static func matMulInteger(_ context: inout ImportContext) throws(DiagnosticError) {
        let runtimeZeroPoint = context.optionalInput(2).flatMap { context.known[$0] == nil ? $0 : nil }
        let a = runtimeZeroPoint == nil ? try integerOperand(&context, 0, zeroPoint: 2, axis: nil, role: "A") : try context.input(0, "A")
        let bRank = try context.shape(of: try context.input(1, "B")).count
        let b = try integerOperand(&context, 1, zeroPoint: 3, axis: bRank - 1, role: "B")
        guard let zeroPoint = runtimeZeroPoint else {
            try emitProduct(&context, a, b, template: TensorType(shape: [], elementType: .int32))
            return
        }
        guard try context.shape(of: zeroPoint).reduce(1, *) == 1 else { throw context.error("a run-time A zero point must be a scalar") }
        guard let matrix = context.known[b], matrix.shape.count == 2, let codes = matrix.codes else {
            throw context.error("with a run-time A zero point, B must be a constant integer matrix")
        }
        let rows = matrix.shape[0], columns = matrix.shape[1]
        var sums = [Int32](repeating: 0, count: columns)
        for column in 0..<columns {
            let zero = Int64(matrix.type.quantization?.zeroPoint(at: matrix.type.quantization?.isPerTensor == true ? 0 : column) ?? 0)
            var total: Int64 = 0
            for row in 0..<rows { total += Int64(codes[row * columns + column]) - zero }
            sums[column] = Int32(truncatingIfNeeded: total)
        }
        let product = try context.emit(useDenseProduct(context, a, b) ? .dense : .matmul, [a, b],
                                       outputTypes: nil)[0]
        let wideZero = try context.emit(.cast, [zeroPoint], outputTypes: [TensorType(shape: try context.shape(of: zeroPoint), elementType: .int32)])[0]
        let columnSums = context.constantValue(Tensor(shape: [columns], elementType: .int32, codes: sums), "column_sums")
        let correction = try context.emit(.mul, [wideZero, columnSums])[0]
        try context.emitResult(.sub, [product, correction])
    }

    /// `DynamicQuantizeLinear`.
    static func dynamicQuantizeLinear(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "x")
        var outputs: [String] = []
        for index in 0..<3 { outputs.append(try context.output(index)) }
        try context.emit(.dynamicQuantize, [x], outputs: outputs)
    }
}

/// Converters of the `com.microsoft` contrib ops that ONNX Runtime's quantizer emits.
enum ContribConverters {
    /// `QLinearAdd` / `QLinearMul`: `C = quantize(dequantize(A) op dequantize(B))` in float32.
    static func qlinearBinary(_ operation: Operator) -> ONNXConverter {
        { (context: inout ImportContext) throws(DiagnosticError) in
            let a = try QuantizedConverters.quantizedOperand(&context, 0, scale: 1, zeroPoint: 2, role: "A")
            let b = try QuantizedConverters.quantizedOperand(&context, 3, scale: 4, zeroPoint: 5, role: "B")
            for value in [a, b] where try context.type(of: value).quantization?.isPerTensor != true {
                throw context.error("'\(value)' must have per-tensor parameters")
            }
            let template = try QuantizedConverters.resultTemplate(context, scale: 6, zeroPoint: 7, defaultType: try context.type(of: a).elementType)
            let type = try WindowedEmission.resultType(context, operation, [a, b], template)
            try context.emitResult(operation, [a, b], outputType: type)
        }
    }

    /// `QLinearLeakyRelu` / `QLinearSigmoid`: X, X_scale, X_zero_point, Y_scale, Y_zero_point.
    static func qlinearUnary(_ makeOperation: @escaping @Sendable (ImportContext) throws(DiagnosticError) -> Operator) -> ONNXConverter {
        { (context: inout ImportContext) throws(DiagnosticError) in
            let x = try QuantizedConverters.quantizedOperand(&context, 0, scale: 1, zeroPoint: 2, role: "X")
            let template = try QuantizedConverters.resultTemplate(context, scale: 3, zeroPoint: 4, defaultType: try context.type(of: x).elementType)
            try context.emitResult(try makeOperation(context), [x], outputType: template.withShape(try context.shape(of: x)))
        }
    }

    /// `QLinearGlobalAveragePool` (NCHW only).
    static func qlinearGlobalAveragePool(_ context: inout ImportContext) throws(DiagnosticError) {
        guard try context.int("channels_last", default: 0) == 0 else { throw context.error("channels_last 1 is not supported") }
        let x = try QuantizedConverters.quantizedOperand(&context, 0, scale: 1, zeroPoint: 2, role: "X")
        let template = try QuantizedConverters.resultTemplate(context, scale: 3, zeroPoint: 4, defaultType: try context.type(of: x).elementType)
        try context.emitResult(.globalAveragePool, [x],
                               outputType: try WindowedEmission.resultType(context, .globalAveragePool, [x], template))
    }

    /// `QLinearAveragePool` (NCHW only).
    static func qlinearAveragePool(_ context: inout ImportContext) throws(DiagnosticError) {
        guard try context.int("channels_last", default: 0) == 0 else { throw context.error("channels_last 1 is not supported") }
        let x = try QuantizedConverters.quantizedOperand(&context, 0, scale: 1, zeroPoint: 2, role: "X")
        let template = try QuantizedConverters.resultTemplate(context, scale: 3, zeroPoint: 4, defaultType: try context.type(of: x).elementType)
        try FloatConverters.emitPool(&context, isMax: false, x: x, template: template)
    }

    /// `QLinearConcat`: Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) triples.
    static func qlinearConcat(_ context: inout ImportContext) throws(DiagnosticError) {
        let template = try QuantizedConverters.resultTemplate(context, scale: 0, zeroPoint: 1, defaultType: .uint8)
        var inputs: [String] = []
        var index = 2
        while index + 2 < context.node.inputs.count {
            inputs.append(try QuantizedConverters.quantizedOperand(&context, index, scale: index + 1, zeroPoint: index + 2, role: "X\(inputs.count)"))
            index += 3
        }
        guard let first = inputs.first else { throw context.error("QLinearConcat needs at least one input") }
        let axis = try context.axis(try context.int("axis", default: 0), rank: try context.shape(of: first).count)
        let type = try WindowedEmission.resultType(context, .concat(axis: axis), inputs, template)
        try context.emitResult(.concat(axis: axis), inputs, outputType: type)
    }

    /// `QGemm` with a quantized output: `dense(A, B') + C` (C: int32 with scale a·b), requantized.
    /// `transA`, `alpha ≠ 1` and float outputs are not supported.
    static func qgemm(_ context: inout ImportContext) throws(DiagnosticError) {
        guard try context.int("transA", default: 0) == 0 else { throw context.error("transA 1 is not supported") }
        guard try context.float("alpha", default: 1) == 1 else { throw context.error("alpha ≠ 1 is not supported") }
        guard context.optionalInput(7) != nil else { throw context.error("QGemm with a float output (no y_scale) is not supported") }
        let a = try QuantizedConverters.quantizedOperand(&context, 0, scale: 1, zeroPoint: 2, role: "A")
        let transB = try context.int("transB", default: 0) != 0
        var b = try QuantizedConverters.quantizedOperand(&context, 3, scale: 4, zeroPoint: 5, axis: transB ? 0 : 1, role: "B")
        if transB {
            guard let codes = context.known[b], codes.shape.count == 2 else { throw context.error("transB needs a constant matrix B") }
            b = context.constantValue(FloatConverters.transposedMatrix(codes), "B_transposed")
        }
        let template = try QuantizedConverters.resultTemplate(context, scale: 7, zeroPoint: 8, defaultType: try context.type(of: a).elementType)
        var inputs = [a, b]
        if let c = context.optionalInput(6) {
            guard let bias = context.known[c], bias.type.elementType == .int32 else { throw context.error("C must be a constant int32 bias") }
            let columns = try context.shape(of: b)[1]
            guard bias.count == columns else { throw context.error("C of shape \(bias.shape) is not a per-column bias of \(columns)") }
            inputs.append(context.constantValue(bias.reshaped([columns]), "bias"))
        }
        try context.emitResult(.dense, inputs, outputType: try WindowedEmission.resultType(context, .dense, inputs, template))
    }
}
