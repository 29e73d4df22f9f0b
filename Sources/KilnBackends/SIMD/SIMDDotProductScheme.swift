import KilnNumerics
import KilnTargets

/// How a target's int8 dot-product instruction is used by the GEMM micro-kernel: operand
/// encodings, the register tile, and the instructions one depth step of one tile issues.
///
/// Chosen from the target's `simd.instructions` by mnemonic; the numbers (lanes, vector
/// width) come from the target, the loop shape from the instruction's semantics:
///
/// | mnemonic | operands | tile (pixels × channels) | depth step | accumulation |
/// |---|---|---|---|---|
/// | `sdot` (A64) | s8 × s8 | 4 × 16 (16 `.4s` accumulators) | 4 | exact int32 |
/// | `vpdpbusd` (AVX-512 VNNI) | u8 × s8 | 4 × 16 (4 zmm accumulators) | 4 | exact int32 |
/// | `vpmaddubsw` (AVX2) | u8 × s8 | 4 × 16 (8 ymm accumulators) | 4 | int16 pair sums saturate |
/// | `smlal` (A64 widening) | s8 × s8 | 4 × 4 (16 `.4s` accumulators) | 16 | int16 pair, exact when no weight is −128 |
/// | `vmlal.s8` (A32 NEON) | s8 × s8 | 2 × 4 (8 q accumulators) | 16 | int16 pair, exact when no weight is −128 |
struct SIMDDotProductScheme: Sendable, Hashable {
    /// The instruction families Kiln has micro-kernels for.
    public enum Kind: String, Sendable, Hashable {
        /// A64 `sdot`: four s8×s8 products summed into each int32 lane.
        case signedDotProduct
        /// AVX-512 VNNI `vpdpbusd`: four u8×s8 products summed into each int32 lane, no saturation.
        case unsignedSignedDotProduct
        /// AVX2 `vpmaddubsw` (u8×s8 pairs saturated to int16) + `vpmaddwd` with ones + `vpaddd`.
        case saturatingPairs
        /// A64 `smull`/`smlal2` (two s8×s8 products in an int16 lane) + `sadalp`.
        case wideningA64
        /// A32 NEON `vmull.s8`/`vmlal.s8` + `vpadal.s16`.
        case wideningA32
    }

    /// Which micro-kernel.
    public let kind: Kind
    /// The target's instruction entry.
    public let instruction: SIMDSection.Instruction
    /// The vector register width in bits.
    public let vectorBits: Int
    /// The target's vector register count.
    public let registerCount: Int

    /// The scheme for a target, or nil if none of its instructions has a Kiln micro-kernel.
    public init?(target: TargetDescription) {
        guard let simd = target.section(SIMDSection.self) else { return nil }
        let table: [String: Kind] = ["sdot": .signedDotProduct, "vpdpbusd": .unsignedSignedDotProduct,
                                     "vpmaddubsw": .saturatingPairs, "smlal": .wideningA64, "vmlal.s8": .wideningA32]
        guard let instruction = simd.instructions.first(where: { table[$0.name] != nil }),
              let kind = table[instruction.name] else { return nil }
        self.kind = kind
        self.instruction = instruction
        vectorBits = simd.vectorWidthBits.value
        registerCount = simd.registerCount.value
    }

    /// Whether the first operand (activations) is fed as unsigned bytes (x86) or signed (Arm).
    public var firstOperandUnsigned: Bool { kind == .unsignedSignedDotProduct || kind == .saturatingPairs }

    /// Whether adjacent products are summed into int16 with saturation (the target's
    /// `pairSumSaturates`); the adapted graph then says ``KilnIR/Accumulation/pairwiseSaturatingInt16``.
    public var saturatesPairs: Bool { instruction.pairSumSaturates }

    /// Whether two products share an int16 lane before widening (the smull/smlal kernels):
    /// exact unless a weight byte is −128, which those kernels then widen one product at a time.
    public var pairsProductsInInt16: Bool { kind == .wideningA64 || kind == .wideningA32 }

    /// Output pixels per register tile.
    public var tileRows: Int { kind == .wideningA32 ? 2 : 4 }
    /// Output channels per register tile.
    public var tileColumns: Int { kind == .wideningA64 || kind == .wideningA32 ? 4 : 16 }
    /// Reduction elements consumed per step of the inner loop.
    public var depthStep: Int { kind == .wideningA64 || kind == .wideningA32 ? 16 : 4 }

    /// The instructions one depth step of one register tile issues.
    /// - Parameter pairedWeights: false when a weight is −128 and the widening kernels cannot
    ///   pair products in int16 (they then widen every product on its own).
    public func instructionsPerStep(pairedWeights: Bool = true) -> [String: Int] {
        let rows = tileRows, columns = tileColumns
        switch kind {
        case .signedDotProduct:
            // ld1 of 16 weight bytes per 4 channels, one ld1 for 4 pixels × 4 bytes, sdot by element.
            return ["ld1": columns / 4 + 1, "sdot": rows * columns / 4]
        case .unsignedSignedDotProduct:
            return ["vmovdqu32": 1, "vpbroadcastd": rows, "vpdpbusd": rows * columns / 16]
        case .saturatingPairs:
            let vectors = columns / 8
            return ["vmovdqu": vectors, "vpbroadcastd": rows, "vpmaddubsw": rows * vectors,
                    "vpmaddwd": rows * vectors, "vpaddd": rows * vectors]
        case .wideningA64:
            let cells = rows * columns
            return pairedWeights ? ["ld1": rows + columns, "smull": cells, "smlal2": cells, "sadalp": cells]
                                 : ["ld1": rows + columns, "smull": cells, "smull2": cells, "sadalp": 2 * cells]
        case .wideningA32:
            let cells = rows * columns
            return pairedWeights ? ["vld1.8": rows + columns, "vmull.s8": cells, "vmlal.s8": cells, "vpadal.s16": cells]
                                 : ["vld1.8": rows + columns, "vmull.s8": 2 * cells, "vpadal.s16": 2 * cells]
        }
    }

    /// The instructions that finish one register tile: reduce (widening kernels), store int32.
    public var instructionsPerTileEpilogue: [String: Int] {
        let cells = tileRows * tileColumns
        switch kind {
        case .signedDotProduct: return ["st1": cells / 4]
        case .unsignedSignedDotProduct: return ["vmovdqu32": cells / 16]
        case .saturatingPairs: return ["vmovdqu": cells / 8]
        case .wideningA64: return ["addp": cells * 3 / 4, "st1": cells / 4]
        case .wideningA32: return ["vpadd.i32": cells, "vst1.32": cells / 4]
        }
    }

    /// Step instructions that issue on the dot-product instruction's multiply pipe (at its
    /// `throughputPerCycle`): `vpmaddwd` shares `vpmaddubsw`'s ports (equal reciprocal throughput in
    /// the LLVM-14 Haswell / Skylake / Zen 3 models, docs/cost-models/simd.md), the widening
    /// kernels' `smull`/`smlal2` and `vmull`/`vmlal` are all NEON multiplies.
    public var multiplyPipeInstructions: Set<String> {
        switch kind {
        case .signedDotProduct: ["sdot"]
        case .unsignedSignedDotProduct: ["vpdpbusd"]
        case .saturatingPairs: ["vpmaddubsw", "vpmaddwd"]
        case .wideningA64: ["smull", "smull2", "smlal2"]
        case .wideningA32: ["vmull.s8", "vmlal.s8"]
        }
    }

    /// Step instructions that only load (a broadcast from memory is a load µop on x86).
    public var loadInstructions: Set<String> { ["ld1", "vld1.8", "vmovdqu", "vmovdqu32", "vpbroadcastd"] }

    /// Epilogue instructions that store accumulators.
    public var storeInstructions: Set<String> { ["st1", "vst1.32", "vmovdqu", "vmovdqu32"] }

    /// Whether the dot-product instruction accumulates into its destination (so consecutive steps
    /// on one accumulator wait for its latency); the other kernels accumulate with a separate add.
    public var accumulatesInPlace: Bool { kind == .signedDotProduct || kind == .unsignedSignedDotProduct }

    /// The instruction that flips the sign bit of 16 bytes (u8 ↔ s8 re-encoding while packing).
    public var signFlipInstruction: String {
        switch kind {
        case .signedDotProduct, .wideningA64: "eor"
        case .wideningA32: "veor"
        case .unsignedSignedDotProduct, .saturatingPairs: "vpxor"
        }
    }

    /// Bytes one vector register holds.
    public var vectorBytes: Int { max(vectorBits / 8, 1) }

    /// Accumulator registers the tile keeps live.
    public var accumulatorRegisters: Int {
        let lanes = max(vectorBits / 32, 1)
        return tileRows * max(tileColumns / lanes, 1) * (kind == .wideningA64 || kind == .wideningA32 ? lanes : 1)
    }

    /// One line describing the micro-kernel for listings.
    public var summary: String {
        let operands = firstOperandUnsigned ? "u8 activations × s8 weights" : "s8 activations × s8 weights"
        let accumulation: String
        switch kind {
        case .saturatingPairs: accumulation = "int16 pair sums saturate (vpmaddubsw), vpmaddwd ×1 → int32"
        case .wideningA64, .wideningA32: accumulation = "two products per int16 lane, pairwise-widened into int32"
        default: accumulation = "exact int32 accumulation"
        }
        return "\(instruction.name) micro-kernel \(tileRows)×\(tileColumns) (pixels × channels), depth step \(depthStep), \(operands), \(accumulation), \(accumulatorRegisters) of \(registerCount) \(vectorBits)-bit registers as accumulators"
    }
}
