import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// The float32 ↔ int8 edges of an ONNX model on the s8 stack, on the Cortex-M core's FPU, with
/// ONNX Runtime's QuantizeLinear / DequantizeLinear (the functions the reference uses,
/// `LinearQuantization.quantize` / `dequantize`, per tensor):
///
/// * quantize: `vldr`, `vdiv.f32` by the scale (IEEE division: the reference's float32 quotient),
///   `vcvtr.s32.f32` (FPSCR round to nearest, ties to even; NaN → 0), `vmov`, `add` (zero point),
///   `ssat #8`, `strb`;
/// * dequantize: `ldrsb`, `sub` counted as `add` (zero point), `vmov`, `vcvt.f32.s32`, `vmul.f32`
///   by the scale, `vstr`.
///
/// A quantize with TFLite semantics (ties away from zero) is not lowered: the FPU's conversion
/// rounds ties to even.
struct S8EdgeConversionKernel: TargetKernel, DSPScheduledKernel {
    let node: Node
    /// The int8 side's type (per tensor).
    let codeType: TensorType
    let memory: DSPMemoryMap
    let zeroOverheadLoops: Bool

    var isQuantize: Bool { node.kind == .quantize }
    var name: String { isQuantize ? "fpu-quantize-s8" : "fpu-dequantize-s8" }
    var nodes: [Node] { [node] }
    var inputs: [String] { [node.inputs[0]] }
    var outputs: [String] { node.outputs }
    var elementCount: Int { codeType.elementCount ?? 0 }
    private var scale: Float { codeType.quantization!.scale(at: 0) }
    private var zeroPoint: Int32 { codeType.quantization!.zeroPoint(at: 0) }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 1, operands[0].count == elementCount else {
            throw DiagnosticError(.error("\(name): expected \(elementCount) elements", place: node.place))
        }
        if isQuantize {
            guard let values = operands[0].floats else { throw DiagnosticError(.error("\(name): expected float32 input", place: node.place)) }
            let low = Int32(codeType.elementType.minimumCode), high = Int32(codeType.elementType.maximumCode)
            return [Tensor(type: codeType, storage: .int32(values.map {
                LinearQuantization.quantize($0, scale: scale, zeroPoint: zeroPoint, minimumCode: low, maximumCode: high)
            }))]
        }
        guard let codes = operands[0].codes else { throw DiagnosticError(.error("\(name): expected integer codes", place: node.place)) }
        return [Tensor(type: .float32(codeType.shape), storage: .float32(codes.map { LinearQuantization.dequantize($0, scale: scale, zeroPoint: zeroPoint) }))]
    }

    func countActions() -> ActionCounts {
        S8OutputStage.counts(of: loops(), bytesRead: elementCount * (isQuantize ? 4 : 1), bytesWritten: elementCount * (isQuantize ? 1 : 4),
                             level: memory.activationLevel)
    }

    func loops() -> [DSPLoop] {
        let level = memory.activationLevel
        let body = isQuantize
            ? [DSPInstruction("vldr", level), DSPInstruction("vdiv.f32"), DSPInstruction("vcvtr.s32.f32"), DSPInstruction("vmov"),
               DSPInstruction("add"), DSPInstruction("ssat"), DSPInstruction("strb", level)]
            : [DSPInstruction("ldrsb", level), DSPInstruction("add"), DSPInstruction("vmov"), DSPInstruction("vcvt.f32.s32"),
               DSPInstruction("vmul.f32"), DSPInstruction("vstr", level)]
        return [DSPLoop(name: "element", body: body, iterations: elementCount, entries: 1, loopControl: !zeroOverheadLoops)]
    }

    func listing() -> [String] {
        isQuantize
            ? ["for i in 0..<\(elementCount):  vldr; vdiv.f32 by \(scale); vcvtr.s32.f32 (nearest-even); vmov; add \(zeroPoint); ssat #8; strb   ; f32 → i8"]
            : ["for i in 0..<\(elementCount):  ldrsb; sub \(zeroPoint); vmov; vcvt.f32.s32; vmul.f32 by \(scale); vstr   ; i8 → f32"]
    }
}

/// Lowers a per-tensor float32 ↔ int8 quantize (ONNX Runtime semantics) or dequantize to
/// ``S8EdgeConversionKernel``.
struct S8EdgeConversionPattern: LoweringPattern {
    let root: OperatorKind
    var name: String { root == .quantize ? "fpu-quantize-s8" : "fpu-dequantize-s8" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard let input = graph.types[node.inputs[0]], let output = node.outputs.first, let outputType = graph.types[output] else {
            return .rejected("missing types")
        }
        let codeType = root == .quantize ? outputType : input
        let floatType = root == .quantize ? input : outputType
        guard floatType.elementType == .float32, codeType.elementType == .int8, codeType.quantization?.isPerTensor == true else {
            return .rejected("needs float32 and per-tensor i8")
        }
        guard root == .dequantize || node.semantics == .onnxRuntime else {
            return .rejected("TFLite's quantize rounds ties away from zero; the FPU's vcvtr rounds them to even")
        }
        return .lowered(S8EdgeConversionKernel(node: node, codeType: codeType, memory: DSPMemoryMap(target: target, graph: graph),
                                               zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false))
    }
}
