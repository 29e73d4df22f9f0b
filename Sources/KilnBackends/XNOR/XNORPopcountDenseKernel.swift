import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// A binary dense layer on the XNOR-popcount array: `x[rows, K]` (±1) times `w[K, N]` (±1),
/// each row and each weight column packed along K into `⌈K/wordBits⌉` words (+1 → bit 1,
/// unused high bits of the last word 0 in both), `dot = K − 2·popcount(x XOR w)`, the bias,
/// then the threshold units (a fused `multiThreshold` or `sign`) or the int32 dot.
struct XNORPopcountDenseKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputType: TensorType, outputType: TensorType
    private let rows: Int, depth: Int, columns: Int
    private let packing: BinaryWordPacking
    private let wordsPerRow: Int
    /// `[N][words]`: weight columns packed along K at compile time.
    private let packedWeights: [UInt64]
    private let bias: [Int32]?
    private let stage: BinaryOutputStage
    private let facts: XNORTargetFacts

    var name: String { "xnor-popcount.dense" }

    /// Builds the kernel for the node at `index`, absorbing a following threshold or sign.
    init(nodeAt index: Int, in context: LoweringContext, facts: XNORTargetFacts) throws(StageError) {
        let graph = context.graph
        let node = graph.nodes[index]
        let x = graph.types[node.inputs[0]]!
        guard x.elementType == .binary else { throw StageError("the XNOR array needs ±1 activations, got \(x.elementType.name)") }
        guard let weightName = node.input(1), let weights = graph.constants[weightName], let weightCodes = weights.codes,
              weights.type.elementType == .binary, weights.shape.count == 2 else {
            throw StageError("the XNOR array needs constant ±1 weights [K, N]")
        }
        depth = weights.shape[0]; columns = weights.shape[1]
        guard depth > 0, columns > 0 else { throw StageError("empty weights \(weights.shape)") }
        guard weightCodes.allSatisfy({ $0 == 1 || $0 == -1 }) else { throw StageError("±1 weights hold a code other than ±1") }
        guard depth <= facts.largestReduction else {
            throw StageError("a reduction of \(depth) bits overflows the \(facts.accumulatorBits)-bit popcount accumulator (largest \(facts.largestReduction))")
        }
        let denseOutput = graph.types[node.outputs[0]]!
        guard denseOutput.elementType == .int32, denseOutput.quantization == nil else {
            throw StageError("the XNOR array writes the int32 dot product, not \(denseOutput)")
        }
        rows = depth == 0 ? 0 : (x.elementCount ?? 0) / depth
        packing = BinaryWordPacking(wordBits: facts.wordBits)
        wordsPerRow = packing.wordCount(depth)
        let (columnCount, rowWords, packer, reduction) = (columns, wordsPerRow, packing, depth)
        var packed = [UInt64](repeating: 0, count: columns * wordsPerRow)
        packed.withUnsafeMutableBufferPointer { packed in
            for c in 0..<columnCount {
                packer.pack(count: reduction, into: packed, at: c * rowWords) { weightCodes[$0 * columnCount + c] }
            }
        }
        packedWeights = packed
        let activation = FusionChain.binaryActivation(after: index, in: context, channels: columns, channelAxis: denseOutput.shape.count - 1)
        bias = try FusionChain.bias(of: node, in: graph, channels: columns, addend: activation.addend)
        stage = activation.stage
        inputType = x
        outputType = graph.types[activation.output]!
        self.facts = facts
        nodes = [node] + activation.nodes
        inputs = node.inputs.filter { !$0.isEmpty }
        outputs = [activation.output]
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [inputType.shape] + Array(repeating: nil, count: operands.count - 1),
                                            kernel: name, node: nodes[0])
        let input = operands[0].codes!
        try XNORKernelSupport.checkPlusMinusOne(input, node: nodes[0])
        var output = [Int32](repeating: 0, count: rows * columns)
        var row = [UInt64](repeating: 0, count: wordsPerRow)
        input.withUnsafeBufferPointer { input in
            packedWeights.withUnsafeBufferPointer { weights in
                row.withUnsafeMutableBufferPointer { row in
                    for r in 0..<rows {
                        packing.pack(count: depth, into: row, at: 0) { input[r * depth + $0] }
                        for c in 0..<columns {
                            let dot = BinaryWordPacking.dot(UnsafePointer(row.baseAddress!), weights.baseAddress! + c * wordsPerRow,
                                                            words: wordsPerRow, count: depth)
                            var accumulator = Int32(truncatingIfNeeded: dot)
                            if let bias { accumulator = accumulator &+ bias[c] }
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
        let wordOperations = rows * lanes * wordsPerRow
        counts.familyActions[XNORFamily.xnorPopcountBit] = wordOperations * facts.wordBits
        let outputElements = rows * columns
        let comparisons = outputElements * stage.comparisonsPerOutput
        counts.aluOperations = outputElements * (bias == nil ? 1 : 2) + comparisons
        counts.instructions[.pack(wordBits: facts.wordBits)] = rows * wordsPerRow
        counts.instructions[.xnorPopcount(wordBits: facts.wordBits)] = wordOperations
        if comparisons > 0 { counts.instructions[.thresholdCompare] = comparisons }
        let wordBytes = facts.wordBits / 8
        counts.bytesRead[facts.activationLevel] = XNORKernelSupport.bytes(of: inputType)
        counts.bytesRead[facts.weightLevel, default: 0] += packedWeights.count * wordBytes + (bias == nil ? 0 : 4 * columns)
        counts.bytesWritten[facts.activationLevel] = XNORKernelSupport.bytes(of: outputType)
        return counts
    }

    func listing() -> [String] {
        [
            "XNOR-popcount array: ±1 encoded +1 → bit 1, −1 → bit 0; dot = K − 2·popcount(x XOR w), K = \(depth)",
            "pack: each row into \(wordsPerRow) word(s) of \(facts.wordBits) bits (\(wordsPerRow * facts.wordBits - depth) masked bit(s)); weights [N=\(columns)][\(wordsPerRow) word(s)] packed at compile time",
            "for r in 0..<\(rows), n in 0..<\(columns) (on \(facts.lanes(columns, for: .dense)) lanes): popcount(x XOR w) over \(wordsPerRow) words\(bias == nil ? "" : ", + bias[n]")",
            "  \(stage.summary) → \(outputType)",
        ]
    }
}

extension XNORPopcountDenseKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        let gemm = XNORWorkload.BinaryGEMM(rows: rows, groups: 1, outputsPerGroup: columns, taps: 1, wordsPerTap: wordsPerRow,
                                           wordBits: facts.wordBits, packedInputWords: rows * wordsPerRow,
                                           comparisonsPerOutput: stage.comparisonsPerOutput)
        return XNORWorkload(work: .binaryGEMM(gemm),
                            weightBytes: packedWeights.count * facts.wordBits / 8 + (bias == nil ? 0 : 4 * columns),
                            inputBytes: XNORKernelSupport.bytes(of: inputType), outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
