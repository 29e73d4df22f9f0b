import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// On a target whose int8 dot-product instruction saturates its pair sums (x86 AVX2
/// `vpmaddubsw`), marks every 8-bit conv2d (except depthwise ones) / dense / matmul with
/// ``KilnIR/Accumulation/pairwiseSaturatingInt16``, so the reference computes what the
/// hardware computes; each change is logged. Other targets accumulate exactly in int32 and the
/// graph is unchanged.
///
/// The saturation belongs to the kernel library, not to the model: ONNX Runtime's MLAS u8s8
/// kernels use `vpmaddubsw` on AVX2, so an ONNX Runtime node is marked. TensorFlow Lite's x86
/// kernels (ruy's `Kernel8bitAvx2` in `ruy/kernel_avx2_fma.cc`, XNNPACK's qs8 AVX2 micro-kernels)
/// sign-extend both operands to int16 and multiply-add with `vpmaddwd`, which cannot saturate,
/// so a node with TensorFlow Lite semantics keeps its exact int32 accumulation (also logged).
struct MarkSaturatingPairSumsPass: GraphPass {
    let scheme: SIMDDotProductScheme?
    let log: CompileLog
    var name: String { "simd-mark-saturating-pair-sums" }
    var summary: String { "mark int8 conv2d/dense/matmul as accumulating through saturating int16 pair sums where the instruction does" }

    func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        guard let scheme, scheme.saturatesPairs else { return graph }
        var result = graph
        for index in result.nodes.indices {
            let node = result.nodes[index]
            guard OperatorKind.multiplyAccumulate.contains(node.kind), node.accumulation == .wrappingInt32, !Self.isDepthwise(node, result),
                  let a = node.input(0), let b = node.input(1),
                  let first = result.types[a]?.elementType, let second = result.types[b]?.elementType,
                  Int8OperandEncoding(scheme: scheme, first: first, second: second) != nil else { continue }
            guard first != .binary, second != .binary else {
                log.note("keeps exact int32 accumulation: ±1 operands run through the int16-widening (vpmaddwd) path, as the binarized network's reference does",
                         pass: name, node: node.name)
                continue
            }
            guard node.semantics == .onnxRuntime else {
                log.note("keeps exact int32 accumulation: TensorFlow Lite's x86 kernels widen int8 to int16 and use vpmaddwd, not \(scheme.instruction.name)",
                         pass: name, node: node.name)
                continue
            }
            result.nodes[index].accumulation = .pairwiseSaturatingInt16
            log.note("accumulates through \(scheme.instruction.name): u8×s8 pair sums saturate to int16 before int32 accumulation (may differ from exact int32)",
                     pass: name, node: node.name)
        }
        return result
    }

    /// A depthwise conv2d (one input channel per group): ONNX Runtime runs it with MLAS's
    /// depthwise kernel, which widens to 16 bits and accumulates exactly, not with the
    /// `vpmaddubsw` GEMM (measured on `Tests/Fixtures/ort-residual`).
    static func isDepthwise(_ node: Node, _ graph: Graph) -> Bool {
        guard case .conv2d(let attributes) = node.operation, attributes.groups > 1, let weight = node.input(1),
              let shape = graph.types[weight]?.shape, shape.count == 4 else { return false }
        return shape[1] == 1
    }
}
