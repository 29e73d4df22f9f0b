import KilnCompiler
import KilnTargets

/// Cycles of DSP kernels on an in-order Cortex-M-class core, from the instruction sequences of
/// the loops each kernel emits (``DSPScheduledKernel/loops()``) and the target's `dsp` section.
///
/// Per loop, ``DSPIssueModel`` gives the steady-state cycles of one iteration; a loop costs
/// `entries · (iterations · cycles/iteration − (takenBranchCycles − 1))` (the last iteration of
/// each entry falls through its branch). The kernel's cycles split into
///
/// * **compute**: the loops' bodies without loop control and without wait states;
/// * **overhead**: what `subs`/`bne` add on top (per-loop overhead);
/// * **memory stall**: what the wait states of the levels the loads and stores access add, plus —
///   if any memory level needs more cycles to move the kernel's bytes at its
///   `readBytesPerCycle`/`writeBytesPerCycle` than the instructions take — the difference.
///
/// A kernel of another family (a host fallback kernel run on this core) has no loop structure:
/// its counted instructions are costed one by one, or, without instruction counts, each MAC as a
/// scalar `ldrsb`, `ldrsb`, `mla` and each ALU operation as one `add`.
///
/// No fitted factor enters: every number is a field of the target description.
struct DSPCycleModel: CycleModel {
    /// The target.
    let target: TargetDescription
    /// Its issue model (nil for a target without a `dsp` section: every kernel costs 0 then).
    let issue: DSPIssueModel?

    /// The model of a target.
    init(target: TargetDescription) {
        self.target = target
        self.issue = target.section(DSPSection.self).map(DSPIssueModel.init(section:))
    }

    /// The cost of one kernel.
    /// - Complexity: O(instructions in the kernel's loop bodies), independent of trip counts.
    func cost(of kernel: any TargetKernel, counts: ActionCounts) -> KernelCost {
        guard let issue else { return KernelCost(computeCycles: 0, memoryStallCycles: 0, overheadCycles: 0, bound: .compute) }
        let loops = (kernel as? any DSPScheduledKernel)?.loops() ?? Self.fallbackLoops(counts: counts)
        var compute = 0.0, issued = 0.0, total = 0.0
        for loop in loops where loop.executions > 0 {
            compute += issue.cycles(of: loop, waits: false, withControl: false)
            issued += issue.cycles(of: loop, waits: false)
            total += issue.cycles(of: loop, waits: true)
        }
        let overhead = max(0, issued - compute)
        var stall = max(0, total - issued)
        let transfer = transferCycles(counts)
        if transfer > total { stall += transfer - total }
        let bound: PerformanceBound
        if stall > compute && stall >= overhead { bound = .memory } else if overhead > compute { bound = .overhead } else { bound = .compute }
        return KernelCost(computeCycles: compute, memoryStallCycles: stall, overheadCycles: overhead, bound: bound)
    }

    /// The largest, over memory levels, of the cycles the level needs to read and write the
    /// kernel's bytes at its bandwidth.
    func transferCycles(_ counts: ActionCounts) -> Double {
        var longest = 0.0
        for level in target.memory {
            let read = Double(counts.bytesRead[level.name] ?? 0) / max(level.readBytesPerCycle.value, 1e-9)
            let written = Double(counts.bytesWritten[level.name] ?? 0) / max(level.writeBytesPerCycle.value, 1e-9)
            longest = max(longest, read + written)
        }
        return longest
    }

    /// Loops for a kernel without a DSP loop structure, from its counts alone.
    static func fallbackLoops(counts: ActionCounts) -> [DSPLoop] {
        if !counts.instructions.isEmpty {
            return counts.instructions.sorted { $0.key < $1.key }.map { instruction, count in
                DSPLoop(name: instruction.name, body: [DSPInstruction(instruction.name)], iterations: count, entries: 1, loopControl: false)
            }
        }
        return [DSPLoop(name: "scalar-mac", body: [DSPInstruction("ldrsb"), DSPInstruction("ldrsb"), DSPInstruction("mla")],
                        iterations: counts.totalMultiplyAccumulates, entries: 1, loopControl: false),
                DSPLoop(name: "scalar-alu", body: [DSPInstruction("add")], iterations: counts.aluOperations, entries: 1, loopControl: false)]
    }
}
