import KilnTargets

/// The AArch64 instruction mix of Larq Compute Engine's bit-packed convolution kernel, and its
/// cycles on a core described by `xnor.vectorCore`.
///
/// Source: larq/compute-engine, `larq_compute_engine/core/indirect_bgemm/kernel_8x4x2_aarch64.h`,
/// macro `XOR_POPCOUNT_ACCUM_LOAD_BLOCK_64`. One step multiplies 4 output pixels by 8 output
/// channels over 64 bits of depth (2048 binary products): 16 `eor`, 16 `cnt`, 12 `addp`,
/// 4 `uadalp` into 16-bit accumulators, 4 `ld1r` (one 64-bit activation word per pixel,
/// duplicated), 4 `ldr q` (8 channels × 64 weight bits), `add` of the weight pointer, and the
/// loop's `subs` + `bgt`. The outer loop over kernel taps adds 2 `ldp` (next 4 pixel pointers
/// from the indirection buffer), `add`, `sub`, `subs`. Each 4×8 output block starts with 4 `movi`
/// and ends with the output transform (8 `ushll`/`ushll2` widening the accumulators to int32,
/// as in the kernel's `OutputTransformAndLoadNextAndStore`), here 8 `add` of the bias (which
/// holds `−T_c`), 8 compares per threshold, and 2 `ldr q` of the bias.
///
/// The structure (the counts above) is the kernel's code; the resources it is scheduled on
/// (issue width, vector pipes, the pipes that run `uadalp`, load pipes) come from the target.
struct BitPackedGEMMInstructionMix: Sendable, Hashable {
    /// Output pixels per block (`a_0`…`a_3`).
    static let pixelsPerBlock = 4
    /// Output channels per block (`w_0`…`w_3`, two channels of 64 bits per 128-bit register).
    static let channelsPerBlock = 8
    /// Depth bits per step (one `ld1r` of 8 bytes per pixel).
    static let depthBitsPerStep = 64
    /// Register width of the AArch64 Advanced SIMD Q registers (Arm ARM), for word logic.
    static let vectorBits = 128

    /// Instructions by the resource they need.
    struct Counts: Sendable, Hashable {
        /// Vector-pipe instructions (any vector pipe), including the vector half of `ld1r`.
        var vector = 0.0
        /// `uadalp`: only on the pairwise-accumulate pipes (also counted in `vector`).
        var pairwiseAccumulate = 0.0
        /// Load instructions (`ld1r`, `ldr`, `ldp`).
        var loads = 0.0
        /// Every instruction (dispatch slots).
        var instructions = 0.0

        static func * (counts: Counts, factor: Double) -> Counts {
            Counts(vector: counts.vector * factor, pairwiseAccumulate: counts.pairwiseAccumulate * factor,
                   loads: counts.loads * factor, instructions: counts.instructions * factor)
        }
        static func + (a: Counts, b: Counts) -> Counts {
            Counts(vector: a.vector + b.vector, pairwiseAccumulate: a.pairwiseAccumulate + b.pairwiseAccumulate,
                   loads: a.loads + b.loads, instructions: a.instructions + b.instructions)
        }
    }

    /// One inner step: 16 eor + 16 cnt + 12 addp + 4 uadalp + 4 ld1r (vector half) on the vector
    /// pipes; 4 ld1r + 4 ldr q loads; 59 instructions with add, subs, bgt.
    static let step = Counts(vector: 16 + 16 + 12 + 4 + 4, pairwiseAccumulate: 4, loads: 4 + 4, instructions: 16 + 16 + 12 + 4 + 4 + 4 + 3)
    /// The outer loop per kernel tap: 2 ldp + add + sub + subs.
    static let tap = Counts(vector: 0, pairwiseAccumulate: 0, loads: 2, instructions: 5)

    /// Block setup and output transform for `comparisons` threshold compares per output:
    /// 4 movi, 8 ushll/ushll2, 8 add, 8 compares per threshold; 2 ldr q; 2 scalar.
    static func blockEnds(comparisons: Int) -> Counts {
        let vector = Double(4 + 8 + 8 + 8 * comparisons)
        return Counts(vector: vector, pairwiseAccumulate: 0, loads: 2, instructions: vector + 2 + 2)
    }

    /// The work of one 4×8 output block over `taps` taps of `stepsPerTap` 64-bit steps.
    static func block(taps: Int, stepsPerTap: Int, comparisons: Int) -> Counts {
        step * Double(taps * stepsPerTap) + tap * Double(taps) + blockEnds(comparisons: comparisons)
    }

    /// Cycles of `counts` on a core: the busiest resource (vector pipes, the `uadalp` pipes, the
    /// load pipes, dispatch), assuming the out-of-order core overlaps the rest.
    static func cycles(_ counts: Counts, on core: XNORSection.VectorCore) -> Double {
        max(counts.vector / Double(core.vectorPipes.value),
            counts.pairwiseAccumulate / Double(core.pairwiseAccumulatePipes.value),
            counts.loads / Double(core.loadPipes.value),
            counts.instructions / Double(core.issueWidth.value))
    }
}
