import KilnCompiler
import KilnTargets

/// What the comparison report knows about one target: its compiled program and cost, its
/// accuracy, or why it does not run.
public struct TargetResult: Sendable {
    /// The target.
    public var target: TargetDescription
    /// The compiled program, when compilation succeeded.
    public var program: TargetProgram?
    /// The estimated cost of one inference, when compilation succeeded.
    public var cost: ProgramCost?
    /// Top-1 accuracy as a fraction (0…1), when labels were given.
    public var top1: Double?
    /// Output SQNR against the model's reference in dB, when data but no labels were given.
    public var sqnrDecibels: Double?
    /// Why the target cannot run the model, if it cannot.
    public var failure: String?
    /// How charts name this result: the target's name, or `target · model` when a report
    /// compares several models.
    public var label: String

    /// Creates a result.
    /// - Parameter label: how charts name it (default: the target's name).
    public init(target: TargetDescription, program: TargetProgram?, cost: ProgramCost?, top1: Double? = nil,
                sqnrDecibels: Double? = nil, failure: String? = nil, label: String? = nil) {
        self.label = label ?? target.name
        self.target = target
        self.program = program
        self.cost = cost
        self.top1 = top1
        self.sqnrDecibels = sqnrDecibels
        self.failure = failure
    }
}
