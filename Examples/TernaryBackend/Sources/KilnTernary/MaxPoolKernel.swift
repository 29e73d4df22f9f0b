import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// `maxPool` on integer codes with the PEs' comparators: the largest code of each window (input
/// and output share their quantization; a window wholly in the padding gives the zero point).
struct MaxPoolKernel: TernaryCostedKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let pooling: Pooling
    private let inputType: TensorType, outputType: TensorType
    private let activationLevel: String

    var name: String { "comparators.max-pool" }

    init(nodeAt index: Int, in context: LoweringContext) throws(LoweringRejection) {
        let (graph, target, node) = (context.graph, context.target, context.graph.nodes[index])
        guard case .maxPool(let pooling) = node.operation, pooling.dilations == [1, 1], !pooling.ceilMode else {
            throw LoweringRejection("only undilated max pooling with floor rounding")
        }
        let x = graph.types[node.inputs[0]]!, y = graph.types[node.outputs[0]]!
        guard x.elementType.isInteger, x == y.withShape(x.shape) else { throw LoweringRejection("input and output must share one integer type") }
        self.pooling = pooling
        inputType = x; outputType = y
        activationLevel = target.memory.first { $0.holdsActivations }!.name
        nodes = [node]; inputs = [node.inputs[0]]; outputs = node.outputs
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let input = operands.first?.codes, operands[0].shape == inputType.shape else {
            throw DiagnosticError(.error("\(name) expects integer input of shape \(inputType.shape)", place: nodes[0].place))
        }
        let (planes, height, width) = (inputType.shape[0] * inputType.shape[1], inputType.shape[2], inputType.shape[3])
        let (outputHeight, outputWidth) = (outputType.shape[2], outputType.shape[3])
        var output = [Int32](repeating: inputType.quantization?.zeroPoint(at: 0) ?? 0, count: planes * outputHeight * outputWidth)
        for p in 0..<planes {
            for oy in 0..<outputHeight {
                for ox in 0..<outputWidth {
                    var largest = Int32.min
                    for ky in 0..<pooling.kernel[0] {
                        let y = oy * pooling.strides[0] - pooling.pads[0] + ky
                        for kx in 0..<pooling.kernel[1] {
                            let x = ox * pooling.strides[1] - pooling.pads[1] + kx
                            if y >= 0, y < height, x >= 0, x < width { largest = max(largest, input[(p * height + y) * width + x]) }
                        }
                    }
                    if largest != Int32.min { output[(p * outputHeight + oy) * outputWidth + ox] = largest }
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        counts.aluOperations = (outputType.elementCount ?? 0) * pooling.kernel[0] * pooling.kernel[1]
        counts.bytesRead[activationLevel] = inputType.elementCount ?? 0
        counts.bytesWritten[activationLevel] = outputType.elementCount ?? 0
        return counts
    }

    var workload: TernaryWorkload { TernaryWorkload(work: .elementwise(operations: countActions().aluOperations), counts: countActions()) }

    func listing() -> [String] {
        ["comparators: max over \(pooling.kernel[0])×\(pooling.kernel[1]) windows, strides \(pooling.strides), pads \(pooling.pads): \(inputType) → \(outputType.shape)"]
    }
}
