import KilnNumerics
import KilnTargets

/// The typed `simd` section of a CPU SIMD target.
public struct SIMDSection: TargetFamilySection, Hashable {
    /// One dot-product or multiply-accumulate instruction.
    public struct Instruction: Sendable, Hashable {
        /// Mnemonic.
        public let name: String
        /// Formats of the two multiplied operands.
        public let inputFormats: [ElementType]
        /// Format of each output lane.
        public let accumulatorFormat: ElementType
        /// Output lanes per instruction.
        public let lanes: Sourced<Int>
        /// Products summed into each lane.
        public let productsPerLane: Sourced<Int>
        /// Instructions per cycle per core.
        public let throughputPerCycle: Sourced<Double>
        /// Result latency in cycles.
        public let latencyCycles: Sourced<Double>
        /// Whether the lane sum saturates (x86 `vpmaddubsw`).
        public let pairSumSaturates: Bool

        /// Multiply-accumulates per instruction.
        public var multiplyAccumulatesPerInstruction: Int { lanes.value.multipliedReportingOverflow(by: productsPerLane.value).partialValue }

        /// Creates an instruction.
        public init(name: String, inputFormats: [ElementType], accumulatorFormat: ElementType, lanes: Sourced<Int>,
                    productsPerLane: Sourced<Int>, throughputPerCycle: Sourced<Double>, latencyCycles: Sourced<Double>,
                    pairSumSaturates: Bool) {
            self.name = name
            self.inputFormats = inputFormats
            self.accumulatorFormat = accumulatorFormat
            self.lanes = lanes
            self.productsPerLane = productsPerLane
            self.throughputPerCycle = throughputPerCycle
            self.latencyCycles = latencyCycles
            self.pairSumSaturates = pairSumSaturates
        }
    }

    /// Vector register width in bits.
    public let vectorWidthBits: Sourced<Int>
    /// Number of architectural vector registers.
    public let registerCount: Sourced<Int>
    /// Full-width vector instructions (other than loads and stores) issued per cycle per core.
    public let vectorInstructionsPerCycle: Sourced<Double>
    /// The dot-product / multiply-accumulate instructions.
    public let instructions: [Instruction]

    /// Creates a section.
    public init(vectorWidthBits: Sourced<Int>, registerCount: Sourced<Int>, vectorInstructionsPerCycle: Sourced<Double>,
                instructions: [Instruction]) {
        self.vectorWidthBits = vectorWidthBits
        self.registerCount = registerCount
        self.vectorInstructionsPerCycle = vectorInstructionsPerCycle
        self.instructions = instructions
    }

    /// Two operations per MAC, for the instruction with the highest MAC rate.
    public var peakOperationsPerCycle: Double {
        instructions.map { 2 * Double($0.multiplyAccumulatesPerInstruction) * $0.throughputPerCycle.value }.max() ?? 0
    }

    /// Lines for `kiln targets show`.
    public var details: [(label: String, value: String)] {
        [("vector width", "\(vectorWidthBits.value) bits"), ("vector registers", "\(registerCount.value)"),
         ("vector issue", "\(formatNumber(vectorInstructionsPerCycle.value))/cycle")]
            + instructions.map { instruction in
                ("instruction \(instruction.name)",
                 "\(instruction.inputFormats.map(\.name).joined(separator: " × ")) → \(instruction.lanes.value) × \(instruction.accumulatorFormat.name), "
                 + "\(instruction.productsPerLane.value) products/lane, \(formatNumber(instruction.throughputPerCycle.value))/cycle, "
                 + "latency \(formatNumber(instruction.latencyCycles.value))\(instruction.pairSumSaturates ? ", saturating pair sums" : "")")
            }
    }
}
