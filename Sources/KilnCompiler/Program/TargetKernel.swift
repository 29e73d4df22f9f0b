import KilnDiagnostics
import KilnIR

/// One operation of a target program: a kernel of the target's op set implementing one or more
/// nodes of the target-numerics graph with the target's arithmetic.
///
/// Every kernel must compute exactly what the reference interpreter computes on the nodes it
/// covers (the conformance kit checks this), but with the target's own data layout and
/// instructions: bit-packed words, dual 16-bit MAC pairs, saturating pairwise sums.
public protocol TargetKernel: Sendable {
    /// The kernel's name in the target's vocabulary (`sdot-conv2d`).
    var name: String { get }
    /// The target-numerics graph nodes it implements, in order.
    var nodes: [Node] { get }
    /// The values it reads (graph value names), in the order ``execute(_:counts:)`` receives them.
    var inputs: [String] { get }
    /// The values it writes.
    var outputs: [String] { get }
    /// Runs the kernel on its inputs and adds the actions it performs to `counts`.
    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor]
    /// The actions one execution performs, computed from shapes alone (the cost-only path).
    func countActions() -> ActionCounts
    /// Lines of the listing: the loop nest over target operations, annotated.
    func listing() -> [String]
}
