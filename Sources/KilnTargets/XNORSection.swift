import KilnNumerics

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

    /// Two operations per binary product.
    public var peakOperationsPerCycle: Double { 2 * Double(xnorPopcountBitsPerCycle.value) }

    /// Lines for `kiln targets show`.
    public var details: [(label: String, value: String)] {
        [("XNOR-popcount", "\(xnorPopcountBitsPerCycle.value) bits/cycle, \(popcountUnits.value) popcount units"),
         ("threshold units", "\(thresholdUnits.value)"),
         ("accumulator", "\(accumulatorBits) bits"),
         ("packing", "\(packingWordBits)-bit words, padding \(padding.rawValue)"),
         ("int8 unit", "\(formatNumber(int8Unit.multiplyAccumulatesPerCycle.value)) MAC/cycle, \(int8Unit.formats.map(\.name).joined(separator: ", "))")]
    }
}
