import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// conv2d / dense → sliding-window generator + MVAU, fusing the following `multiThreshold` when
/// the accumulator feeds only it.
struct MatrixVectorActivationPattern: LoweringPattern {
    let root: OperatorKind
    var name: String { "mvau-\(root.rawValue)" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard target.section(DataflowSection.self) != nil else { return .rejected("the target is not a dataflow design") }
        guard let x = node.input(0), let inputType = graph.types[x], inputType.elementType.isInteger,
              inputType.elementType.storage == .int32, inputType.quantization?.isPerTensor ?? true else {
            return .rejected("the engine streams integer codes with per-tensor parameters")
        }
        guard let w = node.input(1), let weight = graph.constants[w], weight.codes != nil else {
            return .rejected("weights must be constant integer codes (they are synthesized into the engine)")
        }
        if let bias = node.input(2), graph.constants[bias]?.codes == nil {
            return .rejected("the bias must be a constant int32 tensor")
        }
        guard node.outputs.count == 1, let accumulatorType = graph.types[node.outputs[0]],
              accumulatorType.quantization == nil, accumulatorType.elementType == .int32 else {
            return .rejected("writes \(graph.types[node.outputs[0]].map(String.init(describing:)) ?? "?"): an MVAU outputs thresholded codes or raw i32 accumulators; the fpga-streamline pass turns requantized outputs into thresholds")
        }
        let window: SlidingWindowGenerator
        let outputChannels: Int
        let channelAxis: Int
        switch node.operation {
        case .conv2d(let attributes):
            guard inputType.shape.count == 4, weight.shape.count == 4, accumulatorType.shape.count == 4 else {
                return .rejected("conv2d needs NCHW input and OIHW weights")
            }
            outputChannels = weight.shape[0]
            window = SlidingWindowGenerator(batch: inputType.shape[0], channels: inputType.shape[1], height: inputType.shape[2],
                                            width: inputType.shape[3], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                                            strides: attributes.strides, dilations: attributes.dilations, pads: attributes.pads,
                                            outputHeight: accumulatorType.shape[2], outputWidth: accumulatorType.shape[3],
                                            groups: attributes.groups)
            channelAxis = 1
        case .dense:
            guard weight.shape.count == 2, let depth = inputType.shape.last, depth == weight.shape[0], depth > 0 else {
                return .rejected("dense needs x[..., K] and w[K, N]")
            }
            outputChannels = weight.shape[1]
            window = .dense(rows: (Shape.elementCount(inputType.shape) ?? 0) / depth, depth: depth)
            channelAxis = accumulatorType.shape.count - 1
        default:
            return .rejected("not a conv2d or dense")
        }
        guard outputChannels > 0, window.groups > 0, outputChannels % window.groups == 0 else {
            return .rejected("\(outputChannels) output channels do not split into \(window.groups) groups")
        }
        // Fuse the thresholding stage.
        var covered = [node]
        var thresholds: Tensor?
        var offset = 0
        var outputType = accumulatorType
        if let reader = context.uses.soleReader(of: node.outputs[0]), case .multiThreshold(let attributes) = graph.nodes[reader].operation {
            let thresholdNode = graph.nodes[reader]
            if let table = thresholdNode.input(1).flatMap({ graph.constants[$0] }), table.integers != nil, table.shape.count == 2,
               table.shape[0] == 1 || table.shape[0] == outputChannels, attributes.channelAxis == channelAxis,
               let type = graph.types[thresholdNode.outputs[0]], type.elementType != .binary,
               type.elementType.contains(Int64(attributes.offset)), type.elementType.contains(Int64(attributes.offset) + Int64(table.shape[1])) {
                covered.append(thresholdNode)
                thresholds = table
                offset = attributes.offset
                outputType = type
            }
        } else if let reader = context.uses.soleReader(of: node.outputs[0]), graph.nodes[reader].kind == .sign,
                  let type = graph.types[graph.nodes[reader].outputs[0]], type.elementType == .binary {
            // A binarized layer: sign(acc) is one threshold at 0 (acc ≥ 0 → +1), fused like FINN's.
            covered.append(graph.nodes[reader])
            thresholds = Tensor(shape: [1, 1], elementType: .int32, codes: [0])
            outputType = type
        } else if let add = context.fusibleFollower(of: index, accepts: {
                      context.channelAddend(of: $0, channels: outputChannels, channelAxis: channelAxis) != nil }),
                  let addend = context.channelAddend(of: graph.nodes[add], channels: outputChannels, channelAxis: channelAxis),
                  let sign = context.fusibleFollower(of: add, accepts: { $0.kind == .sign }),
                  let type = graph.types[graph.nodes[sign].outputs[0]], type.elementType == .binary,
                  Self.largestAccumulator(input: inputType, weight: weight, bias: node.input(2).flatMap { graph.constants[$0] },
                                          channels: outputChannels, isDense: root == .dense)
                    + (addend.map { abs(Int64($0)) }.max() ?? 0) <= Int64(Int32.max) {
            // The quantizer's threshold form sign(acc + a_c): acc + a_c ≥ 0 ⟺ acc ≥ −a_c, one threshold
            // per channel (exact: the bound shows the reference's int32 add cannot wrap).
            covered += [graph.nodes[add], graph.nodes[sign]]
            thresholds = Tensor(shape: [outputChannels, 1], elementType: .int32, codes: addend.map { 0 - $0 })
            outputType = type
        }
        let folding = context.plan(as: DataflowFoldingPlan.self)?.folding(of: node.name) ?? .unfolded
        return .lowered(MatrixVectorActivationUnit(nodes: covered, window: window, outputChannels: outputChannels, folding: folding,
                                                   weight: weight, bias: node.input(2).flatMap { graph.constants[$0] },
                                                   thresholds: thresholds, thresholdOffset: offset, isDense: root == .dense,
                                                   inputType: inputType, outputType: outputType,
                                                   weightLevel: target.weightLevelName, activationLevel: target.activationLevelName))
    }
}

extension MatrixVectorActivationPattern {
    /// The largest |accumulator| a layer can produce: per output channel
    /// `max|x − zx| · Σ|w − zw| + |bias|`, the largest over channels (Int64, no overflow for
    /// weights of at most 2^31 elements of ≤ 32 bits).
    static func largestAccumulator(input: TensorType, weight: Tensor, bias: Tensor?, channels: Int, isDense: Bool) -> Int64 {
        guard let codes = weight.codes, channels > 0 else { return .max }
        let zx = Int64(input.quantization?.zeroPoint(at: 0) ?? 0)
        let x = max(abs(input.elementType.minimumCode - zx), abs(input.elementType.maximumCode - zx))
        var sums = [Int64](repeating: 0, count: channels)
        let perChannel = codes.count / channels
        for (index, code) in codes.enumerated() {
            let channel = isDense ? index % channels : index / max(perChannel, 1)
            guard channel < channels else { return .max }
            sums[channel] += abs(Int64(code) - Int64(weight.type.quantization?.zeroPoint(at: channel) ?? 0))
        }
        let biases = bias?.codes ?? []
        return (0..<channels).map { x * sums[$0] + ($0 < biases.count ? abs(Int64(biases[$0])) : 0) }.max() ?? 0
    }
}

/// multiThreshold (constant thresholds) or sign on codes → a thresholding unit.
struct ThresholdingPattern: LoweringPattern {
    let root: OperatorKind
    var name: String { root == .sign ? "sign-threshold" : "thresholding" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard let x = node.input(0), let inputType = graph.types[x], inputType.elementType.isInteger,
              inputType.elementType.storage == .int32, let outputType = graph.types[node.outputs[0]] else {
            return .rejected("the thresholding unit compares integer codes")
        }
        if root == .sign {
            var unit = ThresholdingUnit(sign: node, inputType: inputType, outputType: outputType,
                                        weightLevel: target.weightLevelName, activationLevel: target.activationLevelName)
            unit.folding = context.plan(as: DataflowFoldingPlan.self)?.folding(of: node.name) ?? .unfolded
            return .lowered(unit)
        }
        guard case .multiThreshold(let attributes) = node.operation, let table = node.input(1).flatMap({ graph.constants[$0] }),
              table.integers != nil, table.shape.count == 2, attributes.channelAxis < inputType.shape.count,
              table.shape[0] == 1 || table.shape[0] == inputType.shape[attributes.channelAxis] else {
            return .rejected("thresholds must be a constant [C, T] or [1, T] integer table")
        }
        guard outputType.elementType != .binary, outputType.elementType.contains(Int64(attributes.offset)),
              outputType.elementType.contains(Int64(attributes.offset) + Int64(table.shape[1])) else {
            return .rejected("offset \(attributes.offset) + up to \(table.shape[1]) does not fit \(outputType.elementType.name)")
        }
        var unit = ThresholdingUnit(node: node, thresholds: table, attributes: attributes, inputType: inputType,
                                    outputType: outputType, weightLevel: target.weightLevelName,
                                    activationLevel: target.activationLevelName)
        unit.folding = context.plan(as: DataflowFoldingPlan.self)?.folding(of: node.name) ?? .unfolded
        return .lowered(unit)
    }
}

/// maxPool on codes → streaming max pool.
struct StreamingMaxPoolPattern: LoweringPattern {
    var root: OperatorKind { .maxPool }
    var name: String { "streaming-maxpool" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard case .maxPool(let attributes) = node.operation, let x = node.input(0), let inputType = graph.types[x],
              inputType.elementType.isInteger, inputType.elementType.storage == .int32, inputType.shape.count == 4,
              let outputType = graph.types[node.outputs[0]], outputType.shape.count == 4 else {
            return .rejected("the streaming pool takes NCHW integer codes")
        }
        let s = inputType.shape
        let window = SlidingWindowGenerator(batch: s[0], channels: s[1], height: s[2], width: s[3],
                                            kernelHeight: attributes.kernel[0], kernelWidth: attributes.kernel[1],
                                            strides: attributes.strides, dilations: attributes.dilations, pads: attributes.pads,
                                            outputHeight: outputType.shape[2], outputWidth: outputType.shape[3], groups: max(s[1], 1))
        var unit = StreamingMaxPoolUnit(node: node, window: window, inputType: inputType, outputType: outputType,
                                        activationLevel: target.activationLevelName)
        unit.folding = context.plan(as: DataflowFoldingPlan.self)?.folding(of: node.name) ?? .unfolded
        return .lowered(unit)
    }
}

/// Quantized globalAveragePool → accumulating pool + thresholds.
struct AccumulatingPoolPattern: LoweringPattern {
    var root: OperatorKind { .globalAveragePool }
    var name: String { "accumulating-pool" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard let x = node.input(0), let inputType = graph.types[x], inputType.elementType.isInteger,
              inputType.quantization?.isPerTensor == true, inputType.shape.count >= 2,
              let outputType = graph.types[node.outputs[0]], outputType.quantization?.isPerTensor == true,
              case .integer = outputType.elementType else {
            return .rejected("the accumulating pool averages quantized integer codes with per-tensor parameters")
        }
        let levels = outputType.elementType.maximumCode - outputType.elementType.minimumCode
        guard levels <= 255 else { return .rejected("\(levels) thresholds for \(outputType.elementType.name) exceed the unit's 255") }
        guard inputType.shape[0] * inputType.shape[1] > 0 else { return .rejected("an empty input") }
        do {
            var unit = try AccumulatingPoolUnit(node: node, inputType: inputType, outputType: outputType,
                                                activationLevel: target.activationLevelName)
            unit.folding = context.plan(as: DataflowFoldingPlan.self)?.folding(of: node.name) ?? .unfolded
            return .lowered(unit)
        } catch {
            return .rejected(error.diagnostics.map(\.message).joined(separator: "; "))
        }
    }
}

/// Quantized add of two equal-shape streams → LUT ROM.
struct AddStreamsPattern: LoweringPattern {
    var root: OperatorKind { .add }
    var name: String { "add-streams-lut" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard node.inputs.count == 2, let a = node.input(0).flatMap({ graph.types[$0] }), let b = node.input(1).flatMap({ graph.types[$0] }),
              let output = graph.types[node.outputs[0]] else { return .rejected("add needs two inputs") }
        guard a.shape == b.shape, a.shape == output.shape else { return .rejected("the streams must have equal shapes (no broadcasting)") }
        guard a.quantization?.isPerTensor == true, b.quantization?.isPerTensor == true, output.quantization?.isPerTensor == true,
              case .integer = a.elementType, case .integer = b.elementType, case .integer = output.elementType else {
            return .rejected("the LUT adds quantized integer codes with per-tensor parameters")
        }
        guard AddStreamsUnit.entries(a.elementType, b.elementType) != nil else {
            return .rejected("\(a.elementType.name) + \(b.elementType.name) needs a ROM above \(AddStreamsUnit.maximumEntries) entries")
        }
        var unit = AddStreamsUnit(node: node, a: a, b: b, output: output, activationLevel: target.activationLevelName)
        unit.folding = context.plan(as: DataflowFoldingPlan.self)?.folding(of: node.name) ?? .unfolded
        return .lowered(unit)
    }
}
