import KilnIR
import KilnNumerics

/// Group-wise (block) weight quantization: the weight tensor is read as a matrix of `N` rows (the
/// output channels) by `K` columns (the input, reduction dimension: `C·kH·kW` of an OIHW
/// convolution, `K` of a 2-D `[K, N]` dense or matmul weight), each row cut into `B = ⌈K/G⌉` groups of
/// `G` columns, and every group gets its own symmetric scale
/// `s = max|w| / (2^(bits−1) − 1)` with codes `roundHalfToEven(w / s)` clamped to
/// `±(2^(bits−1) − 1)` (``WeightQuantizer/symmetricIntegerWeights(_:channelAxis:bits:)`` per group;
/// an all-zero group gets scale 1). This is the layout of ONNX Runtime's `MatMulNBits`
/// (`block_size` along K, one scale per block and column, dequantized as `(q − zp) · s` in
/// float32; symmetric here, so `zp` is 0) and of GPTQ-style 4-bit checkpoints. A last group
/// shorter than `G` is padded with zero weights, which are codes 0 and do not change its scale.
///
/// The codes are one constant of shape `[N·B, G]` with one scale per row (per-axis parameters on
/// axis 0), so the graph's ordinary `dequantize` gives the float values exactly
/// (``rebuild(_:into:codesName:)``).
struct GroupedWeights {
    /// The codes, `[N·B, G]`, per-axis scales on axis 0.
    let codes: Tensor
    /// The original weight shape.
    let shape: [Int]
    /// The output-channel axis of ``shape``.
    let outputAxis: Int
    /// `N`, `K` and `B`.
    let rows: Int, depth: Int, groups: Int
    /// `G`.
    let groupSize: Int

    /// Quantizes `weights` group-wise.
    /// - Throws: ``NumericsError`` for a bit width outside 2–8, an empty tensor or an axis outside its shape.
    init(_ weights: Tensor, outputAxis: Int, bits: Int, groupSize: Int) throws {
        let values = weights.floats ?? weights.doubles.map(Float.init)
        // The output axis first (OIHW) or last of a 2-D [K, N] weight: the other layouts have no
        // single reduction run per output channel.
        guard outputAxis == 0 || (outputAxis == 1 && weights.shape.count == 2), groupSize >= 2 else {
            throw NumericsError.invalidArgument("group-wise quantization needs OIHW weights or a 2-D [K, N] weight and groups of at least 2, got shape \(weights.shape) with output axis \(outputAxis)")
        }
        let rows = weights.shape[outputAxis]
        let depth = rows == 0 ? 0 : values.count / rows
        guard rows > 0, depth > 0 else { throw NumericsError.invalidArgument("group-wise quantization of an empty weight tensor \(weights.shape)") }
        let groups = (depth + groupSize - 1) / groupSize
        // Row n, column k of the matrix: the weight at output index n and input index k, padded
        // with zeros to B·G columns.
        let element: (Int, Int) -> Float = outputAxis == 0 ? { values[$0 * depth + $1] } : { values[$1 * rows + $0] }
        var padded = [Float](repeating: 0, count: rows * groups * groupSize)
        for n in 0..<rows {
            for k in 0..<depth { padded[n * groups * groupSize + k] = element(n, k) }
        }
        codes = try WeightQuantizer.symmetricIntegerWeights(Tensor(shape: [rows * groups, groupSize], floats: padded), channelAxis: 0, bits: bits)
        shape = weights.shape
        self.outputAxis = outputAxis
        self.rows = rows
        self.depth = depth
        self.groups = groups
        self.groupSize = groupSize
    }

    /// Adds the codes constant and the nodes that give `weightName` its float value back:
    /// `dequantize` → `[N·B, G]`, `reshape` → `[N, B·G]`, a `slice` to `[N, K]` when the last group
    /// is padded, then a `reshape` to OIHW or a `transpose` to `[K, N]`.
    func rebuild(_ weightName: String, into graph: inout Graph, codesName: String) {
        graph.constants[codesName] = codes
        graph.types[codesName] = codes.type
        var steps: [(Operator, [Int])] = [(.dequantize, [rows * groups, groupSize]), (.reshape(shape: [rows, groups * groupSize]), [rows, groups * groupSize])]
        if groups * groupSize != depth {
            steps.append((.slice(Slice(starts: [0, 0], counts: [rows, depth], steps: [1, 1])), [rows, depth]))
        }
        if outputAxis == 0 {
            steps.append((.reshape(shape: shape), shape))
        } else {
            steps.append((.transpose(permutation: [1, 0]), shape))
        }
        var input = codesName
        for (index, (operation, outputShape)) in steps.enumerated() {
            let output = index == steps.count - 1 ? weightName : "\(codesName)_\(index)"
            graph.types[output] = .float32(outputShape)
            graph.nodes.append(Node(name: "\(codesName)_\(operation.kind.rawValue)\(index)", operation: operation, inputs: [input], outputs: [output]))
            input = output
        }
    }
}
