import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// An integer conv2d on the target's int8 unit (first and last layers of a BNN): int8 (or ±1)
/// activations and weights, exact int32 wrapping accumulation of `(x − zx)·(w − zw[o])` plus
/// the int32 bias, then the output stage (requantization, fused clamp / sign).
///
/// Schedule: for each output pixel the unit gathers the window (channels × kernel rows ×
/// kernel columns, padded taps filled with the input zero point, so they add 0), then every
/// output channel lane of the group takes a dot product with its weight row. Output channels
/// run in lanes of the op's channel multiple; idle lanes of the last group are counted.
struct Int8ConvolutionKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputShape: [Int], outputType: TensorType, inputType: TensorType, weightType: TensorType
    private let outputChannels: Int, groups: Int, channelsPerGroup: Int
    private let kernelHeight: Int, kernelWidth: Int
    private let strides: [Int], dilations: [Int], pads: [Int]
    private let outputHeight: Int, outputWidth: Int
    /// `w − zw[o]`, row-major `[O, C/groups · KH · KW]` (packed at compile time).
    private let centeredWeights: [Int32]
    private let bias: [Int32]
    private let stage: Int8OutputStage
    private let facts: XNORTargetFacts

    var name: String { "int8-unit.conv2d" }

    /// Builds the kernel for the node at `index`, absorbing the activations that follow it.
    init(nodeAt index: Int, in context: LoweringContext, facts: XNORTargetFacts) throws(StageError) {
        let graph = context.graph
        let node = graph.nodes[index]
        guard case .conv2d(let attributes) = node.operation else { throw StageError("not a conv2d") }
        guard let weightName = node.input(1), let weights = graph.constants[weightName], let weightCodes = weights.codes else {
            throw StageError("the weights must be a constant of integer codes")
        }
        let x = graph.types[node.inputs[0]]!
        guard x.shape.count == 4, weights.shape.count == 4 else { throw StageError("needs NCHW input and OIHW weights") }
        guard [.int8, .binary].contains(x.elementType), [.int8, .binary].contains(weights.type.elementType) else {
            throw StageError("the int8 unit multiplies i8 (or ±1) operands, got \(x.elementType.name) × \(weights.type.elementType.name)")
        }
        if graph.types[node.outputs[0]]!.quantization != nil, !facts.requantizationRules.contains(node.requantization.rawValue) {
            throw StageError("requantization rule \(node.requantization.rawValue) is not one the target implements (\(facts.requantizationRules.joined(separator: ", ")))")
        }
        guard weights.shape.allSatisfy({ $0 > 0 }), attributes.groups > 0 else { throw StageError("empty weights \(weights.shape)") }
        let activations = FusionChain.int8Activations(after: index, in: context, channels: weights.shape[0], channelAxis: 1)
        let convOutput = graph.types[node.outputs[0]]!
        outputChannels = weights.shape[0]
        channelsPerGroup = weights.shape[1]
        groups = attributes.groups
        kernelHeight = weights.shape[2]; kernelWidth = weights.shape[3]
        strides = attributes.strides; dilations = attributes.dilations; pads = attributes.pads
        outputHeight = convOutput.shape[2]; outputWidth = convOutput.shape[3]
        inputShape = x.shape
        inputType = x
        weightType = weights.type
        outputType = graph.types[activations.output]!
        let perOutput = channelsPerGroup * kernelHeight * kernelWidth
        var centered = [Int32](repeating: 0, count: outputChannels * perOutput)
        for o in 0..<outputChannels {
            let zero = weights.type.quantization?.zeroPoint(at: o) ?? 0
            for k in 0..<perOutput { centered[o * perOutput + k] = weightCodes[o * perOutput + k] &- zero }
        }
        centeredWeights = centered
        bias = try FusionChain.bias(of: node, in: graph, channels: outputChannels, addend: activations.addend) ?? [Int32](repeating: 0, count: outputChannels)
        stage = try Int8OutputStage(rule: node.requantization, input: x, weight: weights.type, output: convOutput,
                                    channels: outputChannels, clamp: activations.clamp, signZeroPoint: activations.signZeroPoint)
        self.facts = facts
        nodes = [node] + activations.nodes
        inputs = node.inputs.filter { !$0.isEmpty }
        outputs = [activations.output]
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [inputShape] + Array(repeating: nil, count: operands.count - 1),
                                            kernel: name, node: nodes[0])
        let input = operands[0].codes!
        let batch = inputShape[0], channels = inputShape[1], height = inputShape[2], width = inputShape[3]
        let inputZero = inputType.quantization?.zeroPoint(at: 0) ?? 0
        let perOutput = channelsPerGroup * kernelHeight * kernelWidth
        let outputsPerGroup = outputChannels / max(groups, 1)
        let outputPlane = outputHeight * outputWidth
        var output = [Int32](repeating: 0, count: batch * outputChannels * outputPlane)
        var patch = [Int32](repeating: 0, count: perOutput)
        input.withUnsafeBufferPointer { input in
            centeredWeights.withUnsafeBufferPointer { weights in
                patch.withUnsafeMutableBufferPointer { patch in
                    for n in 0..<batch {
                        for g in 0..<groups {
                            for oy in 0..<outputHeight {
                                for ox in 0..<outputWidth {
                                    // Gather the window (c, ky, kx), padded taps = zero point → 0.
                                    var k = 0
                                    for c in 0..<channelsPerGroup {
                                        let base = (n * channels + g * channelsPerGroup + c) * height * width
                                        for ky in 0..<kernelHeight {
                                            let y = oy * strides[0] - pads[0] + ky * dilations[0]
                                            for kx in 0..<kernelWidth {
                                                let x = ox * strides[1] - pads[1] + kx * dilations[1]
                                                patch[k] = (y >= 0 && y < height && x >= 0 && x < width)
                                                    ? input[base + y * width + x] &- inputZero : 0
                                                k += 1
                                            }
                                        }
                                    }
                                    for o in g * outputsPerGroup ..< (g + 1) * outputsPerGroup {
                                        var accumulator = bias[o]
                                        let row = weights.baseAddress! + o * perOutput
                                        for k in 0..<perOutput { accumulator = accumulator &+ patch[k] &* row[k] }
                                        output[(n * outputChannels + o) * outputPlane + oy * outputWidth + ox] = stage.apply(accumulator, channel: o)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let batch = inputShape[0]
        let lanes = facts.lanes(outputChannels, for: .conv2d)
        let macs = batch * lanes * outputHeight * outputWidth * channelsPerGroup * kernelHeight * kernelWidth
        counts.multiplyAccumulates[MultiplyAccumulateKind(inputType.elementType, weightType.elementType)] = macs
        let outputElements = batch * outputChannels * outputHeight * outputWidth
        counts.aluOperations = outputElements * stage.operationsPerOutput
        counts.instructions[.int8UnitMAC] = macs
        counts.instructions[.int8UnitOutputStage] = outputElements
        counts.bytesRead[facts.activationLevel] = XNORKernelSupport.bytes(of: inputType)
        counts.bytesRead[facts.weightLevel, default: 0] += outputChannels * channelsPerGroup * kernelHeight * kernelWidth + 4 * outputChannels
        counts.bytesWritten[facts.activationLevel] = XNORKernelSupport.bytes(of: outputType)
        return counts
    }

    func listing() -> [String] {
        let lanes = facts.lanes(outputChannels, for: .conv2d)
        let perOutput = channelsPerGroup * kernelHeight * kernelWidth
        return [
            "int8 unit: \(inputType.elementType.name) × \(weightType.elementType.name) → i32 (wrapping), zero-point-filled padding \(pads)",
            "for n in 0..<\(inputShape[0]), group in 0..<\(groups), oy in 0..<\(outputHeight), ox in 0..<\(outputWidth):",
            "  gather window \(channelsPerGroup)c × \(kernelHeight)×\(kernelWidth) = \(perOutput) taps (stride \(strides), dilation \(dilations)), x − zx (zx = \(inputType.quantization?.zeroPoint(at: 0) ?? 0))",
            "  for o in 0..<\(outputChannels / max(groups, 1)) per group (\(outputChannels) channels on \(lanes) lanes): acc = bias[o] + Σ \(perOutput) MACs",
            "  output stage: \(stage.summary) → \(outputType)",
        ]
    }
}

extension Int8ConvolutionKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        let counts = countActions()
        return XNORWorkload(work: .int8GEMM(multiplyAccumulates: counts.totalMultiplyAccumulates, outputOperations: counts.aluOperations),
                            weightBytes: centeredWeights.count + 4 * outputChannels,
                            inputBytes: XNORKernelSupport.bytes(of: inputType), outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
