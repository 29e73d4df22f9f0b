import KilnCompiler

/// The instructions CMSIS-NN's scalar requantization compiles to on a Cortex-M with the DSP
/// extension, shared by the s8 kernels' loop bodies.
enum S8OutputStage {
    /// `arm_nn_requantize` with double rounding: `lsl` (the left shift), `mov` + `smlal` (the
    /// rounding constant 2^30 and the 64-bit product of `arm_nn_doubling_high_mult_no_sat`),
    /// `lsr` + `orr` (bits 31…62 of the product), then `arm_nn_divide_by_power_of_two` (`and`,
    /// `asr` ×2, `cmp`, `add`, `cmp`, `add`).
    static let doubleRounding = ["lsl", "mov", "smlal", "lsr", "orr", "and", "asr", "asr", "cmp", "add", "cmp", "add"].map { DSPInstruction($0) }
    /// Single rounding (`CMSIS_NN_USE_SINGLE_ROUNDING`): `mov` + `smlal`, `lsr` + `orr`, `add`, `asr`.
    static let singleRounding = ["mov", "smlal", "lsr", "orr", "add", "asr"].map { DSPInstruction($0) }
    /// The sign of a binarized layer, `acc ≥ 0 ? 1 : −1`, branch-free as clang 21 `-Os
    /// -mcpu=cortex-m4` compiles it: one `orr.w r, one, acc, asr #31` (−1 for a negative sum, else
    /// 0, OR 1; the constant 1 is held in a register outside the loop).
    static let sign = [DSPInstruction("orr")]
    /// The output offset `add` and the activation `cmp`/`mov` ×2 (`MAX(out, act_min)`, `MIN(out, act_max)`).
    static let offsetAndClamp = ["add", "cmp", "mov", "cmp", "mov"].map { DSPInstruction($0) }

    /// The counts of an s8 kernel's loops: their instructions, the ALU and DSP SIMD ones as ALU
    /// operations, and the bytes it reads and writes in its activation level.
    static func counts(of loops: [DSPLoop], bytesRead: Int, bytesWritten: Int, level: String) -> ActionCounts {
        var counts = ActionCounts()
        let instructions = DSPLoop.instructionCounts(loops)
        counts.instructions = instructions
        counts.aluOperations = instructions.filter {
            DSPInstructionClass.of($0.key.name).map { [.alu, .simd].contains($0) } ?? false
        }.values.reduce(0, +)
        counts.bytesRead[level] = bytesRead
        counts.bytesWritten[level] = bytesWritten
        return counts
    }
}
