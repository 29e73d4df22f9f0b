import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// A standalone `multiThreshold` on the threshold units: `offset + #{t : x ≥ t}` per element,
/// with the thresholds made integers at compile time (`x ≥ t ⟺ x ≥ ⌈t⌉` for integer codes).
struct ThresholdKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputType: TensorType, outputType: TensorType
    private let thresholds: BinaryOutputStage.IntegerThresholds
    private let channels: Int, inner: Int
    private let facts: XNORTargetFacts

    var name: String { "threshold-units.multi-threshold" }

    init(nodeAt index: Int, in graph: Graph, facts: XNORTargetFacts) throws(StageError) {
        let node = graph.nodes[index]
        guard case .multiThreshold(let attributes) = node.operation else { throw StageError("not a multiThreshold") }
        guard let name = node.input(1), let table = graph.constants[name], table.shape.count == 2 else {
            throw StageError("the thresholds must be a constant [C, T]")
        }
        let x = graph.types[node.inputs[0]]!
        guard x.elementType.isInteger, attributes.channelAxis >= 0, attributes.channelAxis < x.shape.count else {
            throw StageError("the threshold units compare integer codes along a channel axis of the input")
        }
        let output = graph.types[node.outputs[0]]!
        let lowest = Int64(attributes.offset), highest = Int64(attributes.offset) + Int64(table.shape[1])
        guard output.elementType == .binary || (output.elementType.contains(lowest) && output.elementType.contains(highest)) else {
            throw StageError("counts \(lowest)...\(highest) do not fit \(output.elementType.name)")
        }
        channels = x.shape[attributes.channelAxis]
        guard table.shape[0] == 1 || table.shape[0] == channels else {
            throw StageError("\(table.shape[0]) threshold rows for \(channels) channels")
        }
        inner = Shape.elementCount(Array(x.shape.dropFirst(attributes.channelAxis + 1))) ?? 1
        thresholds = .init(table: table.doubles, rows: table.shape[0], perRow: table.shape[1], offset: attributes.offset)
        inputType = x
        outputType = output
        self.facts = facts
        nodes = [node]
        inputs = [node.inputs[0], name]
        outputs = node.outputs
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [inputType.shape, nil], kernel: name, node: nodes[0])
        let stage = BinaryOutputStage.threshold(thresholds)
        let input = operands[0].codes!
        var output = [Int32](repeating: 0, count: input.count)
        for index in 0..<input.count {
            output[index] = stage.apply(input[index], channel: (index / max(inner, 1)) % max(channels, 1))
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let comparisons = (inputType.elementCount ?? 0) * thresholds.perRow
        counts.aluOperations = comparisons
        counts.instructions[.thresholdCompare] = comparisons
        counts.bytesRead[facts.activationLevel] = XNORKernelSupport.bytes(of: inputType)
        counts.bytesRead[facts.weightLevel] = thresholds.values.count * 4
        counts.bytesWritten[facts.activationLevel] = XNORKernelSupport.bytes(of: outputType)
        return counts
    }

    func listing() -> [String] {
        ["for each of \(inputType.elementCount ?? 0) elements (\(channels) channels): \(BinaryOutputStage.threshold(thresholds).summary); \(inputType) → \(outputType)"]
    }
}

extension ThresholdKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        XNORWorkload(work: .comparisons((inputType.elementCount ?? 0) * thresholds.perRow), weightBytes: thresholds.values.count * 4,
                     inputBytes: XNORKernelSupport.bytes(of: inputType), outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
