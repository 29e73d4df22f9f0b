import KilnCompiler

/// One instruction of an emitted loop body, with the memory level a load or store accesses.
struct DSPInstruction: Sendable, Hashable {
    /// The mnemonic, as the kernel's counts name it (`ldr`, `smlad`, `vmul.f32`).
    let mnemonic: String
    /// The memory level a load or store accesses (nil for other instructions).
    let memory: String?

    /// An instruction that does not access memory.
    init(_ mnemonic: String) {
        self.mnemonic = mnemonic
        self.memory = nil
    }

    /// A load or store of `memory`.
    init(_ mnemonic: String, _ memory: String) {
        self.mnemonic = mnemonic
        self.memory = memory
    }
}

/// A loop of an emitted DSP kernel: a body in program order, run `iterations` times per entry and
/// entered `entries` times (nested loops are listed separately, each with its own trip counts).
///
/// With loop control, each iteration ends in `subs`/`bne`: the branch is taken on every iteration
/// but the last of an entry. A body without loop control is straight-line code repeated
/// (a window unrolled by the kernel, or a target with zero-overhead loops).
struct DSPLoop: Sendable, Hashable {
    /// What the loop does (`mac`, `im2col`, `channel`), for reports and tests.
    let name: String
    /// The body without loop control.
    let body: [DSPInstruction]
    /// Iterations per entry.
    let iterations: Int
    /// How many times the loop is entered.
    let entries: Int
    /// Whether each iteration ends in `subs`/`bne`.
    let loopControl: Bool

    /// The loop-control instructions that end an iteration.
    static let control = [DSPInstruction("subs"), DSPInstruction("bne")]

    /// The body with its loop control.
    var fullBody: [DSPInstruction] { loopControl ? body + Self.control : body }

    /// Executions of the body.
    var executions: Int { iterations * entries }

    /// Instructions issued by these loops, by mnemonic.
    static func instructionCounts(_ loops: [DSPLoop]) -> [Instruction: Int] {
        var counts: [Instruction: Int] = [:]
        for loop in loops where loop.executions > 0 {
            for instruction in loop.fullBody { counts[Instruction(instruction.mnemonic), default: 0] += loop.executions }
        }
        return counts
    }
}

/// A DSP kernel whose emitted loops the cycle model can schedule.
protocol DSPScheduledKernel {
    /// The kernel's loops with their trip counts (the instruction counts are their sum).
    func loops() -> [DSPLoop]
}
