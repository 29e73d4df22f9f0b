import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// An integer dense layer `x[rows, K] · w[K, N]` with ternary weights on the adder trees
/// (+ a fused `relu`): PE `n` adds the row's activations at column `n`'s +1 weights and subtracts
/// those at its −1 weights, then requantizes.
struct TernaryDenseKernel: TernaryCostedKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputType: TensorType, outputType: TensorType
    private let weights: TernaryChannels
    private let bias: [Int32]
    private let stage: OutputStage
    private let section: TernarySection
    private let weightLevel: String, activationLevel: String

    var name: String { "adder-tree.dense" }

    init(nodeAt index: Int, in context: LoweringContext) throws(LoweringRejection) {
        let (graph, target, node) = (context.graph, context.target, context.graph.nodes[index])
        guard let section = target.section(TernarySection.self) else { throw LoweringRejection("not a ternary target") }
        guard let weightName = node.input(1), let w = graph.constants[weightName], let codes = w.codes, w.shape.count == 2,
              w.type.elementType == .integer(bits: 2, signed: true), w.type.quantization?.isSymmetric ?? true else {
            throw LoweringRejection("the weights must be a constant [K, N] of i2 codes with zero point 0 (run ternarize-weights)")
        }
        let x = graph.types[node.inputs[0]]!, y = graph.types[node.outputs[0]]!
        guard y.quantization != nil, target.numerics.requantization.contains(node.requantization) else {
            throw LoweringRejection("the output stage implements \(target.numerics.requantization.map(\.rawValue)) into a quantized output")
        }
        let relu = OutputStage.followingRelu(after: index, in: context)
        let columns = w.shape[1]
        weights = try TernaryChannels(codes: codes, channels: columns, transposed: true)
        bias = node.input(2).flatMap { graph.constants[$0]?.codes } ?? Array(repeating: 0, count: columns)
        stage = try OutputStage(node, input: x, weight: w.type, output: y, channels: columns, relu: relu != nil)
        inputType = x; outputType = y; self.section = section
        weightLevel = target.memory.first { $0.holdsWeights }!.name
        activationLevel = target.memory.first { $0.holdsActivations }!.name
        nodes = [node] + (relu.map { [$0] } ?? [])
        inputs = node.inputs.filter { !$0.isEmpty }
        outputs = [nodes.last!.outputs[0]]
    }

    /// Input rows (every dimension but the last).
    private var rows: Int { (inputType.elementCount ?? 0) / max(weights.depth, 1) }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let input = operands.first?.codes, operands[0].shape == inputType.shape else {
            throw DiagnosticError(.error("\(name) expects integer input of shape \(inputType.shape)", place: nodes[0].place))
        }
        let zero = inputType.quantization?.zeroPoint(at: 0) ?? 0
        var output = [Int32](repeating: 0, count: rows * weights.count)
        for r in 0..<rows {
            let row = r * weights.depth
            for n in 0..<weights.count {
                var sum = bias[n]
                for k in weights.plus[n] { sum = sum &+ (input[row + k] &- zero) }
                for k in weights.minus[n] { sum = sum &- (input[row + k] &- zero) }
                output[r * weights.count + n] = stage.apply(sum, channel: n)
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let pairs = (0..<weights.count).map { weights.pairs($0, zeroSkipping: section.zeroSkipping) }.reduce(0, +)
        counts.multiplyAccumulates[MultiplyAccumulateKind(inputType.elementType, .integer(bits: 2, signed: true))] = rows * pairs
        counts.instructions[.adderTreeAdd] = rows * pairs
        counts.instructions[.zeroSkipped] = rows * (weights.depth * weights.count - pairs)
        counts.aluOperations = rows * weights.count * stage.operationsPerOutput
        counts.bytesRead[activationLevel] = inputType.elementCount ?? 0
        counts.bytesRead[weightLevel] = (weights.depth * weights.count * 2 + 7) / 8 + 4 * weights.count
        counts.bytesWritten[activationLevel] = outputType.elementCount ?? 0
        return counts
    }

    var workload: TernaryWorkload {
        let pairs = (0..<weights.count).map { weights.pairs($0, zeroSkipping: section.zeroSkipping) }
        return TernaryWorkload(work: .dotProducts(repetitions: rows, pairs: [pairs]), counts: countActions())
    }

    func listing() -> [String] {
        [
            "adder trees: \(inputType.elementType.name) × ternary [K=\(weights.depth), N=\(weights.count)], "
                + "\(Int((weights.zeroFraction * 100).rounded()))% zero weights\(section.zeroSkipping ? " skipped" : "")",
            "for r in 0..<\(rows), PE n: sum = bias[n] + Σ_{t=+1} (x − zx) − Σ_{t=−1} (x − zx)",
            "  output stage: requantize (\(nodes[0].requantization.rawValue))\(stage.hasRelu ? ", relu as max(code, zero point)" : "") → \(outputType)",
        ]
    }
}
