import KilnDiagnostics
import KilnNumerics
import KilnIR

/// Small helpers the XNOR kernels share: storage sizes and operand checks.
enum XNORKernelSupport {
    /// Bytes a value of `type` occupies in memory (sub-byte types packed, ±1 one bit each).
    static func bytes(of type: TensorType) -> Int {
        let count = Shape.elementCount(type.shape) ?? 0
        return (count * type.elementType.bitWidth + 7) / 8
    }

    /// Checks that `inputs` has `expected` tensors whose shapes are `shapes` (nil entries are not checked).
    static func checkOperands(_ inputs: [Tensor], shapes: [[Int]?], kernel: String, node: Node) throws(DiagnosticError) {
        guard inputs.count == shapes.count else {
            throw DiagnosticError(.error("\(kernel) expects \(shapes.count) operands, got \(inputs.count)", place: node.place))
        }
        for (index, (tensor, shape)) in zip(inputs, shapes).enumerated() {
            if let shape, tensor.shape != shape {
                throw DiagnosticError(.error("\(kernel) operand \(index) has shape \(tensor.shape), expected \(shape)", place: node.place))
            }
            if tensor.codes == nil {
                throw DiagnosticError(.error("\(kernel) operand \(index) must hold integer codes", place: node.place))
            }
        }
    }

    /// Checks that every code of a ±1 operand is +1 or −1 (packing maps anything else to a bit).
    static func checkPlusMinusOne(_ codes: [Int32], node: Node) throws(DiagnosticError) {
        if let index = codes.firstIndex(where: { $0 != 1 && $0 != -1 }) {
            throw DiagnosticError(.error("±1 operand holds \(codes[index]) at element \(index)", place: node.place))
        }
    }

    /// Code bounds of a fused `relu` / `clip` whose input and output types are equal: `relu` is
    /// `max(code, zeroPoint)`, `clip` clamps to the codes of its bounds (as the reference does).
    static func clampBounds(of node: Node, type: TensorType) -> (lower: Int32, upper: Int32)? {
        let lowest = Int32(clamping: type.elementType.minimumCode), highest = Int32(clamping: type.elementType.maximumCode)
        let scale = type.quantization?.scale(at: 0) ?? 1
        let zero = type.quantization?.zeroPoint(at: 0) ?? 0
        switch node.operation {
        case .relu: return (zero, highest)
        case .clip(let minimum, let maximum):
            func code(_ value: Float) -> Int32 {
                LinearQuantization.quantize(value, scale: scale, zeroPoint: zero, minimumCode: lowest, maximumCode: highest)
            }
            return (minimum.map(code) ?? lowest, maximum.map(code) ?? highest)
        default: return nil
        }
    }
}
