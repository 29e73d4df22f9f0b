import KilnDiagnostics
import KilnIR
import KilnNumerics

/// `quantize-operators`: rewrites a calibrated float graph into Kiln's quantized IR, in the form
/// ONNX import gives an ONNX Runtime QDQ model, so every backend accepts it.
///
/// * A float value is quantized where a quantized op first reads it (`quantize` with its
///   calibrated parameters) and dequantized where a float op or a graph output reads it.
/// * conv2d / dense / matmul with constant weights: symmetric integer weights (per channel or per
///   tensor, zero point 0), an int32 bias with scale `sx · sw[c]`, the output quantized with its
///   calibrated parameters (`floatScale` requantization). A conv whose input is binary and whose
///   weights are `±s_c` per output channel gets binary weights.
/// * A relu, or a clip at 0, that is the only reader of a requantizing op's output is folded in by
///   quantizing that op's output with the activation's parameters, whose zero point is the lowest
///   code (as ONNX Runtime's quantizer does). Otherwise relu and clip clamp codes.
/// * A `sign` that is the only reader of a conv2d / dense output becomes: the layer with its raw
///   int32 accumulator → `add` of a per-channel int32 constant `−T_c` → `sign` (see ``BinaryThreshold``).
/// * add / sub / mul, average pools, concat and table activations (sigmoid, tanh, ...) run on codes
///   with calibrated output parameters; max pools and data movement keep their input's codes.
/// * Everything else (softmax, layerNorm, ...) stays float.
public struct QuantizeOperatorsPass: GraphPass {
    /// The pass's name.
    public let name = "quantize-operators"
    /// What the pass does.
    public let summary = "rewrite a calibrated float graph into integer operators (quantize → integer layers → dequantize)"
    /// Bit widths and granularity.
    public let options: QuantizationOptions
    /// The calibrated parameters of the graph's float values, by value name.
    public let activationParameters: [String: QuantizationParameters]

    /// Creates the pass.
    public init(options: QuantizationOptions, activationParameters: [String: QuantizationParameters]) {
        self.options = options
        self.activationParameters = activationParameters
    }

    /// Returns the quantized graph.
    /// - Throws: ``DiagnosticError`` for invalid options or naming the node whose constants cannot be quantized.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        try rewrite(graph).graph
    }

    /// The quantized graph, the layers quantized (without SQNR) and the nodes left in float.
    func rewrite(_ graph: Graph) throws(DiagnosticError) -> (graph: Graph, layers: [LayerQuantizationReport], floatNodes: [String]) {
        try options.validate()
        var writer = QuantizedGraphWriter(source: graph, options: options, parameters: activationParameters)
        try writer.writeNodes()
        writer.finishOutputs()
        var result = writer.graph
        result.removeUnusedValues()
        return (result, writer.layers, writer.floatNodes)
    }
}

/// The state of one rewrite: the graph being written and, for every value of the float graph,
/// the names of its float and code forms in the new graph.
private struct QuantizedGraphWriter {
    let source: Graph
    let options: QuantizationOptions
    let parameters: [String: QuantizationParameters]
    let readers: [String: [Int]]
    var graph: Graph
    var floatForm: [String: String] = [:]
    var codeForm: [String: String] = [:]
    var fusedNodes = Set<Int>()
    var usedNames: Set<String>
    var layers: [LayerQuantizationReport] = []
    var floatNodes: [String] = []

    init(source: Graph, options: QuantizationOptions, parameters: [String: QuantizationParameters]) {
        self.source = source
        self.options = options
        self.parameters = parameters
        readers = source.consumers()
        graph = Graph(name: source.name, inputs: source.inputs, outputs: source.outputs, types: [:],
                      constants: source.constants, nodes: [])
        usedNames = Set(source.types.keys).union(source.nodes.map(\.name))
        for (name, tensor) in source.constants {
            graph.types[name] = tensor.type
            if tensor.type.elementType.isFloat { floatForm[name] = name } else { codeForm[name] = name }
        }
        for name in source.inputs {
            graph.types[name] = source.types[name]
            if source.types[name]?.elementType.isFloat ?? true { floatForm[name] = name } else { codeForm[name] = name }
        }
    }

    // MARK: Names and forms

    mutating func uniqueName(_ base: String) -> String {
        var name = base, counter = 1
        while usedNames.contains(name) { counter += 1; name = "\(base)_\(counter)" }
        usedNames.insert(name)
        return name
    }

    /// The name of the new graph's value holding `value` as codes: the float graph's name, except
    /// for float graph outputs, which keep their name for the final dequantize.
    mutating func codesName(for value: String) -> String {
        let isFloatOutput = source.outputs.contains(value) && source.types[value]?.elementType.isFloat == true
        return isFloatOutput ? uniqueName(value + "_codes") : value
    }

    mutating func append(_ node: Node, outputTypes: [TensorType]) {
        for (output, type) in zip(node.outputs, outputTypes) { graph.types[output] = type }
        graph.nodes.append(node)
    }

    func isConstant(_ value: String) -> Bool { source.constants[value] != nil }

    /// Whether `value` is available as codes, or can be quantized (a calibrated, non-constant float).
    func canProvideCodes(_ value: String) -> Bool {
        codeForm[value] != nil || (floatForm[value] != nil && !isConstant(value) && parameters[value] != nil)
    }

    /// The codes of `value`, inserting a `quantize` with its calibrated parameters when needed.
    mutating func codes(of value: String) -> String {
        if let existing = codeForm[value] { return existing }
        let type = TensorType(shape: source.types[value]!.shape, elementType: options.activationScheme.elementType,
                              quantization: parameters[value]!)
        let output = uniqueName(value + "_quantized")
        append(Node(name: uniqueName(value + "_quantize"), operation: .quantize, inputs: [floatForm[value]!], outputs: [output]),
               outputTypes: [type])
        codeForm[value] = output
        return output
    }

    /// The float form of `value`, inserting a `dequantize` when needed.
    mutating func float(of value: String) -> String {
        if let existing = floatForm[value] { return existing }
        let codes = codeForm[value]!
        let output = source.outputs.contains(value) && codes != value ? value : uniqueName(value + "_dequantized")
        usedNames.insert(output)
        append(Node(name: uniqueName(value + "_dequantize"), operation: .dequantize, inputs: [codes], outputs: [output]),
               outputTypes: [.float32(source.types[value]!.shape)])
        floatForm[value] = output
        return output
    }

    /// The single reader of `value` when it has exactly one and is not a graph output.
    func soleReader(of value: String) -> Int? {
        guard let indices = readers[value], indices.count == 1, !source.outputs.contains(value) else { return nil }
        return indices[0]
    }

    /// Where a requantizing op's output goes: its calibrated parameters, or those of a following
    /// relu / clip-at-0 whose zero point is the lowest code (then that node is folded in).
    func outputPlan(for node: Node) -> (value: String, parameters: QuantizationParameters, fused: Int?)? {
        let output = node.outputs[0]
        if let index = soleReader(of: output) {
            let activation = source.nodes[index]
            let foldable: Bool = switch activation.operation {
            case .relu: true
            case .clip(let minimum, _): minimum == 0
            default: false
            }
            if foldable, let folded = parameters[activation.outputs[0]],
               Int64(folded.zeroPoints[0]) == options.activationScheme.minimumCode {
                return (activation.outputs[0], folded, index)
            }
        }
        guard let own = parameters[output] else { return nil }
        return (output, own, nil)
    }

    func activationType(_ value: String, _ quantization: QuantizationParameters) -> TensorType {
        TensorType(shape: source.types[value]!.shape, elementType: options.activationScheme.elementType, quantization: quantization)
    }

    // MARK: Nodes

    mutating func writeNodes() throws(DiagnosticError) {
        for (index, node) in source.nodes.enumerated() where !fusedNodes.contains(index) {
            let written: Bool
            switch node.kind {
            case .conv2d, .dense, .matmul:
                written = try writeMultiplyAccumulate(node)
            case .add, .sub, .mul, .averagePool, .globalAveragePool, .concat,
                 .leakyRelu, .sigmoid, .tanh, .hardSwish, .hardSigmoid, .gelu, .erf:
                written = writeRequantizing(node)
            case .maxPool, .globalMaxPool, .reshape, .flatten, .transpose, .squeeze, .unsqueeze, .pad, .relu, .clip:
                written = writeOnCodes(node)
            case .sign:
                written = writeSign(node)
            case .dequantize:
                if let codes = codeForm[node.inputs[0]] {
                    codeForm[node.outputs[0]] = codes
                    written = true
                } else {
                    written = false
                }
            default:
                written = false
            }
            if !written { copyInFloat(node) }
        }
    }

    /// Copies a node unchanged (float ops, and integer ops of an already quantized model), its float
    /// inputs dequantized where needed.
    mutating func copyInFloat(_ node: Node) {
        var copy = node
        copy.inputs = node.inputs.map { input in
            guard !input.isEmpty else { return input }
            if source.types[input]?.elementType.isFloat ?? true { return float(of: input) }
            return codeForm[input] ?? float(of: input)
        }
        copy.outputs = node.outputs.map { output in
            let isFloat = source.types[output]?.elementType.isFloat ?? true
            let name = isFloat ? output : codesName(for: output)
            if isFloat { floatForm[output] = name } else { codeForm[output] = name }
            return name
        }
        append(copy, outputTypes: node.outputs.map { source.types[$0]! })
        // Nodes of an already quantized model are copied too; only float results count as left in float.
        if node.outputs.contains(where: { source.types[$0]?.elementType.isFloat ?? true }) { floatNodes.append(node.name) }
    }

    /// conv2d / dense / matmul with a constant float weight (and bias).
    mutating func writeMultiplyAccumulate(_ node: Node) throws(DiagnosticError) -> Bool {
        guard let weightName = node.input(1), let weights = source.constants[weightName], weights.floats != nil,
              weights.shape.count >= 2 else { return false }
        var bias: Tensor?
        if let biasName = node.input(2) {
            guard let constant = source.constants[biasName], constant.floats != nil else { return false }
            bias = constant
        }
        let input = node.inputs[0]
        guard canProvideCodes(input) else { return false }
        let output = node.outputs[0]
        let signIndex = soleReader(of: output).flatMap { source.nodes[$0].kind == .sign ? $0 : nil }
        let plan = signIndex == nil ? outputPlan(for: node) : nil
        guard signIndex != nil || plan != nil else { return false }

        let inputCodes = codes(of: input)
        let inputType = graph.types[inputCodes]!
        guard let inputQuantization = inputType.quantization, inputQuantization.isPerTensor else { return false }
        let channelAxis = PruneWeightsPass.outputChannelAxis(of: node, weightRank: weights.shape.count)
        let quantizedWeights: Tensor
        do {
            if inputType.elementType == .binary, node.kind == .conv2d,
               let binary = WeightQuantizer.binaryWeights(weights, channelAxis: channelAxis) {
                quantizedWeights = binary
            } else {
                quantizedWeights = try WeightQuantizer.symmetricIntegerWeights(
                    weights, channelAxis: options.perChannelWeights ? channelAxis : nil, bits: options.weightBits(for: node.name))
            }
        } catch {
            throw DiagnosticError(.error("cannot quantize weights '\(weightName)': \(error)", place: node.place))
        }
        let weightValue = uniqueName(weightName + "_quantized")
        graph.constants[weightValue] = quantizedWeights
        graph.types[weightValue] = quantizedWeights.type
        let zeroCodes = quantizedWeights.codes!.count(where: { $0 == 0 })
        var layer = LayerQuantizationReport(node: node.name, operation: node.kind, form: .integer, floatValue: output,
                                            quantizedValue: output, outputType: inputType, weightType: quantizedWeights.type,
                                            fusedActivation: nil,
                                            weightSparsity: Double(zeroCodes) / Double(max(quantizedWeights.count, 1)))

        if let signIndex {
            try writeThresholdSign(node, inputCodes: inputCodes, weights: quantizedWeights, weightValue: weightValue,
                                   bias: bias, signIndex: signIndex, layer: &layer)
            layers.append(layer)
            return true
        }
        let (finalValue, outputQuantization, fused) = plan!
        var inputs = [inputCodes, weightValue]
        if let bias {
            let quantizedBias = WeightQuantizer.bias(bias, inputScale: inputQuantization.scales[0], weights: quantizedWeights)
            let biasValue = uniqueName(node.inputs[2] + "_quantized")
            graph.constants[biasValue] = quantizedBias
            graph.types[biasValue] = quantizedBias.type
            inputs.append(biasValue)
        }
        let outputName = codesName(for: finalValue)
        let outputType = activationType(finalValue, outputQuantization)
        append(Node(name: node.name, operation: node.operation, inputs: inputs, outputs: [outputName], requantization: .floatScale),
               outputTypes: [outputType])
        codeForm[finalValue] = outputName
        if let fused { fusedNodes.insert(fused) }
        layer.floatValue = finalValue
        layer.quantizedValue = outputName
        layer.outputType = outputType
        layer.fusedActivation = fused.map { source.nodes[$0].kind }
        layers.append(layer)
        return true
    }

    /// The layer's raw int32 accumulator → `add` of `−T_c` per channel → `sign`.
    mutating func writeThresholdSign(_ node: Node, inputCodes: String, weights: Tensor, weightValue: String, bias: Tensor?,
                                     signIndex: Int, layer: inout LayerQuantizationReport) throws(DiagnosticError) {
        let signNode = source.nodes[signIndex]
        let inputType = graph.types[inputCodes]!
        let inputScale = Double(inputType.quantization!.scales[0])
        let inputZero = Int64(inputType.quantization!.zeroPoints[0])
        let inputMagnitude = inputType.elementType == .binary
            ? 1 : max(inputZero - inputType.elementType.minimumCode, inputType.elementType.maximumCode - inputZero)
        let weightQuantization = weights.type.quantization!
        let channels = weights.shape[PruneWeightsPass.outputChannelAxis(of: node, weightRank: weights.shape.count)]
        let depth = Int64(weights.count / max(channels, 1))
        let codes = weights.codes!
        let weightMagnitude = Int64(codes.map { abs($0) }.max() ?? 0)
        let (product, overflow) = depth.multipliedReportingOverflow(by: inputMagnitude * weightMagnitude)
        let bound = overflow ? Int64.max : product
        let biasValues = bias?.floats
        var negatedThresholds = [Int32]()
        for channel in 0..<channels {
            let scale = inputScale * Double(weightQuantization.scale(at: channel))
            let threshold = BinaryThreshold(bias: Double(biasValues?[channel] ?? 0), accumulatorScale: scale, accumulatorBound: bound)
            negatedThresholds.append(-threshold.threshold)
        }
        let output = node.outputs[0]
        let outputShape = source.types[output]!.shape
        let thresholdShape = node.kind == .conv2d ? [channels, 1, 1] : [channels]
        let thresholdValue = uniqueName(node.name + "_negated_thresholds")
        let thresholds = Tensor(shape: thresholdShape, elementType: .int32, codes: negatedThresholds)
        graph.constants[thresholdValue] = thresholds
        graph.types[thresholdValue] = thresholds.type

        let accumulator = uniqueName(output + "_accumulator")
        append(Node(name: node.name, operation: node.operation, inputs: [inputCodes, weightValue], outputs: [accumulator]),
               outputTypes: [TensorType(shape: outputShape, elementType: .int32)])
        let centered = uniqueName(output + "_minus_threshold")
        append(Node(name: uniqueName(node.name + "_threshold"), operation: .add, inputs: [accumulator, thresholdValue], outputs: [centered]),
               outputTypes: [TensorType(shape: outputShape, elementType: .int32)])
        let signOutput = signNode.outputs[0]
        let signName = codesName(for: signOutput)
        let signType = Self.binaryType(source.types[signOutput]!.shape)
        append(Node(name: signNode.name, operation: .sign, inputs: [centered], outputs: [signName]), outputTypes: [signType])
        codeForm[signOutput] = signName
        fusedNodes.insert(signIndex)
        layer.form = .threshold
        layer.floatValue = signOutput
        layer.quantizedValue = signName
        layer.outputType = signType
        layer.fusedActivation = .sign
    }

    /// A binary value with scale 1: how `sign` outputs are typed.
    static func binaryType(_ shape: [Int]) -> TensorType {
        TensorType(shape: shape, elementType: .binary, quantization: QuantizationParameters(scale: 1))
    }

    /// add / sub / mul / pools / concat / table activations: codes in, calibrated codes out.
    mutating func writeRequantizing(_ node: Node) -> Bool {
        let inputs = node.inputs.filter { !$0.isEmpty }
        guard !inputs.isEmpty, inputs.allSatisfy({ canProvideCodes($0) }), let plan = outputPlan(for: node) else { return false }
        // Binary codes are ±1 with no code for zero; arithmetic on them stays in float.
        let readsBinary = inputs.contains { codeForm[$0].flatMap { graph.types[$0] }?.elementType == .binary }
        guard !readsBinary else { return false }
        let inputCodes = inputs.map { codes(of: $0) }
        let outputName = codesName(for: plan.value)
        let outputType = activationType(plan.value, plan.parameters)
        append(Node(name: node.name, operation: node.operation, inputs: inputCodes, outputs: [outputName]), outputTypes: [outputType])
        codeForm[plan.value] = outputName
        if let fused = plan.fused { fusedNodes.insert(fused) }
        layers.append(LayerQuantizationReport(node: node.name, operation: node.kind, form: .integer, floatValue: plan.value,
                                              quantizedValue: outputName, outputType: outputType, weightType: nil,
                                              fusedActivation: plan.fused.map { source.nodes[$0].kind }, weightSparsity: nil))
        return true
    }

    /// Max pooling, data movement, relu and clip on codes that already exist: same parameters out.
    mutating func writeOnCodes(_ node: Node) -> Bool {
        guard let inputCodes = codeForm[node.inputs[0]] else { return false }
        let inputType = graph.types[inputCodes]!
        let isClamp = node.kind == .relu || node.kind == .clip
        if isClamp && (inputType.elementType == .binary || inputType.quantization == nil) { return false }
        let output = node.outputs[0]
        let outputName = codesName(for: output)
        append(Node(name: node.name, operation: node.operation, inputs: [inputCodes], outputs: [outputName]),
               outputTypes: [inputType.withShape(source.types[output]!.shape)])
        codeForm[output] = outputName
        return true
    }

    /// `sign` on codes (`q ≥ zp`) or on floats; the output is binary with scale 1.
    mutating func writeSign(_ node: Node) -> Bool {
        let input = node.inputs[0]
        let operand = codeForm[input] ?? float(of: input)
        let output = node.outputs[0]
        let outputName = codesName(for: output)
        append(Node(name: node.name, operation: .sign, inputs: [operand], outputs: [outputName]),
               outputTypes: [Self.binaryType(source.types[output]!.shape)])
        codeForm[output] = outputName
        return true
    }

    /// Makes every graph output available under its own name, float outputs dequantized.
    mutating func finishOutputs() {
        for output in source.outputs where source.types[output]?.elementType.isFloat ?? true {
            _ = float(of: output)
        }
    }
}
