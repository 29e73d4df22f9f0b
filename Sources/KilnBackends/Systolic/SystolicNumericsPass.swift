import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// The numeric adaptation of a systolic array: the int8 graph stays as it is, except that every
/// conv2d / dense / matmul requantization must use a rule the array's output path implements
/// (`numerics.requantization`). A node with another rule switches to float-scale or, failing
/// that, the fixed-point multiplier, and the change is logged.
struct SystolicNumericsPass: GraphPass {
    /// The systolic target.
    public let target: TargetDescription
    /// The compile options; the pass writes each change to their log.
    public let options: CompileOptions

    /// Creates the pass.
    public init(target: TargetDescription, options: CompileOptions) {
        self.target = target
        self.options = options
    }

    /// `fpga-systolic-numerics`.
    public var name: String { "fpga-systolic-numerics" }
    /// One line for `--print-ir-after` listings.
    public var summary: String { "Keep int8 GEMMs; requantize with a rule the array's output path implements" }

    /// Checks (and if needed switches) every GEMM's requantization rule.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        let rules = target.numerics.requantization
        let replacement = [RequantizationRule.floatScale, .fixedPointMultiplier].first(where: rules.contains)
        var result = graph
        var kept = 0
        for (index, node) in graph.nodes.enumerated() where OperatorKind.multiplyAccumulate.contains(node.kind) {
            guard let output = node.outputs.first.flatMap({ graph.types[$0] }), output.quantization != nil,
                  let input = node.input(0).flatMap({ graph.types[$0] }), input.elementType.isInteger else { continue }
            if rules.contains(node.requantization) { kept += 1; continue }
            guard let replacement else {
                options.log.note("requantization \(node.requantization.rawValue) is not among the target's rules (\(rules.map(\.rawValue).joined(separator: ", "))) and none can replace it: the node will run on the host",
                                 pass: name, node: node.name)
                continue
            }
            result.nodes[index].requantization = replacement
            options.log.note("requantization \(node.requantization.rawValue) → \(replacement.rawValue): the array's output path implements \(rules.map(\.rawValue).joined(separator: ", "))",
                             pass: name, node: node.name)
        }
        if kept > 0 {
            options.log.note("\(kept) GEMM layer\(kept == 1 ? "" : "s") keep int8 operands and their requantization rule (implemented by the output path); nothing else changes",
                             pass: name)
        }
        return result
    }
}
