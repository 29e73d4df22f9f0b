import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// FINN-style streamlining: the numeric adaptation of a dataflow target.
///
/// For every conv2d / dense whose accumulator is requantized to an integer activation:
///
/// 0. With ``KilnCompiler/CompileOptions/calibration``, the inputs run through the input graph
///    and each activation's M-bit range is the MSE-optimal clipping of its observed values
///    (``ActivationCalibration``); otherwise the original type's range is kept.
/// 1. **Weights** wider than the layer's `N` bits are re-quantized from their real values
///    (`(code − zeroPoint) · scale`) to `N`-bit narrow symmetric codes per output channel
///    (`scale' = max|w| / (2^(N−1) − 1)`, round half to even); the int32 bias is rescaled to
///    the new accumulator scale `inputScale' · scale'` (the input may have been streamlined too).
/// 2. **The requantization** becomes an unquantized int32 conv/dense followed by a
///    `multiThreshold` writing `M`-bit unsigned codes. The `M`-bit quantizer keeps the range of
///    the original output type (`[s·(qmin − z), s·(qmax − z)]` split into `2^M − 1` steps:
///    `s_M = s · (qmax − qmin) / (2^M − 1)`, `z_M = round(z · (2^M − 1) / (qmax − qmin))`) and
///    scales the accumulator with the target's requantization rule (float-scale: float32
///    multiplier `inputScale · scale' / s_M`, half to even). Its thresholds are the exact int32
///    accumulator values where the code steps (``ThresholdDerivation``), so the threshold form
///    equals that quantizer on every accumulator. A relu that is the layer's only consumer is
///    absorbed (codes below the zero point are never produced).
/// 3. Values downstream follow: pools, flatten, reshape keep the new `M`-bit type; a quantized
///    add of streamlined values writes `M`-bit codes over its original range.
///
/// The first layer still reads the u8 image; max pooling stays on codes. A layer whose output
/// leaves the stream (a graph output, or only dequantized into one) keeps its original width
/// unless `layerBits` names it.
struct StreamliningPass: GraphPass {
    /// The dataflow target.
    public let target: TargetDescription
    /// Bit widths and the log.
    public let options: CompileOptions

    /// Creates the pass.
    public init(target: TargetDescription, options: CompileOptions) {
        self.target = target
        self.options = options
    }

    /// `fpga-streamline`.
    public var name: String { "fpga-streamline" }
    /// One line.
    public var summary: String { "Re-quantize to low-bit weights and activations; requantization becomes multi-threshold" }

    /// Streamlines the graph.
    /// - Throws: ``DiagnosticError`` for bit widths the target cannot store, per-layer options
    ///   naming no layer, or scales that give no valid quantizer.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        let precision = try DataflowPrecision(target: target, options: options)
        let layers = graph.nodes.filter { $0.kind == .conv2d || $0.kind == .dense }.map(\.name)
        for node in options.layerBits.keys.sorted() where !layers.contains(node) {
            throw DiagnosticError(.error("layerBits names '\(node)', which is not a conv2d or dense node of '\(graph.name)' (its layers: \(layers.joined(separator: ", ")))"))
        }
        let rule = try thresholdRule()
        let consumers = graph.consumers()
        let calibration = try calibrate(graph, precision: precision, consumers: consumers)
        var result = graph
        result.nodes = []
        var streamlined = Set<String>()
        var absorbed = Set<String>()
        for node in graph.nodes where !absorbed.contains(node.name) {
            switch node.kind {
            case .conv2d, .dense:
                guard let layer = RequantizedLayer(node, in: result) else {
                    result.nodes.append(node)
                    options.log.note("kept as is: \(keptReason(node, in: result))", pass: name, node: node.name)
                    continue
                }
                var relu: Node?
                if let users = consumers[node.outputs[0]], users.count == 1, graph.nodes[users[0]].kind == .relu,
                   !graph.outputs.contains(node.outputs[0]),
                   graph.types[graph.nodes[users[0]].outputs[0]] == graph.types[node.outputs[0]] {
                    relu = graph.nodes[users[0]]
                }
                var layerPrecision = precision.precision(of: node.name)
                let produced = relu?.outputs[0] ?? node.outputs[0]
                var range = calibration?.ranges[produced]
                if options.layerBits[node.name] == nil, Self.leavesTheStream(produced, graph: graph, consumers: consumers),
                   let original = graph.types[produced], original.elementType.bitWidth > layerPrecision.activationBits {
                    layerPrecision.activationBits = original.elementType.bitWidth
                    range = nil
                    options.log.note("writes a network output: keeps \(original.elementType.bitWidth)-bit codes (like FINN's last layer, whose wide output goes to the host); layerBits overrides this",
                                     pass: name, node: node.name)
                }
                let output = try streamline(layer, originalInput: graph.types[node.inputs[0]], precision: layerPrecision, rule: rule,
                                            range: range, absorbing: relu, into: &result)
                if let relu { absorbed.insert(relu.name) }
                streamlined.insert(output)
            case .relu, .clip, .maxPool, .globalMaxPool, .flatten, .reshape, .squeeze, .unsqueeze, .transpose, .pad,
                 .averagePool, .globalAveragePool:
                result.nodes.append(node)
                guard let input = node.input(0), streamlined.contains(input), let inputType = result.types[input],
                      let old = result.types[node.outputs[0]] else { continue }
                result.types[node.outputs[0]] = inputType.withShape(old.shape)
                streamlined.insert(node.outputs[0])
                options.log.note("follows its input to \(inputType.withShape(old.shape))", pass: name, node: node.name)
            case .add, .sub, .mul:
                result.nodes.append(node)
                let bits = precision.precision(of: node.name).activationBits
                guard node.inputs.contains(where: streamlined.contains), let old = result.types[node.outputs[0]],
                      old.quantization != nil, case .integer(let width, _) = old.elementType, width > bits else { continue }
                let activation = ActivationQuantizer(original: old, bits: bits, range: calibration?.ranges[node.outputs[0]])
                result.types[node.outputs[0]] = activation.type
                streamlined.insert(node.outputs[0])
                options.log.note("\(node.kind.rawValue) of streamlined values writes \(activation.type) instead of \(old) (the same real range in \(activation.levels) steps)",
                                 pass: name, node: node.name)
            default:
                result.nodes.append(node)
            }
        }
        result.removeUnusedValues()
        return result
    }

    /// Runs the calibration inputs through the input graph and observes every value that may
    /// become an M-bit activation (nil without calibration inputs).
    private func calibrate(_ graph: Graph, precision: DataflowPrecision, consumers: [String: [Int]]) throws(DiagnosticError) -> ActivationCalibration? {
        guard let inputs = options.calibration, !inputs.isEmpty else { return nil }
        var watched: [String: Int] = [:]
        for node in graph.nodes {
            let bits = precision.precision(of: node.name).activationBits
            switch node.kind {
            case .conv2d, .dense:
                watched[node.outputs[0]] = bits
                if let users = consumers[node.outputs[0]], users.count == 1, graph.nodes[users[0]].kind == .relu {
                    watched[graph.nodes[users[0]].outputs[0]] = bits
                }
            case .add, .sub, .mul:
                watched[node.outputs[0]] = bits
            default:
                break
            }
        }
        let calibration = try ActivationCalibration(graph: graph, inputs: inputs, watched: watched)
        options.log.note("calibrated \(calibration.ranges.count) activation ranges on \(calibration.samples) samples (mean-squared-error clipping at each activation's width)",
                         pass: name)
        return calibration
    }

    /// Whether `value` leaves the streaming pipeline: a graph output, or read only by dequantize
    /// nodes whose results are graph outputs.
    static func leavesTheStream(_ value: String, graph: Graph, consumers: [String: [Int]]) -> Bool {
        if graph.outputs.contains(value) { return true }
        guard let users = consumers[value], !users.isEmpty else { return false }
        return users.allSatisfy { graph.nodes[$0].kind == .dequantize && graph.outputs.contains(graph.nodes[$0].outputs[0]) }
    }

    /// The rule the thresholds are derived from: the first of float-scale and fixed-point
    /// multiplier that the target's numerics list.
    private func thresholdRule() throws(DiagnosticError) -> RequantizationRule {
        guard let rule = target.numerics.requantization.first(where: { $0 == .floatScale || $0 == .fixedPointMultiplier }) else {
            throw DiagnosticError(.error("streamlining derives thresholds from a float-scale or fixed-point-multiplier quantizer; \(target.name) lists only \(target.numerics.requantization.map(\.rawValue).joined(separator: ", "))",
                                         file: target.file, place: "numerics.requantization"))
        }
        return rule
    }

    private func keptReason(_ node: Node, in graph: Graph) -> String {
        if let output = graph.types[node.outputs[0]], output.quantization == nil {
            return "writes an unquantized \(output.elementType.name) accumulator already"
        }
        return "not an integer layer with a constant quantized weight and a quantized integer output"
    }

    /// Rewrites one layer; returns the name of the value holding its M-bit codes.
    private func streamline(_ layer: RequantizedLayer, originalInput: TensorType?, precision: LayerPrecision, rule: RequantizationRule,
                            range: (minimum: Float, maximum: Float)?, absorbing relu: Node?,
                            into graph: inout Graph) throws(DiagnosticError) -> String {
        let node = layer.node
        let channels = layer.channels
        // 1. Weights.
        var weightName = node.inputs[1], weight = layer.weight
        var weightScales = (0..<channels).map { layer.weight.type.quantization!.scale(at: $0) }
        let oldScales = weightScales
        var weightNote = "weights stay \(weight.type.elementType.name)"
        if weight.type.elementType != .binary && weight.type.elementType.bitWidth > precision.weightBits {
            (weight, weightScales) = requantizedWeights(layer, bits: precision.weightBits)
            weightName = uniqueName("\(node.inputs[1]).i\(precision.weightBits)", in: graph)
            graph.constants[weightName] = weight
            graph.types[weightName] = weight.type
            weightNote = "weights \(layer.weight.type.elementType.name) → i\(precision.weightBits) (per-channel symmetric from the real weights)"
        }
        var inputs = [node.inputs[0], weightName]
        if let biasName = node.input(2) {
            guard let bias = graph.constants[biasName], let codes = bias.codes else {
                throw DiagnosticError(.error("the bias must be a constant int32 tensor to be rescaled", place: node.place))
            }
            // The bias is in units of (input scale × weight scale); both may have changed (an
            // upstream layer streamlined to a new activation scale, weights re-quantized).
            let oldInputScale = Double(originalInput?.quantization?.scale(at: 0) ?? layer.inputType.quantization!.scale(at: 0))
            let newInputScale = Double(layer.inputType.quantization!.scale(at: 0))
            if weightScales != oldScales || oldInputScale != newInputScale {
                let rescaled = codes.enumerated().map { index, code -> Int32 in
                    let ratio = oldInputScale * Double(oldScales[index % channels]) / (newInputScale * Double(weightScales[index % channels]))
                    return Int32(clamping: Int64((Double(code) * ratio).rounded(.toNearestOrEven)))
                }
                let newName = uniqueName("\(biasName).rescaled", in: graph)
                graph.constants[newName] = Tensor(shape: bias.shape, elementType: .int32, codes: rescaled)
                graph.types[newName] = graph.constants[newName]!.type
                inputs.append(newName)
                weightNote += ", bias rescaled to the new accumulator scale"
            } else {
                inputs.append(biasName)
            }
        }
        // 2. Accumulator and thresholds.
        let output = relu?.outputs[0] ?? node.outputs[0]
        let outputType = graph.types[node.outputs[0]]!
        let activation = ActivationQuantizer(original: outputType, bits: precision.activationBits, range: range)
        let accumulatorName = uniqueName("\(node.outputs[0]).accumulator", in: graph)
        graph.types[accumulatorName] = TensorType(shape: outputType.shape, elementType: .int32)
        graph.nodes.append(Node(name: node.name, operation: node.operation, inputs: inputs, outputs: [accumulatorName],
                                requantization: node.requantization))
        var table: [Int64] = []
        table.reserveCapacity(channels * activation.levels)
        let inputScale = layer.inputType.quantization!.scale(at: 0)
        let floor = relu == nil ? Int32(0) : activation.zeroPoint
        for channel in 0..<channels {
            let quantizer = try channelQuantizer(rule: rule, inputScale: inputScale, weightScale: weightScales[channel],
                                                 activation: activation, node: node)
            table += ThresholdDerivation.thresholds(lowest: 0, highest: Int32(activation.levels)) { Swift.max(quantizer($0), floor) }
        }
        let thresholdName = uniqueName("\(node.name).thresholds", in: graph)
        graph.constants[thresholdName] = Tensor(shape: [channels, activation.levels], int64s: table)
        graph.types[thresholdName] = graph.constants[thresholdName]!.type
        let axis = node.kind == .conv2d ? 1 : outputType.shape.count - 1
        graph.types[output] = activation.type.withShape(outputType.shape)
        graph.nodes.append(Node(name: "\(node.name).threshold", operation: .multiThreshold(MultiThreshold(offset: 0, channelAxis: axis)),
                                inputs: [accumulatorName, thresholdName], outputs: [output]))
        options.log.note("reads \(layer.inputType.elementType.name); \(weightNote); \(outputType.elementType.name) requantization → int32 accumulator + multiThreshold: \(activation.levels) thresholds × \(channels) channels (\(rule.rawValue) quantizer) → \(activation.type)\(relu.map { "; relu '\($0.name)' absorbed" } ?? "")",
                         pass: name, node: node.name)
        return output
    }

    /// The per-channel M-bit quantizer of the accumulator under `rule`.
    private func channelQuantizer(rule: RequantizationRule, inputScale: Float, weightScale: Float,
                                  activation: ActivationQuantizer, node: Node) throws(DiagnosticError) -> (Int32) -> Int32 {
        do {
            switch rule {
            case .fixedPointMultiplier:
                let real = Double(inputScale) * Double(weightScale) / Double(activation.scale)
                let requantizer = try FixedPointRequantizer(multiplier: FixedPointMultiplier(real: real), zeroPoint: activation.zeroPoint,
                                                            outputType: activation.type.elementType)
                return requantizer.apply
            default:
                let requantizer = try FloatScaleRequantizer(inputScale: inputScale, weightScale: weightScale, outputScale: activation.scale,
                                                            zeroPoint: activation.zeroPoint, outputType: activation.type.elementType)
                return requantizer.apply
            }
        } catch {
            throw DiagnosticError(.error("cannot build the \(activation.type.elementType.name) quantizer (input scale \(inputScale), weight scale \(weightScale), output scale \(activation.scale)): \(error)", place: node.place))
        }
    }

    /// N-bit narrow symmetric per-channel weights from the real values.
    private func requantizedWeights(_ layer: RequantizedLayer, bits: Int) -> (Tensor, [Float]) {
        let weight = layer.weight
        let quantization = weight.type.quantization!
        let codes = weight.codes!
        let channels = layer.channels
        let highest = Int32((1 << (bits - 1)) - 1)
        func channel(of index: Int) -> Int { layer.channelAxis == 0 ? index / (codes.count / channels) : index % channels }
        var largest = [Float](repeating: 0, count: channels)
        var reals = [Float](repeating: 0, count: codes.count)
        for (index, code) in codes.enumerated() {
            let c = channel(of: index)
            let real = LinearQuantization.dequantize(code, scale: quantization.scale(at: c), zeroPoint: quantization.zeroPoint(at: c))
            reals[index] = real
            largest[c] = Swift.max(largest[c], abs(real))
        }
        let scales = (0..<channels).map { c -> Float in
            let scale = largest[c] / Float(highest)
            return scale > 0 && scale.isFinite ? scale : quantization.scale(at: c)
        }
        let newCodes = reals.enumerated().map { index, real in
            LinearQuantization.quantize(real, scale: scales[channel(of: index)], zeroPoint: 0, minimumCode: -highest, maximumCode: highest)
        }
        let type = ElementType.integer(bits: bits, signed: true)
        let tensor = Tensor(shape: weight.shape, elementType: type, codes: newCodes,
                            quantization: QuantizationParameters(scales: scales, zeroPoints: [Int32](repeating: 0, count: channels),
                                                                 axis: layer.channelAxis))
        return (tensor, scales)
    }

    private func uniqueName(_ base: String, in graph: Graph) -> String {
        var name = base, counter = 1
        while graph.types[name] != nil { counter += 1; name = "\(base)_\(counter)" }
        return name
    }
}

/// A conv2d / dense that requantizes its accumulator: integer quantized input, constant
/// integer quantized weight, quantized integer output.
struct RequantizedLayer {
    let node: Node
    let inputType: TensorType
    let weight: Tensor
    /// 0 for conv2d (OIHW), 1 for dense ([K, N]).
    let channelAxis: Int
    let channels: Int

    init?(_ node: Node, in graph: Graph) {
        guard node.outputs.count == 1, let x = node.input(0), let inputType = graph.types[x], inputType.elementType.isInteger,
              inputType.quantization != nil,
              let w = node.input(1), let weight = graph.constants[w], weight.codes != nil, weight.type.quantization != nil,
              weight.shape.count == (node.kind == .conv2d ? 4 : 2),
              let output = graph.types[node.outputs[0]], output.quantization != nil, case .integer = output.elementType else { return nil }
        self.node = node
        self.inputType = inputType
        self.weight = weight
        channelAxis = node.kind == .conv2d ? 0 : 1
        channels = weight.shape[channelAxis]
        guard channels > 0, let quantization = weight.type.quantization,
              quantization.scales.count == 1 || quantization.scales.count == channels else { return nil }
    }
}

/// The M-bit unsigned activation that replaces a wider quantized output over the same real range.
struct ActivationQuantizer {
    /// `2^M − 1`: the number of thresholds.
    let levels: Int
    let scale: Float
    let zeroPoint: Int32
    let type: TensorType

    /// - Parameters:
    ///   - original: the value's type before streamlining.
    ///   - bits: M.
    ///   - range: a calibrated real range; nil keeps the original type's range.
    init(original: TensorType, bits: Int, range: (minimum: Float, maximum: Float)? = nil) {
        let quantization = original.quantization!
        levels = (1 << bits) - 1
        let element = ElementType.integer(bits: bits, signed: false)
        let low = original.elementType.minimumCode, high = original.elementType.maximumCode
        let span = Double(high - low)
        if let range, let scheme = try? QuantizationScheme(bits: bits, signed: false, symmetric: false),
           let parameters = try? scheme.parameters(minimum: range.minimum, maximum: range.maximum), range.maximum > range.minimum {
            scale = parameters.scale(at: 0)
            zeroPoint = parameters.zeroPoint(at: 0)
        } else if original.elementType == element {
            scale = quantization.scale(at: 0)
            zeroPoint = quantization.zeroPoint(at: 0)
        } else {
            scale = quantization.scale(at: 0) * Float(span) / Float(levels)
            let zero = (Double(Int64(quantization.zeroPoint(at: 0)) - low) * Double(levels) / span).rounded(.toNearestOrEven)
            zeroPoint = Int32(Swift.min(Swift.max(zero, 0), Double(levels)))
        }
        type = TensorType(shape: original.shape, elementType: element, quantization: QuantizationParameters(scale: scale, zeroPoint: zeroPoint))
    }
}
