import KilnNumerics
import KilnTargets

/// What a kernel does, counted: the input of every energy and cycle model.
///
/// Counts are exact integers. The cost-only path (``TargetKernel/countActions()``) computes them
/// from shapes; a kernel that tallies its actions while it executes
/// (``TargetKernel/countsWhileExecuting``) must arrive at the same counts, which the conformance
/// kit checks.
public struct ActionCounts: Sendable, Hashable {
    /// Multiply-accumulates by operand formats.
    public var multiplyAccumulates: [MultiplyAccumulateKind: Int] = [:]
    /// Actions of kinds a family declares (``ActionKind``), priced by name from the target's
    /// `energy.actions[]`.
    public var familyActions: [ActionKind: Int] = [:]
    /// Other arithmetic and logic operations (requantization, comparisons, additions).
    public var aluOperations = 0
    /// Bytes read per memory level name.
    public var bytesRead: [String: Int] = [:]
    /// Bytes written per memory level name.
    public var bytesWritten: [String: Int] = [:]
    /// Bytes moved over the host link.
    public var hostLinkBytes = 0
    /// Instructions issued, by instruction (for instruction-level cycle models).
    public var instructions: [Instruction: Int] = [:]

    /// No actions.
    public init() {}

    /// The total multiply-accumulates of every kind.
    public var totalMultiplyAccumulates: Int { multiplyAccumulates.values.reduce(0, +) }

    /// Operations of the MACs (two each), the family actions (their ``ActionKind/operations``)
    /// and the ALU operations: the numerator of utilization and arithmetic intensity.
    public var operations: Double {
        2 * Double(totalMultiplyAccumulates) + familyActions.reduce(0) { $0 + $1.key.operations * Double($1.value) }
            + Double(aluOperations)
    }

    /// Adds another kernel's counts to these.
    public mutating func add(_ other: ActionCounts) {
        multiplyAccumulates.merge(other.multiplyAccumulates, uniquingKeysWith: +)
        familyActions.merge(other.familyActions, uniquingKeysWith: +)
        aluOperations += other.aluOperations
        bytesRead.merge(other.bytesRead, uniquingKeysWith: +)
        bytesWritten.merge(other.bytesWritten, uniquingKeysWith: +)
        hostLinkBytes += other.hostLinkBytes
        instructions.merge(other.instructions, uniquingKeysWith: +)
    }
}
