import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets

/// An int8 dense (`x[..., K] · w[K, N] + bias`) or integer matmul on a SIMD CPU: the same GEMM
/// micro-kernel as conv2d over the rows of the left operand. Dense weights are packed once at
/// compile time; a matmul's right operand is packed per run (counted as its own traffic).
struct SIMDMatrixKernel: TargetKernel {
    let node: Node
    let scheme: SIMDDotProductScheme
    let leftType: TensorType, rightType: TensorType, outputType: TensorType
    let encoding: Int8OperandEncoding
    /// Dense: the weights packed at compile time; matmul: nil.
    let packed: Int8GEMM.PackedWeights?
    let requantizer: SIMDRequantizer
    let levels: SIMDMemoryLevels
    let inputs: [String]
    /// Matrix products run (matmul batch; 1 for dense), rows M, depth K, columns N.
    let batches: Int, rows: Int, depth: Int, columns: Int

    var name: String { "\(scheme.instruction.name)-\(node.kind.rawValue)" }
    var nodes: [Node] { [node] }
    var outputs: [String] { node.outputs }
    private var paddedDepth: Int { (depth + 3) / 4 * 4 }
    private var saturatingPairs: Bool { node.accumulation == .pairwiseSaturatingInt16 }

    /// Lowers a dense or matmul `node`, or says why it cannot.
    static func lower(node: Node, graph: Graph, scheme: SIMDDotProductScheme, target: TargetDescription) -> LoweringMatch {
        guard let a = node.input(0), let b = node.input(1), let leftType = graph.types[a], let rightType = graph.types[b],
              let outputType = graph.types[node.outputs[0]] else { return .rejected("missing operands") }
        guard let encoding = Int8OperandEncoding(scheme: scheme, first: leftType.elementType, second: rightType.elementType) else {
            return .rejected("needs 8-bit integer operands, got \(leftType.elementType.name) × \(rightType.elementType.name)")
        }
        if node.accumulation == .pairwiseSaturatingInt16 && !scheme.saturatesPairs {
            return .rejected("the graph asks for saturating pair sums, which \(scheme.instruction.name) does not compute")
        }
        // An exact (`wrappingInt32`) node on a saturating instruction is one the adaptation pass left
        // exact on purpose (a depthwise conv, a TFLite node): the library widens to int16 there.
        let requantizer: SIMDRequantizer
        let columns = rightType.shape.last ?? 0
        do { requantizer = try SIMDRequantizer(node: node, input: leftType, weight: rightType, output: outputType, channels: columns) }
        catch { return .rejected(error.diagnostics.map(\.message).joined(separator: "; ")) }
        let levels = SIMDMemoryLevels(target: target)
        let inputs = node.inputs.filter { !$0.isEmpty }

        if node.kind == .dense {
            guard rightType.shape.count == 2, let weights = graph.constants[b]?.codes else { return .rejected("dense weights must be a constant [K, N] tensor") }
            let bias = node.input(2).flatMap { graph.constants[$0]?.codes }
            if node.input(2) != nil && bias == nil { return .rejected("the bias must be a constant int32 tensor") }
            let depth = rightType.shape[0]
            let rows = depth == 0 ? 0 : (leftType.elementCount ?? 0) / depth
            let za = (leftType.quantization?.zeroPoint(at: 0) ?? 0) &+ encoding.firstOffset
            let zeros = (0..<columns).map { (rightType.quantization?.zeroPoint(at: $0) ?? 0) &+ encoding.secondOffset }
            let packed = Int8GEMM.PackedWeights(depth: depth, columns: columns, firstZero: za, signedZeros: zeros,
                                                bias: { bias?[$0] ?? 0 }) { k, n in weights[k * columns + n] &+ encoding.secondOffset }
            return .lowered(SIMDMatrixKernel(node: node, scheme: scheme, leftType: leftType, rightType: rightType, outputType: outputType,
                                             encoding: encoding, packed: packed, requantizer: requantizer, levels: levels, inputs: inputs,
                                             batches: 1, rows: rows, depth: depth, columns: columns))
        }
        // matmul: equal leading dimensions, or a 2-D right operand shared by every batch.
        let left = leftType.shape, right = rightType.shape
        guard left.count >= 2, right.count >= 2 else { return .rejected("the simd matmul needs operands of rank ≥ 2") }
        guard right.count == 2 || Array(left.dropLast(2)) == Array(right.dropLast(2)) else {
            return .rejected("the simd matmul needs equal batch dimensions or a 2-D right operand, got \(left) × \(right)")
        }
        guard rightType.quantization?.isPerTensor ?? true else { return .rejected("the simd matmul needs a per-tensor right operand") }
        let batches = Shape.elementCount(Array(left.dropLast(2))) ?? 1
        return .lowered(SIMDMatrixKernel(node: node, scheme: scheme, leftType: leftType, rightType: rightType, outputType: outputType,
                                         encoding: encoding, packed: nil, requantizer: requantizer, levels: levels, inputs: inputs,
                                         batches: batches, rows: left[left.count - 2], depth: left[left.count - 1], columns: columns))
    }

    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard inputs.count >= 2, let left = inputs[0].codes, let right = inputs[1].codes,
              inputs[0].shape == leftType.shape, inputs[1].shape == rightType.shape else {
            throw DiagnosticError(.error("expected \(leftType) × \(rightType) codes", place: node.place))
        }
        let za = (leftType.quantization?.zeroPoint(at: 0) ?? 0) &+ encoding.firstOffset
        let zs = (rightType.quantization?.zeroPoint(at: 0) ?? 0) &+ encoding.secondOffset
        let padded = paddedDepth
        var a = [Int16](repeating: 0, count: rows * padded)
        var accumulators = [Int32](repeating: 0, count: rows * columns)
        var output = [Int32](repeating: 0, count: batches * rows * columns)
        let rightBatchSize = depth * columns
        for batch in 0..<batches {
            // Left rows → hardware bytes, depth padded with 0.
            for r in 0..<rows {
                for k in 0..<depth { a[r * padded + k] = Int16(truncatingIfNeeded: left[(batch * rows + r) * depth + k] &+ encoding.firstOffset) }
            }
            let weights = packed ?? Int8GEMM.PackedWeights(
                depth: depth, columns: columns, firstZero: za, signedZeros: [Int32](repeating: zs, count: columns), bias: { _ in 0 }) { k, n in
                    right[(rightType.shape.count == 2 ? 0 : batch * rightBatchSize) + k * columns + n] &+ encoding.secondOffset
                }
            a.withUnsafeBufferPointer { a in
                accumulators.withUnsafeMutableBufferPointer { raw in
                    Int8GEMM.multiply(rows: rows, a: a.baseAddress!, weights: weights, saturatingPairs: saturatingPairs, output: raw.baseAddress!,
                                      threads: ParallelSamples.activeProcessorCount)
                    requantizer.apply(rows: rows, columns: columns, raw.baseAddress!)
                }
            }
            for index in 0..<rows * columns { output[batch * rows * columns + index] = accumulators[index] }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    private var pairedWeights: Bool { !(scheme.pairsProductsInInt16 && (packed?.hasMinus128 ?? true)) }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        counts.multiplyAccumulates[MultiplyAccumulateKind(leftType.elementType, rightType.elementType)] = batches * rows * columns * depth
        let tiles = ((rows + scheme.tileRows - 1) / scheme.tileRows) * ((columns + scheme.tileColumns - 1) / scheme.tileColumns)
        let steps = (depth + scheme.depthStep - 1) / scheme.depthStep
        for (name, count) in scheme.instructionsPerStep(pairedWeights: pairedWeights) { counts.instructions[Instruction(name), default: 0] += batches * tiles * steps * count }
        for (name, count) in scheme.instructionsPerTileEpilogue { counts.instructions[Instruction(name), default: 0] += batches * tiles * count }
        if encoding.flipsActivations {
            counts.instructions[Instruction(scheme.signFlipInstruction), default: 0] += batches * ((rows * depth + scheme.vectorBytes - 1) / scheme.vectorBytes)
        }
        let outputElements = batches * rows * columns
        let needsRowSums = packed?.needsRowSums ?? ((rightType.quantization?.zeroPoint(at: 0) ?? 0) &+ encoding.secondOffset != 0)
        counts.aluOperations = outputElements * (1 + requantizer.aluOperationsPerOutput) + (needsRowSums ? batches * rows * depth + outputElements : 0)
        let rowBlocks = (rows + scheme.tileRows - 1) / scheme.tileRows
        let packedBytes = paddedDepth * columns
        if packed == nil {
            // The right operand is an activation: read once to pack, then from the packed copy.
            counts.bytesRead[levels.activations] = batches * (rows * depth + depth * columns + rowBlocks * packedBytes)
            counts.bytesWritten[levels.activations] = batches * packedBytes + SIMDMemoryLevels.bytes(outputElements, of: outputType.elementType)
        } else {
            counts.bytesRead[levels.activations] = batches * rows * depth
            counts.bytesWritten[levels.activations] = SIMDMemoryLevels.bytes(outputElements, of: outputType.elementType)
            counts.bytesRead[levels.weights] = batches * rowBlocks * packedBytes + 4 * columns
        }
        return counts
    }

    func listing() -> [String] {
        var lines = [
            packed == nil ? "layout: right operand packed per run into [\((columns + 15) / 16) blocks of 16 columns][K=\(paddedDepth)][16]"
                          : "layout: weights packed [\((columns + 15) / 16) blocks of 16 columns][K=\(paddedDepth)][16] once at compile time",
            scheme.summary,
            "for batch in 0..<\(batches), tile in 0..<\((rows + scheme.tileRows - 1) / scheme.tileRows) row tiles × \((columns + scheme.tileColumns - 1) / scheme.tileColumns) column tiles:",
            "  for k in stride(0, \(depth), \(scheme.depthStep)): " + scheme.instructionsPerStep(pairedWeights: pairedWeights).sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "),
        ]
        if saturatingPairs { lines.append("  (pairs (k, k+1) of the depth axis saturate to int16 before vpmaddwd widens them)") }
        lines.append("  epilogue: + (bias − za·Σw) per column; \(requantizer.summary)")
        return lines
    }
}
