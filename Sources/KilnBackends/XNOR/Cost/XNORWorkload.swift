/// What the XNOR cycle model reads from a kernel: the loop structure of its work and the sizes
/// of its operands, in closed form (no data).
struct XNORWorkload: Sendable, Hashable {
    /// A bit-packed GEMM on the XNOR-popcount array (or the vector core's bgemm kernel).
    struct BinaryGEMM: Sendable, Hashable {
        /// Output positions per group: `batch × outputHeight × outputWidth` (dense: rows).
        var rows: Int
        /// Convolution groups (1 for dense).
        var groups: Int
        /// Output channels per group.
        var outputsPerGroup: Int
        /// Kernel taps `KH × KW` (1 for dense).
        var taps: Int
        /// Packed words per tap: `⌈(C/groups) / wordBits⌉` (dense: `⌈K / wordBits⌉`).
        var wordsPerTap: Int
        /// Bits per packed word.
        var wordBits: Int
        /// Words the kernel packs from its ±1 input.
        var packedInputWords: Int
        /// Threshold-unit comparisons per output element (0 when the int32 dot is written).
        var comparisonsPerOutput: Int

        /// Output elements.
        var outputs: Int { rows * groups * outputsPerGroup }
    }

    /// The kinds of work the XNOR targets do.
    enum Work: Sendable, Hashable {
        /// XNOR + popcount GEMM, then the threshold units.
        case binaryGEMM(BinaryGEMM)
        /// MACs on the int8 unit (lanes already rounded up to the op's channel multiple), then
        /// `outputOperations` output-stage operations (requantize, clamp, compare).
        case int8GEMM(multiplyAccumulates: Int, outputOperations: Int)
        /// Word-wide logic on packed ±1 words (OR pooling).
        case wordOperations(words: Int, wordBits: Int)
        /// Comparisons on the threshold units (standalone sign / multi-threshold).
        case comparisons(Int)
        /// Element operations on the int8 unit's lanes (code max, sums, the float add).
        case int8Operations(Int)
        /// Nothing is computed (views).
        case none
    }

    /// The work.
    var work: Work
    /// Bytes of constant operands (packed weights, bias, thresholds).
    var weightBytes: Int
    /// Bytes of the input activations.
    var inputBytes: Int
    /// Bytes of the output.
    var outputBytes: Int
}

/// A kernel the XNOR cycle model can cost from its structure.
protocol XNORCostedKernel {
    /// The kernel's work and operand sizes.
    var workload: XNORWorkload { get }
}
