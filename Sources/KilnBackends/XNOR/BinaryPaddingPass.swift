import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// States, for each padded ±1 convolution, how the target realizes the IR's zero padding.
///
/// The IR's integer conv gives padded taps the value 0, which ±1 hardware cannot hold. The XNOR
/// kernels keep the IR's semantics exactly: the array fills padded taps with its native bit
/// (`xnor.padding`) and a per-tap correction `fill · Σ_c w` is subtracted. The alternative
/// (an explicit `pad` with ±1 and an unpadded conv) would change the model's arithmetic and
/// needs `pad` in the op set; Kiln keeps zero padding so a zero-padded model stays bit-exact.
/// The graph is unchanged; the pass records the choice per node.
struct BinaryPaddingPass: GraphPass {
    let padding: XNORSection.Padding
    let log: CompileLog
    var name: String { "xnor-binary-padding" }
    var summary: String { "record how padded ±1 convolutions keep zero padding on the target (per-tap correction)" }

    func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        for node in graph.nodes {
            guard case .conv2d(let attributes) = node.operation, attributes.pads.contains(where: { $0 > 0 }),
                  graph.types[node.inputs[0]]?.elementType == .binary,
                  node.input(1).flatMap({ graph.types[$0] })?.elementType == .binary else { continue }
            let native: String
            switch padding {
            case .minusOne: native = "the array pads with −1 (bit 0)"
            case .plusOne: native = "the array pads with +1 (bit 1)"
            case .zeroCorrected: native = "the kernel packs padded taps as −1 (bit 0) words and corrects them (zeroCorrected)"
            }
            log.note("padding \(attributes.pads) kept as zero padding: \(native); the kernel subtracts fill·Σ_c w for each padded tap, so padded taps contribute 0 (exact)",
                     pass: name, node: node.name)
        }
        return graph
    }
}
