/// The typed `dsp` section of a fixed-point DSP target.
public struct DSPSection: TargetFamilySection, Hashable {
    /// Extra cycles per access of one memory level.
    public struct WaitState: Sendable, Hashable {
        /// The memory level's name.
        public let memory: String
        /// Wait states per access.
        public let cycles: Sourced<Int>

        /// Creates a wait-state entry.
        public init(memory: String, cycles: Sourced<Int>) {
            self.memory = memory
            self.cycles = cycles
        }
    }

    /// MAC units.
    public let macUnits: Sourced<Int>
    /// Whether one MAC instruction does two 16×16 products.
    public let dualSixteenBitMac: Bool
    /// MAC latency in cycles.
    public let macLatencyCycles: Sourced<Double>
    /// Instructions issued per cycle.
    public let vliwSlots: Sourced<Int>
    /// Whether hardware loops are free.
    public let zeroOverheadLoops: Bool
    /// Load/store units.
    public let loadStoreUnits: Sourced<Int>
    /// Whether saturation is free.
    public let saturationHardware: Bool
    /// Accumulator guard bits.
    public let guardBits: Int
    /// Wait states per memory level.
    public let waitStates: [WaitState]

    /// Creates a section.
    public init(macUnits: Sourced<Int>, dualSixteenBitMac: Bool, macLatencyCycles: Sourced<Double>, vliwSlots: Sourced<Int>,
                zeroOverheadLoops: Bool, loadStoreUnits: Sourced<Int>, saturationHardware: Bool, guardBits: Int,
                waitStates: [WaitState]) {
        self.macUnits = macUnits
        self.dualSixteenBitMac = dualSixteenBitMac
        self.macLatencyCycles = macLatencyCycles
        self.vliwSlots = vliwSlots
        self.zeroOverheadLoops = zeroOverheadLoops
        self.loadStoreUnits = loadStoreUnits
        self.saturationHardware = saturationHardware
        self.guardBits = guardBits
        self.waitStates = waitStates
    }

    /// The wait states of a memory level (0 if none are listed).
    public func waitStates(for memory: String) -> Int {
        waitStates.first { $0.memory == memory }?.cycles.value ?? 0
    }

    /// Two operations per 16-bit MAC: MAC units × (2 if dual) × 2.
    public var peakOperationsPerCycle: Double {
        Double(macUnits.value) * (dualSixteenBitMac ? 2 : 1) * 2
    }

    /// Lines for `kiln targets show`.
    public var details: [(label: String, value: String)] {
        [("MAC units", "\(macUnits.value)\(dualSixteenBitMac ? " (dual 16-bit)" : ""), latency \(formatNumber(macLatencyCycles.value))"),
         ("issue slots", "\(vliwSlots.value)"),
         ("load/store units", "\(loadStoreUnits.value)"),
         ("zero-overhead loops", zeroOverheadLoops ? "yes" : "no"),
         ("saturation hardware", saturationHardware ? "yes" : "no"),
         ("guard bits", "\(guardBits)")]
            + waitStates.map { ("wait states \($0.memory)", "\($0.cycles.value)") }
    }
}
