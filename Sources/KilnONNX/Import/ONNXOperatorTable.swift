import KilnDiagnostics

/// Converts the node in an ``ImportContext`` to IR nodes (or folds it into a constant).
typealias ONNXConverter = @Sendable (inout ImportContext) throws(DiagnosticError) -> Void

/// The ONNX operators Kiln imports: a table from `domain:opType` to converter.
///
/// The default domain is written without a prefix (`Conv`); contrib ops carry theirs
/// (`com.microsoft:QLinearAdd`).
enum ONNXOperatorTable {
    /// The table key of an op type in a domain (`ai.onnx` is the default domain).
    static func key(domain: String, opType: String) -> String {
        domain.isEmpty || domain == "ai.onnx" ? opType : "\(domain):\(opType)"
    }

    /// The converter of a node, or nil if Kiln does not import its op.
    static func converter(for node: ONNXNode) -> ONNXConverter? {
        converters[key(domain: node.domain, opType: node.opType)]
    }

    /// Every supported op, by key.
    static let converters: [String: ONNXConverter] = [
        // Convolution and matrix products.
        "Conv": FloatConverters.conv,
        "Gemm": FloatConverters.gemm,
        "MatMul": FloatConverters.matmul,
        // Elementwise arithmetic (int64 constants are folded as shape arithmetic).
        "Add": FloatConverters.binary(.add),
        "Sub": FloatConverters.binary(.sub),
        "Mul": FloatConverters.binary(.mul),
        "Div": FloatConverters.binary(.div),
        // Activations.
        "Relu": FloatConverters.unary(.relu),
        "LeakyRelu": FloatConverters.leakyRelu,
        "Clip": FloatConverters.clip,
        "Sigmoid": FloatConverters.unary(.sigmoid),
        "Tanh": FloatConverters.unary(.tanh),
        "HardSwish": FloatConverters.unary(.hardSwish),
        "HardSigmoid": FloatConverters.hardSigmoid,
        "Erf": FloatConverters.unary(.erf),
        "Gelu": FloatConverters.gelu,
        "Sign": FloatConverters.sign,
        // Pooling.
        "MaxPool": FloatConverters.pool(max: true),
        "AveragePool": FloatConverters.pool(max: false),
        "GlobalAveragePool": FloatConverters.globalPool(.globalAveragePool),
        "GlobalMaxPool": FloatConverters.globalPool(.globalMaxPool),
        // Normalization.
        "Softmax": FloatConverters.softmax,
        "BatchNormalization": FloatConverters.batchNorm,
        "LayerNormalization": FloatConverters.layerNorm,
        "Identity": FloatConverters.identity,
        "Dropout": FloatConverters.identity,
        // Data movement.
        "Flatten": ShapeConverters.flatten,
        "Gather": ShapeConverters.gather,
        "Reshape": ShapeConverters.reshape,
        "Transpose": ShapeConverters.transpose,
        "Concat": ShapeConverters.concat,
        "Pad": ShapeConverters.pad,
        "Squeeze": ShapeConverters.squeeze,
        "Unsqueeze": ShapeConverters.unsqueeze,
        // Shape computations on constants, folded at import.
        "Constant": ShapeConverters.constant,
        "Shape": ShapeConverters.shape,
        "Size": ShapeConverters.size,
                "Slice": ShapeConverters.slice,
        "Cast": ShapeConverters.cast,
        "ConstantOfShape": ShapeConverters.constantOfShape,
        // Transformer heads and masks.
        "Max": TransformerConverters.extremum(.maximum),
        "Min": TransformerConverters.extremum(.minimum),
        "Pow": TransformerConverters.power,
        "Sqrt": FloatConverters.unary(.sqrt),
        "Round": FloatConverters.unary(.round),
        "Where": TransformerConverters.select,
        "Expand": TransformerConverters.expand,
        "Equal": TransformerConverters.compare(.equal),
        "Less": TransformerConverters.compare(.less),
        "LessOrEqual": TransformerConverters.compare(.lessOrEqual),
        "Greater": TransformerConverters.compare(.greater),
        "GreaterOrEqual": TransformerConverters.compare(.greaterOrEqual),
        "And": TransformerConverters.logical(.and),
        "Or": TransformerConverters.logical(.or),
        "Xor": TransformerConverters.logical(.xor),
        "ReduceSum": TransformerConverters.reduce(.sum, axesInputSince: 13),
        "ReduceMax": TransformerConverters.reduce(.max, axesInputSince: 18),
        "ReduceMin": TransformerConverters.reduce(.min, axesInputSince: 18),
        "ReduceL2": TransformerConverters.reduce(.l2, axesInputSince: 18),
        "ReduceMean": TransformerConverters.reduce(nil, axesInputSince: 18),
        // Quantized ops.
        "QuantizeLinear": QuantizedConverters.quantizeLinear,
        "DequantizeLinear": QuantizedConverters.dequantizeLinear,
        "QLinearConv": QuantizedConverters.qlinearConv,
        "QLinearMatMul": QuantizedConverters.qlinearMatMul,
        "ConvInteger": QuantizedConverters.convInteger,
        "MatMulInteger": QuantizedConverters.matMulInteger,
        "DynamicQuantizeLinear": QuantizedConverters.dynamicQuantizeLinear,
        // ONNX Runtime contrib ops (what its quantizer emits).
        "com.microsoft:QuantizeLinear": QuantizedConverters.quantizeLinear,
        "com.microsoft:DequantizeLinear": QuantizedConverters.dequantizeLinear,
        "com.microsoft:QGemm": ContribConverters.qgemm,
        "com.microsoft:QLinearAdd": ContribConverters.qlinearBinary(.add),
        "com.microsoft:QLinearMul": ContribConverters.qlinearBinary(.mul),
        "com.microsoft:QLinearGlobalAveragePool": ContribConverters.qlinearGlobalAveragePool,
        "com.microsoft:QLinearAveragePool": ContribConverters.qlinearAveragePool,
        "com.microsoft:QLinearConcat": ContribConverters.qlinearConcat,
        "com.microsoft:QLinearLeakyRelu": ContribConverters.qlinearUnary { (context: ImportContext) throws(DiagnosticError) in
            .leakyRelu(alpha: try context.float("alpha", default: 0.01))
        },
        "com.microsoft:QLinearSigmoid": ContribConverters.qlinearUnary { (_: ImportContext) throws(DiagnosticError) in .sigmoid },
        // QONNX (Brevitas / FINN), under its current and its older FINN domain.
        "qonnx.custom_op.general:Quant": QONNXConverters.quant,
        "qonnx.custom_op.general:BipolarQuant": QONNXConverters.bipolarQuant,
        "qonnx.custom_op.general:Trunc": QONNXConverters.trunc,
        "qonnx.custom_op.general:MultiThreshold": QONNXConverters.multiThreshold,
        "finn.custom_op.general:Quant": QONNXConverters.quant,
        "finn.custom_op.general:BipolarQuant": QONNXConverters.bipolarQuant,
        "finn.custom_op.general:Trunc": QONNXConverters.trunc,
        "finn.custom_op.general:MultiThreshold": QONNXConverters.multiThreshold,
    ]
}
