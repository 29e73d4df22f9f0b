import KilnNumerics
import KilnTargets

/// The typed `xnor` section of a binary XNOR-popcount target.
public struct XNORSection: TargetFamilySection, Hashable {
    /// How convolution padding is represented in ±1 arithmetic.
    public enum Padding: String, Sendable, Hashable, CaseIterable {
        /// Pad with -1 (bit 0).
        case minusOne
        /// Pad with +1 (bit 1).
        case plusOne
        /// Zero padding, corrected after the popcount (as Larq Compute Engine does).
        case zeroCorrected
    }

    /// The unit that runs non-binary layers.
    public struct Int8Unit: Sendable, Hashable {
        /// int8 MACs per cycle.
        public let multiplyAccumulatesPerCycle: Sourced<Double>
        /// Formats it computes at.
        public let formats: [ElementType]
    }

    /// The issue resources of a CPU core that runs the binary kernels as vector instructions.
    public struct VectorCore: Sendable, Hashable {
        /// Instructions dispatched per cycle.
        public let issueWidth: Sourced<Int>
        /// Vector pipelines (logic, CNT, ADDP on any of them).
        public let vectorPipes: Sourced<Int>
        /// Vector pipelines that execute UADALP.
        public let pairwiseAccumulatePipes: Sourced<Int>
        /// Load pipelines.
        public let loadPipes: Sourced<Int>

        /// Creates the description.
        public init(issueWidth: Sourced<Int>, vectorPipes: Sourced<Int>, pairwiseAccumulatePipes: Sourced<Int>, loadPipes: Sourced<Int>) {
            self.issueWidth = issueWidth
            self.vectorPipes = vectorPipes
            self.pairwiseAccumulatePipes = pairwiseAccumulatePipes
            self.loadPipes = loadPipes
        }
    }

    /// Binary products per cycle.
    public let xnorPopcountBitsPerCycle: Sourced<Int>
    /// Popcount units.
    public let popcountUnits: Sourced<Int>
    /// Threshold comparators per cycle.
    public let thresholdUnits: Sourced<Int>
    /// Popcount accumulator width in bits.
    public let accumulatorBits: Int
    /// Bits per packed word.
    public let packingWordBits: Int
    /// Padding representation.
    public let padding: Padding
    /// The int8 unit.
    public let int8Unit: Int8Unit
    /// The CPU core's issue resources, when the binary kernels are vector instructions.
    public var vectorCore: VectorCore? = nil

    /// Two operations per binary product.
    public var peakOperationsPerCycle: Double { 2 * Double(xnorPopcountBitsPerCycle.value) }

    /// Lines for `kiln targets show`.
    public var details: [(label: String, value: String)] {
        [("XNOR-popcount", "\(xnorPopcountBitsPerCycle.value) bits/cycle, \(popcountUnits.value) popcount units"),
         ("threshold units", "\(thresholdUnits.value)"),
         ("accumulator", "\(accumulatorBits) bits"),
         ("packing", "\(packingWordBits)-bit words, padding \(padding.rawValue)"),
         ("int8 unit", "\(formatNumber(int8Unit.multiplyAccumulatesPerCycle.value)) MAC/cycle, \(int8Unit.formats.map(\.name).joined(separator: ", "))")]
            + (vectorCore.map { core in
                [("vector core", "issue \(core.issueWidth.value)/cycle, \(core.vectorPipes.value) vector pipes (\(core.pairwiseAccumulatePipes.value) with UADALP), \(core.loadPipes.value) load pipe(s)")]
            } ?? [])
    }
}
