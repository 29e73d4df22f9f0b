import KilnTargets

/// The in-order issue of a Cortex-M-class core, from the target's `dsp` section: how many cycles a
/// straight sequence of instructions takes.
///
/// Instructions issue in program order in groups of at most `vliwSlots`. An instruction joins the
/// current group when a slot is free, its pipe has a free unit this cycle (loads and stores share
/// `loadStoreUnits`, stores also need one of `storeUnits`; `macUnits` MAC, `aluUnits` ALU (DSP
/// SIMD included), `floatingPointUnits` FPU, one branch), it is not a DSP SIMD instruction on a
/// core that issues those only in the first slot (`simdFirstSlotOnly`), and the group does not end
/// in a taken branch. A group lasts as long as its longest member: 1 cycle, `loadIssueCycles` for
/// a load (`pipelinedLoadIssueCycles` directly after a load), `takenBranchCycles` for the loop
/// branch, plus the wait states of the memory level a load or store accesses.
///
/// Register dependencies are not modelled: the kernels' loops are assumed scheduled so that a
/// value is ready when it is used (the M4's 2-cycle load and 1-cycle SMLAD already cover their
/// latencies in single issue; on the M7 the emitted order puts each use at least a cycle after its
/// load).
struct DSPIssueModel: Sendable {
    /// Instructions per cycle.
    let width: Int
    /// Units per pipe.
    let memoryUnits: Int, storeUnits: Int, macUnits: Int, aluUnits: Int, floatingPointUnits: Int
    /// Whether DSP SIMD instructions issue only first in a group.
    let simdFirstSlotOnly: Bool
    /// Issue cycles of a load, of a load after a load, and of a taken branch.
    let loadIssueCycles: Double, pipelinedLoadIssueCycles: Double, takenBranchCycles: Double
    /// Wait states per access, by memory level.
    let waitStates: [String: Int]
    /// The vector pipes, on a core with a vector extension: a sequence with a vector instruction
    /// runs on them (``MVEPipeModel``).
    let vector: MVEPipeModel?

    /// The model of a target's `dsp` section.
    init(section: DSPSection) {
        width = section.vliwSlots.value
        memoryUnits = section.loadStoreUnits.value
        storeUnits = section.issue.storeUnits.value
        macUnits = section.macUnits.value
        aluUnits = section.issue.aluUnits.value
        floatingPointUnits = section.issue.floatingPointUnits.value
        simdFirstSlotOnly = section.issue.simdFirstSlotOnly
        loadIssueCycles = section.issue.loadIssueCycles.value
        pipelinedLoadIssueCycles = section.issue.pipelinedLoadIssueCycles.value
        takenBranchCycles = section.issue.takenBranchCycles.value
        waitStates = Dictionary(section.waitStates.map { ($0.memory, $0.cycles.value) }, uniquingKeysWith: max)
        vector = section.vectorExtension.map { MVEPipeModel(extension: $0, loadIssueCycles: section.issue.loadIssueCycles.value) }
    }

    /// Cycles from the first issue of `sequence` to the end of its last group (branches taken).
    /// - Parameter waits: whether memory wait states are charged.
    /// - Complexity: O(n) in the sequence length.
    func cycles(of sequence: [DSPInstruction], waits: Bool) -> Double {
        if let vector, MVEPipeModel.isVector(sequence) { return vector.cycles(of: sequence, waitStates: waits ? waitStates : [:]) }
        var start = 0.0, length = 0.0
        var size = 0
        var used: [DSPInstructionClass: Int] = [:]
        var closed = true
        var previousWasLoad = false
        for instruction in sequence {
            let kind = DSPInstructionClass.of(instruction.mnemonic) ?? .alu
            var own = 1.0
            switch kind {
            case .load: own = previousWasLoad ? pipelinedLoadIssueCycles : loadIssueCycles
            case .branch: own = takenBranchCycles
            default: break
            }
            if waits, kind.accessesMemory, let memory = instruction.memory { own += Double(waitStates[memory] ?? 0) }
            if !closed && size < width && !(simdFirstSlotOnly && kind == .simd) && hasUnit(for: kind, used: used) {
                size += 1
                length = max(length, own)
            } else {
                start += length
                length = own
                size = 1
                used = [:]
            }
            used[kind, default: 0] += 1
            closed = kind == .branch
            previousWasLoad = kind == .load
        }
        return start + length
    }

    /// Cycles per iteration of `body` in steady state: two back-to-back copies minus one, so the
    /// next iteration's first instructions may pair with the end of this one.
    func steadyCycles(of body: [DSPInstruction], waits: Bool) -> Double {
        guard !body.isEmpty else { return 0 }
        return cycles(of: body + body, waits: waits) - cycles(of: body, waits: waits)
    }

    /// The cycles of a loop over all its executions: each entry's last iteration falls through
    /// its branch (1 cycle instead of `takenBranchCycles`).
    func cycles(of loop: DSPLoop, waits: Bool, withControl: Bool = true) -> Double {
        guard loop.executions > 0 else { return 0 }
        let control = withControl && loop.loopControl
        let body = control ? loop.fullBody : loop.body
        let fallThrough = control ? Double(loop.entries) * (takenBranchCycles - 1) : 0
        return Double(loop.executions) * steadyCycles(of: body, waits: waits) - fallThrough
    }

    private func hasUnit(for kind: DSPInstructionClass, used: [DSPInstructionClass: Int]) -> Bool {
        let memory = (used[.load] ?? 0) + (used[.store] ?? 0)
        switch kind {
        case .load: return memory < memoryUnits
        case .store: return memory < memoryUnits && (used[.store] ?? 0) < storeUnits
        case .multiplyAccumulate: return (used[.multiplyAccumulate] ?? 0) < macUnits
        case .simd, .alu: return (used[.simd] ?? 0) + (used[.alu] ?? 0) < aluUnits
        case .floatingPoint: return (used[.floatingPoint] ?? 0) < floatingPointUnits
        case .branch: return (used[.branch] ?? 0) < 1
        }
    }
}
