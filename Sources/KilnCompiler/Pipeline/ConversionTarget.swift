import KilnIR
import KilnNumerics
import KilnTargets

/// Which nodes may run on a target's accelerator, from the op set the target declares: the op,
/// its formats and every declared limit, checked the same way for every family.
///
/// Legalization asks it before trying the family's patterns; a family's plan asks it to see the
/// nodes legalization will offer its patterns.
public struct ConversionTarget: Sendable {
    /// The target whose `ops[]` decide.
    public let target: TargetDescription

    /// Creates the conversion target of a target.
    public init(target: TargetDescription) {
        self.target = target
    }

    /// Why the node may not run on the accelerator, or nil if the op set allows it.
    public func illegality(of node: Node, in graph: Graph) -> String? {
        guard let support = target.support(for: node.kind) else {
            return "\(node.kind.rawValue) is not in the target's op set"
        }
        if let format = Self.decidingElementType(node, in: graph), !support.formats.contains(format) {
            return "\(node.kind.rawValue) at \(format.name): the target runs it at \(support.formats.map(\.name).joined(separator: ", "))"
        }
        if let limit = support.maxKernelSize, let kernel = Self.kernelSize(of: node, in: graph), kernel.contains(where: { $0 > limit }) {
            return "kernel \(kernel.map(String.init).joined(separator: "×")) exceeds the target's largest, \(limit)×\(limit)"
        }
        if let limit = support.maxTensorElements {
            for value in node.inputs + node.outputs where !value.isEmpty {
                if let count = graph.types[value]?.elementCount, count > limit {
                    return "\(node.kind.rawValue) on '\(value)' of \(count) elements: the target's op set allows at most \(limit)"
                }
            }
        }
        return nil
    }

    /// The element type that decides whether the target supports a node: its first input's for
    /// compute and movement ops, its output's for `quantize`.
    public static func decidingElementType(_ node: Node, in graph: Graph) -> ElementType? {
        let input = node.input(0).flatMap { graph.types[$0] }
        let output = node.outputs.first.flatMap { graph.types[$0] }
        return node.kind == .quantize ? output?.elementType : input?.elementType
    }

    /// The kernel height and width of a convolution (from its weights) or pooling (from its attributes).
    static func kernelSize(of node: Node, in graph: Graph) -> [Int]? {
        switch node.operation {
        case .conv2d:
            guard let shape = node.input(1).flatMap({ graph.types[$0] })?.shape, shape.count == 4 else { return nil }
            return Array(shape[2...])
        case .maxPool(let pooling), .averagePool(let pooling):
            return pooling.kernel
        default:
            return nil
        }
    }
}
