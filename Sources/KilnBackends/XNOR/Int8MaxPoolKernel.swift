import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// Max pooling of int8 codes on the int8 unit's comparators (exact on codes: input and output
/// share their quantization); padded taps are skipped, an all-padding window gives the zero point.
struct Int8MaxPoolKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let window: PoolWindow
    private let type: TensorType, outputType: TensorType
    private let facts: XNORTargetFacts

    var name: String { "int8-unit.max-pool" }

    init(nodeAt index: Int, in graph: Graph, facts: XNORTargetFacts) throws(StageError) {
        let node = graph.nodes[index]
        guard case .maxPool(let attributes) = node.operation else { throw StageError("not a maxPool") }
        let x = graph.types[node.inputs[0]]!
        guard x.elementType.isInteger, x.elementType != .binary, x.shape.count == 4 else {
            throw StageError("int8 max pooling needs integer NCHW input")
        }
        outputType = graph.types[node.outputs[0]]!
        window = PoolWindow(input: x.shape, output: outputType.shape, attributes: attributes)
        type = x
        self.facts = facts
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = node.outputs
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [type.shape], kernel: name, node: nodes[0])
        let input = operands[0].codes!
        let w = window
        let zero = type.quantization?.zeroPoint(at: 0) ?? 0
        let plane = w.height * w.width, outputPlane = w.outputHeight * w.outputWidth
        var output = [Int32](repeating: 0, count: w.outputCount)
        for p in 0..<(w.batch * w.channels) {
            for oy in 0..<w.outputHeight {
                for ox in 0..<w.outputWidth {
                    var best = Int32.min
                    w.forEachTap(oy, ox) { y, x in best = max(best, input[p * plane + y * w.width + x]) }
                    output[p * outputPlane + oy * w.outputWidth + ox] = best == Int32.min ? zero : best
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let comparisons = window.tapCount
        counts.aluOperations = comparisons
        counts.instructions[.int8UnitMax] = comparisons
        counts.bytesRead[facts.activationLevel] = XNORKernelSupport.bytes(of: type)
        counts.bytesWritten[facts.activationLevel] = XNORKernelSupport.bytes(of: outputType)
        return counts
    }

    func listing() -> [String] {
        ["\(window.summary) × \(window.channels) channels", "  max of codes over the window's taps (\(type.elementType.name)) → \(outputType)"]
    }
}

/// Lowers `maxPool`: OR pooling for ±1 input, code max on the int8 unit otherwise.
struct MaxPoolPattern: LoweringPattern {
    var name: String { "max-pool" }
    var root: OperatorKind { .maxPool }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        guard let facts = XNORTargetFacts(target) else { return .rejected("the target has no xnor section") }
        do {
            if graph.types[graph.nodes[index].inputs[0]]?.elementType == .binary {
                return .lowered(try BinaryMaxPoolKernel(nodeAt: index, in: graph, facts: facts))
            }
            return .lowered(try Int8MaxPoolKernel(nodeAt: index, in: graph, facts: facts))
        } catch {
            return .rejected(error.message)
        }
    }
}

extension Int8MaxPoolKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        XNORWorkload(work: .int8Operations(window.tapCount), weightBytes: 0,
                     inputBytes: XNORKernelSupport.bytes(of: type), outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
