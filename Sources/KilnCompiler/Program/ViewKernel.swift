import KilnDiagnostics
import KilnIR

/// `reshape`, `flatten`, `squeeze` or `unsqueeze` of integer codes on the accelerator: a new
/// shape over the same row-major buffer, so nothing is read, written, computed or counted. The
/// one view kernel every family lowers views to (a family's cycle model gives it no cycles).
public struct ViewKernel: TargetKernel {
    /// The view node.
    public let nodes: [Node]
    /// Its input.
    public let inputs: [String]
    /// Its output.
    public let outputs: [String]
    /// The input's type.
    public let inputType: TensorType
    /// The output's type: the input's with another shape.
    public let outputType: TensorType

    /// `view.<op>` (`view.flatten`).
    public var name: String { "view.\(nodes[0].kind.rawValue)" }

    /// The input buffer under the output type.
    /// - Throws: ``DiagnosticError`` naming the node if the operand is not one tensor of the input's shape.
    public func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 1, operands[0].shape == inputType.shape, operands[0].type.elementType == inputType.elementType else {
            throw DiagnosticError(.error("\(name) expects one \(inputType) operand", place: nodes[0].place))
        }
        return [Tensor(type: outputType, storage: operands[0].storage)]
    }

    /// Nothing.
    public func countActions() -> ActionCounts { ActionCounts() }

    /// Whether the memory plan gives the output the input's buffer (and the view no time of its
    /// own), for a family whose compiler removes views, as Vela removes reshapes; false: a
    /// buffer of its own.
    public let sharesInputBuffer: Bool

    /// The input's buffer when ``sharesInputBuffer``.
    public var outputBufferReuse: OutputBufferReuse? { sharesInputBuffer ? .view(of: inputs[0]) : nil }

    /// The view.
    public func listing() -> [String] {
        ["view \(inputType.shape) as \(outputType.shape): same buffer, row-major order kept, nothing moved"]
    }

    /// The lowering-table row for one view operator: one integer input whose type the output
    /// keeps except for the shape; ``sharesInputBuffer`` as given.
    public static func pattern(_ root: OperatorKind, sharesInputBuffer: Bool = false) -> KernelPattern {
        KernelPattern("view-\(root.rawValue)", root: root) { index, context throws(LoweringRejection) in
            let node = context.graph.nodes[index]
            guard node.inputs.count == 1, node.outputs.count == 1, let input = context.graph.types[node.inputs[0]],
                  input.elementType.isInteger, let output = context.graph.types[node.outputs[0]],
                  input.withShape(output.shape) == output else {
                throw LoweringRejection("a view needs one integer input whose type the output keeps but for the shape")
            }
            return ViewKernel(nodes: [node], inputs: node.inputs, outputs: node.outputs, inputType: input, outputType: output,
                              sharesInputBuffer: sharesInputBuffer)
        }
    }
}
