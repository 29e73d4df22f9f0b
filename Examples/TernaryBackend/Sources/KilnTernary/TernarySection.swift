import KilnTargets

/// The typed `ternary` section of a target description: a ternary-weight accelerator whose
/// processing elements (PEs) each own one output channel and sum activations selected by
/// non-zero weights in an adder tree (no multipliers).
public struct TernarySection: TargetFamilySection, Hashable {
    /// PEs working in lockstep, one output channel each.
    public let processingElements: Sourced<Int>
    /// Weight–activation pairs one PE's adder tree sums per cycle.
    public let adderTreeInputs: Sourced<Int>
    /// Whether the PEs' weight decoders skip zero weights (cycles and additions then count only
    /// non-zero weights).
    public let zeroSkipping: Bool

    /// Creates a section.
    public init(processingElements: Sourced<Int>, adderTreeInputs: Sourced<Int>, zeroSkipping: Bool) {
        self.processingElements = processingElements
        self.adderTreeInputs = adderTreeInputs
        self.zeroSkipping = zeroSkipping
    }

    /// Two operations (a sign-selected add counts as a multiply-accumulate) per tree input per PE.
    public var peakOperationsPerCycle: Double {
        2 * Double(processingElements.value) * Double(adderTreeInputs.value)
    }

    /// Lines for `kiln targets show`.
    public var details: [(label: String, value: String)] {
        [("adder trees", "\(processingElements.value) PEs × \(adderTreeInputs.value) inputs per cycle"),
         ("zero skipping", zeroSkipping ? "yes: zero weights cost no cycle and no addition" : "no")]
    }
}
