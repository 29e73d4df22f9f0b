import KilnIR
import KilnTargets

/// What the XNOR kernels need to know about their target, read once from its description:
/// packing word size, popcount accumulator width, padding mode, memory level names and the
/// channel lane multiple of each op.
struct XNORTargetFacts: Sendable, Hashable {
    /// The target's name (for messages).
    var targetName: String
    /// Bits per packed word of ±1 values (`xnor.packingWordBits`).
    var wordBits: Int
    /// Width of the popcount accumulator in bits (`xnor.accumulatorBits`).
    var accumulatorBits: Int
    /// How the hardware fills padded taps of a binary convolution (`xnor.padding`).
    var padding: XNORSection.Padding
    /// The memory level weights are read from: the nearest level that holds weights.
    var weightLevel: String
    /// The memory level activations live in: the nearest level that holds activations.
    var activationLevel: String
    /// Output channels are computed in groups of this many lanes, per op name (`ops[].channelMultiple`).
    var channelMultiples: [OperatorKind: Int]
    /// Requantization rules the target's kernels implement.
    var requantizationRules: [String]

    /// Reads the facts, or nil when the target has no `xnor` section.
    init?(_ target: TargetDescription) {
        guard let section = target.section(XNORSection.self) else { return nil }
        targetName = target.name
        wordBits = section.packingWordBits
        accumulatorBits = section.accumulatorBits
        padding = section.padding
        weightLevel = target.memory.first(where: \.holdsWeights)?.name ?? "memory"
        activationLevel = target.memory.first(where: \.holdsActivations)?.name ?? "memory"
        var multiples: [OperatorKind: Int] = [:]
        for operation in target.operations {
            if let multiple = operation.channelMultiple { multiples[operation.operation] = multiple }
        }
        channelMultiples = multiples
        requantizationRules = target.numerics.requantization.map(\.rawValue)
    }

    /// The lanes used for `channels` output channels of op `operation`: the channel count
    /// rounded up to the op's channel multiple (idle lanes still compute and are counted).
    func lanes(_ channels: Int, for operation: OperatorKind) -> Int {
        guard let multiple = channelMultiples[operation], multiple > 1 else { return channels }
        // Rounded up without forming `channels + multiple − 1`, which overflows near Int.max.
        let remainder = channels % multiple
        return remainder == 0 ? channels : channels + (multiple - remainder)
    }

    /// The bit value a padded tap holds in the hardware's ±1 encoding: +1 for `plusOne`, −1
    /// (all-zero words) for `minusOne` and `zeroCorrected`.
    var paddingFill: Int32 { padding == .plusOne ? 1 : -1 }

    /// The largest popcount the accumulator holds without wrapping: `2^(bits−1) − 1` (the
    /// signed dot product `K − 2·popcount` must fit too, so one bit is kept for the sign).
    var largestReduction: Int { (1 << (accumulatorBits - 1)) - 1 }
}
