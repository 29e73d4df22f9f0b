import KilnTargets

/// What a compiled program occupies in one memory level of its target.
public struct MemoryLevelUsage: Equatable, Sendable {
    /// The level's name in the target description (`sram`, `flash`).
    public let level: String
    /// Whether the level is on the chip (the target's `onChip`).
    public let onChip: Bool
    /// The bytes of the constants (weights, biases, tables) placed in the level.
    public let weightBytes: Int
    /// The level's peak bytes in use: its constants plus its activations at their liveness peak.
    public let peakBytes: Int
}

extension TargetProgram {
    /// Per memory level, in the target's order: the bytes of the constants placed there and the
    /// level's peak bytes in use. This is the "memory per area" a compiler such as Vela reports
    /// (SRAM used, flash/DRAM used).
    public var memoryUsageByLevel: [MemoryLevelUsage] {
        target.memory.map { level in
            MemoryLevelUsage(level: level.name, onChip: level.onChip,
                             weightBytes: buffers.filter { $0.level == level.name && $0.isConstant }.reduce(0) { $0 + $1.bytes },
                             peakBytes: peakBytesPerLevel[level.name] ?? 0)
        }
    }

    /// The peak bytes in use summed over the on-chip levels (SRAM, TCM, BRAM), in bytes.
    public var onChipPeakBytes: Int { memoryUsageByLevel.filter(\.onChip).reduce(0) { $0 + $1.peakBytes } }

    /// The peak bytes in use summed over the off-chip levels (flash, DRAM), in bytes.
    public var offChipPeakBytes: Int { memoryUsageByLevel.filter { !$0.onChip }.reduce(0) { $0 + $1.peakBytes } }
}
