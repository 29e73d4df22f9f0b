import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// A quantized global average pool on the int8 unit: per channel, `Σ (q − z)` in int32, then
/// scaled by the float32 multiplier `sx / (sy · count)`, rounded half to even, plus the output
/// zero point, saturated (the IR's float-scale rule for averages).
struct Int8GlobalAveragePoolKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputType: TensorType, outputType: TensorType
    private let requantizer: FloatScaleRequantizer
    private let planes: Int, plane: Int
    private let facts: XNORTargetFacts

    var name: String { "int8-unit.global-average-pool" }

    init(nodeAt index: Int, in graph: Graph, facts: XNORTargetFacts) throws(StageError) {
        let node = graph.nodes[index]
        guard let x = graph.types[node.inputs[0]], let output = graph.types[node.outputs[0]], x.shape.count >= 2,
              x.elementType == .int8, let inputQuantization = x.quantization, inputQuantization.isPerTensor,
              let outputQuantization = output.quantization, outputQuantization.isPerTensor else {
            throw StageError("the int8 average needs per-tensor quantized i8 input and output")
        }
        planes = x.shape[0] * x.shape[1]
        plane = planes == 0 ? 0 : (x.elementCount ?? 0) / planes
        guard plane > 0 else { throw StageError("an empty plane has no average") }
        let multiplier = inputQuantization.scales[0] / (outputQuantization.scales[0] * Float(plane))
        do {
            requantizer = try FloatScaleRequantizer(multiplier: multiplier, zeroPoint: outputQuantization.zeroPoints[0],
                                                    outputType: output.elementType)
        } catch {
            throw StageError("cannot requantize the average to \(output): \(error)")
        }
        inputType = x; outputType = output
        self.facts = facts
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = node.outputs
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [inputType.shape], kernel: name, node: nodes[0])
        let input = operands[0].codes!
        let zero = inputType.quantization!.zeroPoints[0]
        var output = [Int32](repeating: 0, count: planes)
        for p in 0..<planes {
            var sum: Int32 = 0
            for index in p * plane ..< (p + 1) * plane { sum = sum &+ (input[index] &- zero) }
            output[p] = requantizer.apply(sum)
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        counts.aluOperations = planes * plane + planes
        counts.instructions[.int8UnitAccumulate] = planes * plane
        counts.instructions[.int8UnitOutputStage] = planes
        counts.bytesRead[facts.activationLevel] = planes * plane
        counts.bytesWritten[facts.activationLevel] = XNORKernelSupport.bytes(of: outputType)
        return counts
    }

    func listing() -> [String] {
        ["for each of \(planes) channels: acc = Σ \(plane) (q − zx) in i32; requantize ×\(requantizer.multiplier) (f32, half-even) → \(outputType)"]
    }
}

extension Int8GlobalAveragePoolKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        XNORWorkload(work: .int8Operations(planes * plane + planes), weightBytes: 0,
                     inputBytes: XNORKernelSupport.bytes(of: inputType), outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
