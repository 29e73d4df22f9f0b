import KilnIR
import KilnTargets

/// One rule of a backend's lowering table: a root operator and how nodes rooted there become a
/// target kernel.
///
/// Patterns are tried in table order. A pattern may cover the root and following nodes (fusion
/// of conv + relu, say); a pattern that does not apply says why, and the reasons of every
/// rejecting pattern appear in the compile report when a node falls back to the host.
public protocol LoweringPattern: Sendable {
    /// A short name for reports (`sdot-conv2d`).
    var name: String { get }
    /// The operator the pattern starts from.
    var root: OperatorKind { get }
    /// Tries to lower the node at `index` of `context.graph`.
    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch
}

/// The outcome of trying a lowering pattern on a node.
public enum LoweringMatch: Sendable {
    /// The pattern applies: the kernel implementing the covered nodes.
    case lowered(any TargetKernel)
    /// The pattern does not apply, and why (shown in the compile report).
    case rejected(String)
}
