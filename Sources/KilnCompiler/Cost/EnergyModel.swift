import KilnNumerics
import KilnTargets

/// Energy of a run, split the way reports show it (joules).
public struct EnergyBreakdown: Sendable, Hashable {
    /// Multiply-accumulates, the families' own actions and ALU operations.
    public var compute: Double = 0
    /// Reads and writes of on-chip memory levels.
    public var onChipMemory: Double = 0
    /// Reads and writes of off-chip memory levels.
    public var offChipMemory: Double = 0
    /// Static power over the run's duration.
    public var staticEnergy: Double = 0
    /// Bytes over the host link.
    public var hostLink: Double = 0

    /// No energy.
    public init() {}

    /// The sum of every part.
    public var total: Double { compute + onChipMemory + offChipMemory + staticEnergy + hostLink }

    /// Adds another breakdown part by part.
    public mutating func add(_ other: EnergyBreakdown) {
        compute += other.compute
        onChipMemory += other.onChipMemory
        offChipMemory += other.offChipMemory
        staticEnergy += other.staticEnergy
        hostLink += other.hostLink
    }
}

/// Energy = action counts × the target's energy-per-action table + static power × time.
///
/// Every number comes from the target description: MAC energy by operand format, each family action's
/// energy by name, ALU energy per operation, each memory level's energy per byte, the host link's
/// energy per byte, and static power.
public struct EnergyModel: Sendable {
    /// The target whose table is used.
    public let target: TargetDescription

    /// Creates the model for a target.
    public init(target: TargetDescription) {
        self.target = target
    }

    /// The energy of one multiply-accumulate of `kind` (`u8×i8`): the larger of the two formats' listed MAC energies; for a format the table
    /// lacks, the MAC energy of the narrowest listed format at least as wide (or the widest listed).
    public func picojoulesPerMultiplyAccumulate(_ kind: MultiplyAccumulateKind) -> Double {
        let listed = target.energy.multiplyAccumulate.sorted { $0.format.bitWidth < $1.format.bitWidth }
        func energy(_ format: ElementType) -> Double {
            if let exact = target.energy.picojoulesPerMultiplyAccumulate(format) { return exact }
            return (listed.first { $0.format.bitWidth >= format.bitWidth } ?? listed.last)?.picojoules.value ?? 0
        }
        return kind.operands.map(energy).max() ?? 0
    }

    /// The energy of the counted actions, with static power charged for `seconds`.
    public func energy(of counts: ActionCounts, seconds: Double) -> EnergyBreakdown {
        let picojoule = 1e-12
        var breakdown = EnergyBreakdown()
        for (kind, count) in counts.multiplyAccumulates {
            breakdown.compute += Double(count) * picojoulesPerMultiplyAccumulate(kind) * picojoule
        }
        for (kind, count) in counts.familyActions {
            breakdown.compute += Double(count) * (target.energy.picojoules(forAction: kind.name) ?? 0) * picojoule
        }
        breakdown.compute += Double(counts.aluOperations) * target.energy.aluOperationPicojoules.value * picojoule
        for level in target.memory {
            let bytes = Double((counts.bytesRead[level.name] ?? 0) + (counts.bytesWritten[level.name] ?? 0))
            let joules = bytes * level.picojoulesPerByte * picojoule
            if level.onChip { breakdown.onChipMemory += joules } else { breakdown.offChipMemory += joules }
        }
        breakdown.hostLink = Double(counts.hostLinkBytes) * (target.host?.energyPicojoulesPerByte.value ?? 0) * picojoule
        breakdown.staticEnergy = target.energy.staticPowerMilliwatts.value * 1e-3 * seconds
        return breakdown
    }
}
