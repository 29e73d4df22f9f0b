import KilnNumerics

/// A kind of action that a family's kernels count besides multiply-accumulates, ALU operations
/// and memory traffic (one bit of a bit-packed dot product, say), declared by the family and priced by
/// ``name`` from the target's `energy.actions[]` table.
public struct ActionKind: Sendable, Hashable {
    /// The name the energy table prices it under (`xnorPopcountBit`).
    public let name: String
    /// Operations one action counts for in peak and roofline figures (a MAC counts 2).
    public let operations: Double
    /// The element types of the action's operands (`[.binary, .binary]` for a binary popcount
    /// bit), which a comparison's format column shows.
    public let operandFormats: [ElementType]

    /// Creates a kind.
    /// - Parameters:
    ///   - name: the name in `energy.actions[].action`.
    ///   - operations: operations per action, for peak and roofline figures.
    ///   - operandFormats: the element types of its operands.
    public init(name: String, operations: Double, operandFormats: [ElementType]) {
        self.name = name
        self.operations = operations
        self.operandFormats = operandFormats
    }
}
