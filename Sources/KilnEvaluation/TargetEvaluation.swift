import KilnCompiler
import KilnIR

/// What evaluating a model on one target gives: the program, its estimated cost and, with
/// data, the functional simulation's outputs and their score.
public struct TargetEvaluation: Sendable {
    /// The compiled program.
    public let program: TargetProgram
    /// The cost model's estimate of one inference.
    public let cost: ProgramCost
    /// The graph outputs of the functional simulation on the data (stacked for a batch), or nil
    /// without data.
    public let outputs: [Tensor]?
    /// The score of the first output, or nil when nothing scores it.
    public let score: Score?
}
