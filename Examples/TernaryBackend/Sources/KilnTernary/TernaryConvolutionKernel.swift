import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// An integer conv2d with ternary weights on the adder trees (+ a fused `relu`).
///
/// Each PE owns one output channel; for every output position it adds the window's activations
/// at the channel's +1 weights and subtracts those at its −1 weights (padded taps hold the zero
/// point, so they add 0 and are skipped), then requantizes.
struct TernaryConvolutionKernel: TernaryCostedKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputType: TensorType, outputType: TensorType
    private let attributes: Convolution
    private let kernelHeight: Int, kernelWidth: Int, groups: Int
    private let weights: TernaryChannels
    private let bias: [Int32]
    private let stage: OutputStage
    private let section: TernarySection
    private let weightLevel: String, activationLevel: String

    var name: String { "adder-tree.conv2d" }

    init(nodeAt index: Int, in context: LoweringContext) throws(LoweringRejection) {
        let (graph, target, node) = (context.graph, context.target, context.graph.nodes[index])
        guard case .conv2d(let attributes) = node.operation, let section = target.section(TernarySection.self) else { throw LoweringRejection("not a ternary target") }
        guard let weightName = node.input(1), let w = graph.constants[weightName], let codes = w.codes,
              w.type.elementType == .integer(bits: 2, signed: true), w.type.quantization?.isSymmetric ?? true else {
            throw LoweringRejection("the weights must be constant i2 codes with zero point 0 (run ternarize-weights)")
        }
        guard attributes.dilations == [1, 1] else { throw LoweringRejection("dilated convolutions are not supported") }
        let x = graph.types[node.inputs[0]]!, y = graph.types[node.outputs[0]]!
        guard y.quantization != nil, target.numerics.requantization.contains(node.requantization) else {
            throw LoweringRejection("the output stage implements \(target.numerics.requantization.map(\.rawValue)) into a quantized output")
        }
        let relu = OutputStage.followingRelu(after: index, in: context)
        let channels = w.shape[0]
        self.attributes = attributes
        kernelHeight = w.shape[2]; kernelWidth = w.shape[3]; groups = attributes.groups
        weights = try TernaryChannels(codes: codes, channels: channels, transposed: false)
        bias = node.input(2).flatMap { graph.constants[$0]?.codes } ?? Array(repeating: 0, count: channels)
        stage = try OutputStage(node, input: x, weight: w.type, output: y, channels: channels, relu: relu != nil)
        inputType = x; outputType = y; self.section = section
        weightLevel = target.memory.first { $0.holdsWeights }!.name
        activationLevel = target.memory.first { $0.holdsActivations }!.name
        nodes = [node] + (relu.map { [$0] } ?? [])
        inputs = node.inputs.filter { !$0.isEmpty }
        outputs = [nodes.last!.outputs[0]]
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let input = operands.first?.codes, operands[0].shape == inputType.shape else {
            throw DiagnosticError(.error("\(name) expects integer input of shape \(inputType.shape)", place: nodes[0].place))
        }
        let (batch, channels, height, width) = (inputType.shape[0], inputType.shape[1], inputType.shape[2], inputType.shape[3])
        let (outputHeight, outputWidth) = (outputType.shape[2], outputType.shape[3])
        let channelsPerGroup = channels / groups, outputsPerGroup = weights.count / groups
        let zero = inputType.quantization?.zeroPoint(at: 0) ?? 0
        let taps = kernelHeight * kernelWidth
        var output = [Int32](repeating: 0, count: outputType.elementCount ?? 0)
        for n in 0..<batch {
            for o in 0..<weights.count {
                let firstChannel = o / outputsPerGroup * channelsPerGroup
                for oy in 0..<outputHeight {
                    for ox in 0..<outputWidth {
                        // The activation (minus its zero point) at reduction position k, 0 in the padding.
                        func activation(_ k: Int) -> Int32 {
                            let c = k / taps, ky = k % taps / kernelWidth, kx = k % kernelWidth
                            let y = oy * attributes.strides[0] - attributes.pads[0] + ky
                            let x = ox * attributes.strides[1] - attributes.pads[1] + kx
                            guard y >= 0, y < height, x >= 0, x < width else { return 0 }
                            return input[((n * channels + firstChannel + c) * height + y) * width + x] &- zero
                        }
                        var sum = bias[o]
                        for k in weights.plus[o] { sum = sum &+ activation(k) }
                        for k in weights.minus[o] { sum = sum &- activation(k) }
                        output[((n * weights.count + o) * outputHeight + oy) * outputWidth + ox] = stage.apply(sum, channel: o)
                    }
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    /// Output positions (batch × height × width).
    private var positions: Int { outputType.shape[0] * outputType.shape[2] * outputType.shape[3] }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let pairs = (0..<weights.count).map { weights.pairs($0, zeroSkipping: section.zeroSkipping) }.reduce(0, +)
        counts.multiplyAccumulates[MultiplyAccumulateKind(inputType.elementType, .integer(bits: 2, signed: true))] = positions * pairs
        counts.instructions[.adderTreeAdd] = positions * pairs
        counts.instructions[.zeroSkipped] = positions * (weights.depth * weights.count - pairs)
        counts.aluOperations = positions * weights.count * stage.operationsPerOutput
        counts.bytesRead[activationLevel] = inputType.elementCount ?? 0
        counts.bytesRead[weightLevel] = (weights.depth * weights.count * 2 + 7) / 8 + 4 * weights.count
        counts.bytesWritten[activationLevel] = outputType.elementCount ?? 0
        return counts
    }

    var workload: TernaryWorkload {
        let perGroup = weights.count / groups
        let pairs = (0..<groups).map { g in (g * perGroup..<(g + 1) * perGroup).map { weights.pairs($0, zeroSkipping: section.zeroSkipping) } }
        return TernaryWorkload(work: .dotProducts(repetitions: positions, pairs: pairs), counts: countActions())
    }

    func listing() -> [String] {
        [
            "adder trees: \(inputType.elementType.name) activations × ternary weights, \(weights.count) channels in \(groups) group(s), "
                + "\(Int((weights.zeroFraction * 100).rounded()))% zero weights\(section.zeroSkipping ? " skipped" : "")",
            "for each of \(positions) output positions, PE o: sum = bias[o] + Σ_{t=+1} (x − zx) − Σ_{t=−1} (x − zx)   (window \(kernelHeight)×\(kernelWidth), strides \(attributes.strides), pads \(attributes.pads))",
            "  output stage: requantize (\(nodes[0].requantization.rawValue))\(stage.hasRelu ? ", relu as max(code, zero point)" : "") → \(outputType)",
        ]
    }
}
