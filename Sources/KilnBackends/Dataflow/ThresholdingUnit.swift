import KilnCompiler
import KilnDiagnostics
import KilnIR

/// A stand-alone FINN thresholding unit: each element is compared with every threshold of its
/// channel in parallel and the unit outputs `offset + count(x ≥ t)`.
///
/// `sign` is the one-threshold case at the input's zero point, with the count mapped to ±1.
struct ThresholdingUnit: TargetKernel {
    /// `thresholding` or `sign-threshold`.
    public let name: String
    /// The multiThreshold or sign node.
    public let nodes: [Node]
    /// The input (and the thresholds constant).
    public let inputs: [String]
    /// The output.
    public let outputs: [String]
    let table: [[Int64]]            // rows: 1 or channels
    let offset: Int32
    let channels: Int, inner: Int
    let producesSign: Bool
    let inputType: TensorType
    let outputType: TensorType
    let weightLevel: String
    let activationLevel: String
    /// The engine's folding (PE channels per cycle), chosen by ``DataflowFoldingPlan``.
    public internal(set) var folding = DataflowFolding.unfolded

    /// A multiThreshold node with constant thresholds.
    init(node: Node, thresholds: Tensor, attributes: MultiThreshold, inputType: TensorType, outputType: TensorType,
         weightLevel: String, activationLevel: String) {
        name = "thresholding"
        nodes = [node]
        inputs = [node.inputs[0], node.inputs[1]]
        outputs = [node.outputs[0]]
        let rows = thresholds.shape[0], perRow = thresholds.shape[1]
        let values = thresholds.integers ?? []
        table = (0..<rows).map { Array(values[$0 * perRow ..< ($0 + 1) * perRow]) }
        offset = Int32(attributes.offset)
        channels = inputType.shape[attributes.channelAxis]
        inner = Shape.elementCount(Array(inputType.shape.dropFirst(attributes.channelAxis + 1))) ?? 1
        producesSign = false
        self.inputType = inputType
        self.outputType = outputType
        self.weightLevel = weightLevel
        self.activationLevel = activationLevel
    }

    /// A sign node: one threshold at the zero point, count 0 → −1, 1 → +1.
    init(sign node: Node, inputType: TensorType, outputType: TensorType, weightLevel: String, activationLevel: String) {
        name = "sign-threshold"
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = [node.outputs[0]]
        table = [[Int64(inputType.quantizationZero)]]
        offset = 0
        channels = 1
        inner = 1
        producesSign = true
        self.inputType = inputType
        self.outputType = outputType
        self.weightLevel = weightLevel
        self.activationLevel = activationLevel
    }

    var elementCount: Int { Shape.elementCount(inputType.shape) ?? 0 }

    /// Compares every element with its channel's thresholds.
    public func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let input = operands.first?.codes, input.count == elementCount else {
            throw DiagnosticError(.error("\(name) expects \(elementCount) integer codes", place: nodes[0].place))
        }
        var output = [Int32](repeating: 0, count: input.count)
        for index in 0..<input.count {
            let row = table.count == 1 ? 0 : (index / inner) % channels
            var reached: Int32 = 0
            for threshold in table[row] where Int64(input[index]) >= threshold { reached += 1 }
            output[index] = producesSign ? (reached == 1 ? 1 : -1) : offset + reached
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    /// One comparison per element and threshold; the stream in and out; threshold reads.
    public func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let perElement = table.first?.count ?? 0
        counts.aluOperations = elementCount * perElement
        counts.bytesRead[activationLevel, default: 0] += packedBytes(elementCount, bits: inputType.elementType.bitWidth)
        counts.bytesWritten[activationLevel, default: 0] += packedBytes(elementCount, bits: outputType.elementType.bitWidth)
        if !producesSign { counts.bytesRead[weightLevel, default: 0] += elementCount * perElement * 4 }
        return counts
    }

    /// The comparator bank.
    public func listing() -> [String] {
        if producesSign {
            return ["thresholding unit: \(elementCount) × (x ≥ \(table[0][0])) → +1 / −1 (\(outputType.elementType.name))"]
        }
        return ["thresholding unit: \(elementCount) elements × \(table.first?.count ?? 0) parallel comparators (\(table.count) threshold rows), \(offset) + count(x ≥ t) → \(outputType)"]
    }
}
