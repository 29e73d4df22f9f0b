import KilnCompiler
import KilnIR
import KilnTargets

/// A row of the xnor lowering table: the operator a kernel starts from, and the kernel's
/// constructor, which either takes the node (and the nodes it fuses) or says why not.
struct XNORKernelPattern: LoweringPattern {
    let name: String
    let root: OperatorKind
    let makeKernel: @Sendable (Int, LoweringContext, XNORTargetFacts) throws(StageError) -> any TargetKernel

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        guard let facts = XNORTargetFacts(context.target) else { return .rejected("the target has no xnor section") }
        do {
            return .lowered(try makeKernel(index, context, facts))
        } catch {
            return .rejected(error.message)
        }
    }
}
