import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Data movement on int8 codes: reshape / flatten / squeeze / unsqueeze (a retype, no copy),
/// transpose (a gather of bytes), concat of equally quantized inputs, constant pad.
/// Counts vector loads and stores of `vectorBytes` bytes.
struct SIMDDataMovementKernel: TargetKernel {
    let node: Node
    let scheme: SIMDDotProductScheme
    let inputTypes: [TensorType]
    let outputType: TensorType
    let levels: SIMDMemoryLevels
    var name: String { "simd-\(node.kind.rawValue)" }
    var nodes: [Node] { [node] }
    var inputs: [String] { node.inputs.filter { !$0.isEmpty } }
    var outputs: [String] { node.outputs }
    private var isRetype: Bool { OperatorKind.views.contains(node.kind) }

    /// Lowers a data-movement node, or says why it cannot.
    static func lower(node: Node, graph: Graph, scheme: SIMDDotProductScheme, levels: SIMDMemoryLevels) -> LoweringMatch {
        let types = node.inputs.filter { !$0.isEmpty }.compactMap { graph.types[$0] }
        guard let outputType = graph.types[node.outputs[0]], !types.isEmpty, SIMDBinaryOperands.isByte(outputType.elementType) else {
            return .rejected("needs 8-bit codes")
        }
        switch node.operation {
        case .concat:
            guard types.allSatisfy({ $0.quantization == outputType.quantization && $0.elementType == outputType.elementType }) else {
                return .rejected("concat inputs with other quantization parameters need requantization")
            }
        case .pad(let padding):
            guard padding.mode == .constant else { return .rejected("only constant padding is a plain copy") }
        default: break
        }
        return .lowered(SIMDDataMovementKernel(node: node, scheme: scheme, inputTypes: types, outputType: outputType, levels: levels))
    }

    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard inputs.count == inputTypes.count, zip(inputs, inputTypes).allSatisfy({ $0.shape == $1.shape && $0.codes != nil }) else {
            throw DiagnosticError(.error("expected inputs \(inputTypes)", place: node.place))
        }
        let result: [Int32]
        switch node.operation {
        case .transpose(let permutation):
            let x = inputs[0].codes!, shape = inputs[0].shape
            let strides = Shape.strides(shape), outputShape = outputType.shape
            var output = [Int32](repeating: 0, count: x.count)
            var coordinate = [Int](repeating: 0, count: outputShape.count)
            for index in 0..<x.count {
                var offset = 0
                for axis in 0..<outputShape.count { offset += coordinate[axis] * strides[permutation[axis]] }
                output[index] = x[offset]
                var axis = outputShape.count - 1
                while axis >= 0 {
                    coordinate[axis] += 1
                    if coordinate[axis] < outputShape[axis] { break }
                    coordinate[axis] = 0
                    axis -= 1
                }
            }
            result = output
        case .concat(let axis):
            let outer = Shape.elementCount(Array(outputType.shape[..<axis])) ?? 0
            let inner = Shape.elementCount(Array(outputType.shape[(axis + 1)...])) ?? 0
            var output: [Int32] = []
            output.reserveCapacity(outputType.elementCount ?? 0)
            for o in 0..<outer {
                for input in inputs {
                    let block = input.shape[axis] * inner
                    output.append(contentsOf: input.codes![o * block ..< (o + 1) * block])
                }
            }
            result = output
        case .pad(let padding):
            let x = inputs[0].codes!, shape = inputs[0].shape, rank = shape.count
            let strides = Shape.strides(shape), outputShape = outputType.shape
            let fill = outputType.quantization.map {
                LinearQuantization.quantize(padding.value, scale: $0.scale(at: 0), zeroPoint: $0.zeroPoint(at: 0),
                                            minimumCode: Int32(clamping: outputType.elementType.minimumCode),
                                            maximumCode: Int32(clamping: outputType.elementType.maximumCode))
            } ?? Int32(clamping: Int64(padding.value.rounded(.toNearestOrEven)))
            let count = outputType.elementCount ?? 0
            var output = [Int32](repeating: fill, count: count)
            var coordinate = [Int](repeating: 0, count: rank)
            for index in 0..<count {
                var offset = 0, inside = true
                for axis in 0..<rank {
                    let source = coordinate[axis] - padding.pads[axis]
                    if source < 0 || source >= shape[axis] { inside = false; break }
                    offset += source * strides[axis]
                }
                if inside { output[index] = x[offset] }
                var axis = rank - 1
                while axis >= 0 {
                    coordinate[axis] += 1
                    if coordinate[axis] < outputShape[axis] { break }
                    coordinate[axis] = 0
                    axis -= 1
                }
            }
            result = output
        default:
            result = inputs[0].codes!
        }
        return [Tensor(type: outputType, storage: .int32(result))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        guard !isRetype else { return counts }
        let outputBytes = outputType.elementCount ?? 0
        let inputBytes = inputTypes.reduce(0) { $0 + ($1.elementCount ?? 0) }
        counts.bytesRead[levels.activations] = inputBytes
        counts.bytesWritten[levels.activations] = outputBytes
        let vector = scheme.vectorBytes
        if node.kind == .transpose {
            // Byte gathers: one scalar load and store per element.
            counts.instructions[.loadByte] = inputBytes
            counts.instructions[.storeByte] = outputBytes
        } else {
            counts.instructions[.vectorLoad] = (inputBytes + vector - 1) / vector
            counts.instructions[.vectorStore] = (outputBytes + vector - 1) / vector
        }
        return counts
    }

    func listing() -> [String] {
        switch node.kind {
        case .reshape, .flatten, .squeeze, .unsqueeze: ["retype only: same bytes, new shape \(outputType.shape) (no instructions)"]
        case .transpose: ["byte gather of \(outputType.elementCount ?? 0) elements into \(outputType.shape)"]
        default: ["copy \(inputTypes.count) input(s) with \(scheme.vectorBits)-bit vector loads/stores into \(outputType.shape)"]
        }
    }
}
