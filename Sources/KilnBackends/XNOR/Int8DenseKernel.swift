import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// An integer dense layer on the target's int8 unit (typically the classifier, the last layer of
/// a BNN): `x[rows, K] · w[K, N]` with exact int32 wrapping accumulation of
/// `(x − zx)·(w − zw[n])` plus the int32 bias, then the output stage.
///
/// Schedule: weights are stored transposed (`[N, K]`, zero points subtracted at compile time)
/// so each output lane streams one contiguous row; each input row is centred once and shared
/// by all lanes.
struct Int8DenseKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputType: TensorType, weightType: TensorType, outputType: TensorType
    private let rows: Int, depth: Int, columns: Int
    /// `w − zw[n]`, transposed to `[N, K]`.
    private let centeredWeights: [Int32]
    private let bias: [Int32]
    private let stage: Int8OutputStage
    private let facts: XNORTargetFacts

    var name: String { "int8-unit.dense" }

    /// Builds the kernel for the node at `index`, absorbing the activations that follow it.
    init(nodeAt index: Int, in context: LoweringContext, facts: XNORTargetFacts) throws(StageError) {
        let graph = context.graph
        let node = graph.nodes[index]
        guard let weightName = node.input(1), let weights = graph.constants[weightName], let weightCodes = weights.codes,
              weights.shape.count == 2 else {
            throw StageError("the weights must be a constant [K, N] of integer codes")
        }
        let x = graph.types[node.inputs[0]]!
        guard [.int8, .binary].contains(x.elementType), [.int8, .binary].contains(weights.type.elementType) else {
            throw StageError("the int8 unit multiplies i8 (or ±1) operands, got \(x.elementType.name) × \(weights.type.elementType.name)")
        }
        let denseOutput = graph.types[node.outputs[0]]!
        if denseOutput.quantization != nil, !facts.requantizationRules.contains(node.requantization.rawValue) {
            throw StageError("requantization rule \(node.requantization.rawValue) is not one the target implements (\(facts.requantizationRules.joined(separator: ", ")))")
        }
        depth = weights.shape[0]; columns = weights.shape[1]
        guard depth > 0, columns > 0 else { throw StageError("empty weights \(weights.shape)") }
        rows = depth == 0 ? 0 : (x.elementCount ?? 0) / depth
        let activations = FusionChain.int8Activations(after: index, in: context, channels: columns, channelAxis: graph.types[node.outputs[0]]!.shape.count - 1)
        var transposed = [Int32](repeating: 0, count: depth * columns)
        for c in 0..<columns {
            let zero = weights.type.quantization?.zeroPoint(at: c) ?? 0
            for k in 0..<depth { transposed[c * depth + k] = weightCodes[k * columns + c] &- zero }
        }
        centeredWeights = transposed
        bias = try FusionChain.bias(of: node, in: graph, channels: columns, addend: activations.addend) ?? [Int32](repeating: 0, count: columns)
        stage = try Int8OutputStage(rule: node.requantization, input: x, weight: weights.type, output: denseOutput,
                                    channels: columns, clamp: activations.clamp, signZeroPoint: activations.signZeroPoint)
        inputType = x
        weightType = weights.type
        outputType = graph.types[activations.output]!
        self.facts = facts
        nodes = [node] + activations.nodes
        inputs = node.inputs.filter { !$0.isEmpty }
        outputs = [activations.output]
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [inputType.shape] + Array(repeating: nil, count: operands.count - 1),
                                            kernel: name, node: nodes[0])
        let input = operands[0].codes!
        let inputZero = inputType.quantization?.zeroPoint(at: 0) ?? 0
        var output = [Int32](repeating: 0, count: rows * columns)
        var row = [Int32](repeating: 0, count: depth)
        input.withUnsafeBufferPointer { input in
            centeredWeights.withUnsafeBufferPointer { weights in
                row.withUnsafeMutableBufferPointer { row in
                    for r in 0..<rows {
                        for k in 0..<depth { row[k] = input[r * depth + k] &- inputZero }
                        for c in 0..<columns {
                            var accumulator = bias[c]
                            let lane = weights.baseAddress! + c * depth
                            for k in 0..<depth { accumulator = accumulator &+ row[k] &* lane[k] }
                            output[r * columns + c] = stage.apply(accumulator, channel: c)
                        }
                    }
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let lanes = facts.lanes(columns, for: .dense)
        let macs = rows * lanes * depth
        counts.multiplyAccumulates[MultiplyAccumulateKind(inputType.elementType, weightType.elementType)] = macs
        counts.aluOperations = rows * columns * stage.operationsPerOutput
        counts.instructions[.int8UnitMAC] = macs
        counts.instructions[.int8UnitOutputStage] = rows * columns
        counts.bytesRead[facts.activationLevel] = XNORKernelSupport.bytes(of: inputType)
        counts.bytesRead[facts.weightLevel, default: 0] += depth * columns + 4 * columns
        counts.bytesWritten[facts.activationLevel] = XNORKernelSupport.bytes(of: outputType)
        return counts
    }

    func listing() -> [String] {
        [
            "int8 unit: \(inputType.elementType.name) × \(weightType.elementType.name) → i32 (wrapping); weights transposed [N=\(columns), K=\(depth)]",
            "for r in 0..<\(rows): centre x[r] − zx (zx = \(inputType.quantization?.zeroPoint(at: 0) ?? 0))",
            "  for n in 0..<\(columns) (on \(facts.lanes(columns, for: .dense)) lanes): acc = bias[n] + Σ \(depth) MACs",
            "  output stage: \(stage.summary) → \(outputType)",
        ]
    }
}

extension Int8DenseKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        let counts = countActions()
        return XNORWorkload(work: .int8GEMM(multiplyAccumulates: counts.totalMultiplyAccumulates, outputOperations: counts.aluOperations),
                            weightBytes: depth * columns + 4 * columns,
                            inputBytes: XNORKernelSupport.bytes(of: inputType), outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
