import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// Gives every requantizing node (conv2d, dense, matmul, requantize) a rule the target's
/// kernels implement: a rule the target lists is kept; otherwise the first of
/// `fixedPointMultiplier`, `floatScale` the target lists replaces it, and the change is logged.
struct SelectRequantizationRulePass: GraphPass {
    let target: TargetDescription
    let log: CompileLog
    var name: String { "simd-select-requantization" }
    var summary: String { "switch requantization to a rule the target implements (fixed-point multiplier on Arm)" }

    func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        let supported = target.numerics.requantization
        let preferred: [RequantizationRule] = [.fixedPointMultiplier, .floatScale]
        var result = graph
        for index in result.nodes.indices {
            let node = result.nodes[index]
            guard OperatorKind.multiplyAccumulate.union([.requantize]).contains(node.kind),
                  let output = result.types[node.outputs[0]], output.isQuantized,
                  !supported.contains(node.requantization) else { continue }
            guard let replacement = preferred.first(where: supported.contains) else {
                throw DiagnosticError(.error("\(target.name) requantizes with \(supported.map(\.rawValue).joined(separator: ", ")); the simd kernels implement fixedPointMultiplier and floatScale",
                                             place: node.place))
            }
            result.nodes[index].requantization = replacement
            log.note("requantization \(node.requantization.rawValue) → \(replacement.rawValue): \(target.name) implements \(supported.map(\.rawValue).joined(separator: ", "))",
                     pass: name, node: node.name)
        }
        return result
    }
}
