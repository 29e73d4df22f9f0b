import KilnTargets

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

    /// The issue limits and instruction timings an instruction-level cycle model needs.
    public struct Issue: Sendable, Hashable {
        /// Stores per cycle.
        public let storeUnits: Sourced<Int>
        /// Integer ALU pipes.
        public let aluUnits: Sourced<Int>
        /// FPU instructions per cycle.
        public let floatingPointUnits: Sourced<Int>
        /// Cycles a load occupies issue (zero wait states).
        public let loadIssueCycles: Sourced<Double>
        /// Cycles a load directly after another load occupies issue.
        public let pipelinedLoadIssueCycles: Sourced<Double>
        /// Cycles of a taken loop branch, refill included.
        public let takenBranchCycles: Sourced<Double>
        /// Whether DSP SIMD instructions issue only in the first slot of a pair.
        public let simdFirstSlotOnly: Bool

        /// Creates the issue description.
        public init(storeUnits: Sourced<Int>, aluUnits: Sourced<Int>, floatingPointUnits: Sourced<Int>,
                    loadIssueCycles: Sourced<Double>, pipelinedLoadIssueCycles: Sourced<Double>,
                    takenBranchCycles: Sourced<Double>, simdFirstSlotOnly: Bool) {
            self.storeUnits = storeUnits
            self.aluUnits = aluUnits
            self.floatingPointUnits = floatingPointUnits
            self.loadIssueCycles = loadIssueCycles
            self.pipelinedLoadIssueCycles = pipelinedLoadIssueCycles
            self.takenBranchCycles = takenBranchCycles
            self.simdFirstSlotOnly = simdFirstSlotOnly
        }
    }

    /// A vector extension beside the scalar DSP instructions (Armv8.1-M's MVE, "Helium"): what
    /// its cost model needs to price CMSIS-NN's vector kernels (``MVEPipeModel``).
    public struct VectorExtension: Sendable, Hashable {
        /// The extension (`mve`); CMSIS-NN builds its `ARM_MATH_MVEI` kernels for it.
        public let name: String
        /// 32-bit beats of a 128-bit vector instruction executed per cycle and pipe (a vector
        /// instruction holds its pipe for 4 / beatsPerCycle cycles).
        public let beatsPerCycle: Sourced<Int>
        /// Vector memory pipes: 1 if vector loads and stores share one pipe, 2 if they have one each.
        public let loadStorePipes: Sourced<Int>

        /// Creates the description.
        public init(name: String, beatsPerCycle: Sourced<Int>, loadStorePipes: Sourced<Int>) {
            self.name = name
            self.beatsPerCycle = beatsPerCycle
            self.loadStorePipes = loadStorePipes
        }

        /// Cycles one 128-bit vector instruction holds its pipe.
        public var instructionCycles: Double { 4 / Double(beatsPerCycle.value) }

        /// int8 MACs per cycle: one 16-lane multiply-accumulate per ``instructionCycles``.
        public var int8MultiplyAccumulatesPerCycle: Double { 16 / instructionCycles }
    }

    /// The core's L1 data cache, as the Helium paths use it for weights (``S8KernelPath/helium(_:)``).
    public struct DataCache: Sendable, Hashable {
        /// Capacity in bytes.
        public let sizeBytes: Sourced<Int>
        /// Bytes per line (one fill from the next level).
        public let lineBytes: Sourced<Int>

        /// Creates the description.
        public init(sizeBytes: Sourced<Int>, lineBytes: Sourced<Int>) {
            self.sizeBytes = sizeBytes
            self.lineBytes = lineBytes
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
    /// Issue limits and instruction timings.
    public let issue: Issue
    /// The vector extension, if the core has one.
    public let vectorExtension: VectorExtension?
    /// The L1 data cache, if the target declares one.
    public let dataCache: DataCache?

    /// Creates a section.
    public init(macUnits: Sourced<Int>, dualSixteenBitMac: Bool, macLatencyCycles: Sourced<Double>, vliwSlots: Sourced<Int>,
                zeroOverheadLoops: Bool, loadStoreUnits: Sourced<Int>, saturationHardware: Bool, guardBits: Int,
                waitStates: [WaitState], issue: Issue, vectorExtension: VectorExtension? = nil, dataCache: DataCache? = nil) {
        self.macUnits = macUnits
        self.dualSixteenBitMac = dualSixteenBitMac
        self.macLatencyCycles = macLatencyCycles
        self.vliwSlots = vliwSlots
        self.zeroOverheadLoops = zeroOverheadLoops
        self.loadStoreUnits = loadStoreUnits
        self.saturationHardware = saturationHardware
        self.guardBits = guardBits
        self.waitStates = waitStates
        self.issue = issue
        self.vectorExtension = vectorExtension
        self.dataCache = dataCache
    }

    /// The wait states of a memory level (0 if none are listed).
    public func waitStates(for memory: String) -> Int {
        waitStates.first { $0.memory == memory }?.cycles.value ?? 0
    }

    /// Two operations per MAC: MAC units × (2 if dual) × 2, or the vector extension's int8 MACs
    /// per cycle × 2 if that is more.
    public var peakOperationsPerCycle: Double {
        max(Double(macUnits.value) * (dualSixteenBitMac ? 2 : 1), vectorExtension?.int8MultiplyAccumulatesPerCycle ?? 0) * 2
    }

    /// Lines for `kiln targets show`.
    public var details: [(label: String, value: String)] {
        [("MAC units", "\(macUnits.value)\(dualSixteenBitMac ? " (dual 16-bit)" : ""), latency \(formatNumber(macLatencyCycles.value))"),
         ("issue slots", "\(vliwSlots.value)"),
         ("load/store units", "\(loadStoreUnits.value) (stores \(issue.storeUnits.value))"),
         ("ALU / FPU pipes", "\(issue.aluUnits.value) / \(issue.floatingPointUnits.value)\(issue.simdFirstSlotOnly ? ", DSP SIMD in slot 0 only" : "")"),
         ("load / taken-branch cycles", "\(formatNumber(issue.loadIssueCycles.value)) (after a load \(formatNumber(issue.pipelinedLoadIssueCycles.value))) / \(formatNumber(issue.takenBranchCycles.value))"),
         ("zero-overhead loops", zeroOverheadLoops ? "yes" : "no"),
         ("saturation hardware", saturationHardware ? "yes" : "no"),
         ("guard bits", "\(guardBits)")]
            + waitStates.map { ("wait states \($0.memory)", "\($0.cycles.value)") }
            + (vectorExtension.map { vector in
                [("vector extension", "\(vector.name): \(vector.beatsPerCycle.value) beats per cycle, \(vector.loadStorePipes.value) load/store pipe\(vector.loadStorePipes.value == 1 ? "" : "s"), \(formatNumber(vector.int8MultiplyAccumulatesPerCycle)) int8 MACs per cycle")]
            } ?? [])
            + (dataCache.map { [("data cache", "\($0.sizeBytes.value) B, \($0.lineBytes.value) B lines (Helium weight reads)")] } ?? [])
    }
}
