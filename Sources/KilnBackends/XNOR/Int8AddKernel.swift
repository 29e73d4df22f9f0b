import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// A quantized elementwise `add` of two same-shaped int8 tensors (a residual join), computed as
/// the IR defines it: ONNX Runtime's QLinearAdd (``KilnNumerics/ONNXRuntimeQLinearArithmetic``:
/// zero points folded into one float32 constant, two fused multiply-adds on the codes, round half
/// to even, saturate). On a CPU target this is the float pipe's convert / multiply-add /
/// round-to-nearest-even-convert sequence per element.
struct Int8AddKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let leftType: TensorType, rightType: TensorType, outputType: TensorType
    private let facts: XNORTargetFacts

    var name: String { "int8-unit.add" }

    init(nodeAt index: Int, in graph: Graph, facts: XNORTargetFacts) throws(StageError) {
        let node = graph.nodes[index]
        guard node.inputs.count == 2, let left = graph.types[node.inputs[0]], let right = graph.types[node.inputs[1]],
              let output = graph.types[node.outputs[0]] else { throw StageError("add needs two inputs") }
        guard left.shape == right.shape, left.shape == output.shape else {
            throw StageError("the int8 add needs equal shapes (no broadcasting), got \(left.shape) + \(right.shape)")
        }
        guard left.elementType == .int8, right.elementType == .int8, output.elementType == .int8,
              left.quantization?.isPerTensor ?? false, right.quantization?.isPerTensor ?? false,
              output.quantization?.isPerTensor ?? false else {
            throw StageError("the int8 add needs per-tensor quantized i8 operands and output")
        }
        leftType = left; rightType = right; outputType = output
        self.facts = facts
        nodes = [node]
        inputs = node.inputs
        outputs = node.outputs
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [leftType.shape, rightType.shape], kernel: name, node: nodes[0])
        let a = operands[0].codes!, b = operands[1].codes!
        let (sa, za) = (leftType.quantization!.scales[0], leftType.quantization!.zeroPoints[0])
        let (sb, zb) = (rightType.quantization!.scales[0], rightType.quantization!.zeroPoints[0])
        let (sy, zy) = (outputType.quantization!.scales[0], outputType.quantization!.zeroPoints[0])
        let arithmetic = ONNXRuntimeQLinearArithmetic(.add, scaleA: sa, zeroPointA: za, scaleB: sb, zeroPointB: zb,
                                                      scaleC: sy, zeroPointC: zy, minimumCode: -128, maximumCode: 127)
        let output = arithmetic.codes(a, b)
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let elements = outputType.elementCount ?? 0
        // Two dequantizations, the add, the quantization.
        counts.aluOperations = 4 * elements
        counts.instructions[.floatDequantize] = 2 * elements
        counts.instructions[.floatAdd] = elements
        counts.instructions[.floatQuantize] = elements
        counts.bytesRead[facts.activationLevel] = 2 * elements
        counts.bytesWritten[facts.activationLevel] = elements
        return counts
    }

    func listing() -> [String] {
        ["for each of \(outputType.elementCount ?? 0) elements: f32 fma(a, sa/sy, fma(b, sb/sy, zy − (sa/sy·za + sb/sy·zb))) → round-half-even, saturate i8 → \(outputType)"]
    }
}

extension Int8AddKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        let elements = outputType.elementCount ?? 0
        return XNORWorkload(work: .int8Operations(4 * elements), weightBytes: 0,
                            inputBytes: XNORKernelSupport.bytes(of: leftType) + XNORKernelSupport.bytes(of: rightType),
                            outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
