import KilnCompiler

/// What a ternary kernel asks of the hardware, without data: the input of ``TernaryCycleModel``.
struct TernaryWorkload: Sendable {
    /// The arithmetic.
    enum Work: Sendable {
        /// Dot products on the adder trees: `repetitions` output positions, each computing every
        /// channel of every group; `pairs[g][c]` is what channel `c` of group `g` sums.
        case dotProducts(repetitions: Int, pairs: [[Int]])
        /// Element operations (comparisons) spread over the PEs.
        case elementwise(operations: Int)
    }
    var work: Work
    /// The counted actions (bytes per memory level).
    var counts: ActionCounts
}

/// A kernel of this family: its initializer matches (``MatchingKernel``) and it describes its work
/// for the cycle model.
protocol TernaryCostedKernel: MatchingKernel {
    var workload: TernaryWorkload { get }
}

extension Instruction {
    /// One weight–activation pair an adder tree sums.
    static let adderTreeAdd = Instruction("adder-tree.add")
    /// One zero weight the schedule skips.
    static let zeroSkipped = Instruction("zero-skipped")
}
