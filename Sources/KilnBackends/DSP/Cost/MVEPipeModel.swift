/// The beat-wise execution of Armv8.1-M vector (MVE, "Helium") instructions on an in-order
/// Cortex-M55/M85: how many cycles a straight sequence of vector and scalar instructions takes.
///
/// A 128-bit vector instruction is four 32-bit beats. A dual-beat core (`beatsPerCycle` 2)
/// executes two beats per cycle, so the instruction holds its pipe for `4 / beatsPerCycle` cycles;
/// the next instruction issues the following cycle and overlaps it when it needs another pipe
/// (a load beside a multiply-accumulate), and waits for the pipe when it needs the same one. The
/// pipes follow LLVM's scheduling models of the two cores, which state this overlap
/// (`llvm/lib/Target/ARM/ARMScheduleM55.td`: "load/store", "integer" and "float/mul" pipes, each
/// MVE instruction `ReleaseAtCycles=[2]`; `ARMScheduleM85.td`: load, store and the VFP A/B groups,
/// `ReleaseAtCycles = [2,2,…]`):
///
/// * **load**: `vldrb`/`vldrh`/`vldrw`; **store**: `vstrb`/`vstrh`/`vstrw` — one shared pipe on the
///   M55 (`loadStorePipes` 1), separate load and store pipes on the M85 (2);
/// * **integer**: `vadd`, `vqadd`, `vmax`, `vmin`, `vshl`, `vshr`, `vrshl`, `vneg`, `vand`,
///   `vpsel`, `vdup`, `vmov` (the M55's integer pipe, the M85's VFP group A; the M85 runs `vand`,
///   `vpsel` and `vmov` on its vector ports alone, counted here on the integer pipe);
/// * **multiply**: `vmlava`/`vmladava`, `vaddva`, `vmul`, `vmla`, `vqdmulh`, `vcmp` (the M55's
///   float/mul pipe, the M85's group B; the M85 runs `vcmp` on a third group, counted here on the
///   multiply pipe).
///
/// A scalar instruction between vector ones issues in one cycle (`loadIssueCycles` for a load);
/// the low-overhead loop ends `le`/`letp` issue no micro-op once the loop runs (`ARMScheduleM85.td`:
/// `M85LE`, `NumMicroOps = 0`). A memory access adds its level's wait states to the pipe it holds.
/// Register dependencies are not modelled, as in ``DSPIssueModel``.
struct MVEPipeModel: Sendable {
    /// A vector pipe.
    enum Pipe: Sendable, Hashable {
        case load, store, integer, multiply
    }

    /// Cycles one vector instruction holds its pipe.
    let instructionCycles: Double
    /// Whether vector stores use the load pipe (one load/store pipe).
    let sharedLoadStore: Bool
    /// Issue cycles of a scalar load.
    let loadIssueCycles: Double

    /// The model of a `dsp.vectorExtension`.
    init(extension vector: DSPSection.VectorExtension, loadIssueCycles: Double) {
        instructionCycles = vector.instructionCycles
        sharedLoadStore = vector.loadStorePipes.value == 1
        self.loadIssueCycles = loadIssueCycles
    }

    /// The pipe of a vector mnemonic (`vldrb.u8`, `vmlava.s8`); nil for a scalar one.
    static func pipe(of mnemonic: String) -> Pipe? {
        guard mnemonic.hasPrefix("v") else { return nil }
        return table[String(mnemonic.prefix { $0 != "." && $0 != "[" })]
    }

    private static let table: [String: Pipe] = [
        "vldrb": .load, "vldrh": .load, "vldrw": .load,
        "vstrb": .store, "vstrh": .store, "vstrw": .store,
        "vadd": .integer, "vsub": .integer, "vmax": .integer, "vmin": .integer, "vshl": .integer, "vrshl": .integer,
        "vneg": .integer, "vpsel": .integer, "vdup": .integer, "vmov": .integer, "vand": .integer, "vshr": .integer,
        "vqadd": .integer,
        "vmlava": .multiply, "vmladava": .multiply, "vaddva": .multiply, "vmul": .multiply, "vmla": .multiply,
        "vqdmulh": .multiply, "vqrdmulh": .multiply, "vcmp": .multiply,
    ]

    /// Whether a sequence holds a vector instruction (and so runs on this model).
    static func isVector(_ sequence: [DSPInstruction]) -> Bool {
        sequence.contains { pipe(of: $0.mnemonic) != nil }
    }

    /// Cycles from the first issue of `sequence` until every pipe it used is free again.
    /// - Parameter waitStates: wait states per access by memory level (empty: none charged).
    /// - Complexity: O(n) in the sequence length.
    func cycles(of sequence: [DSPInstruction], waitStates: [String: Int]) -> Double {
        var issue = 0.0, end = 0.0
        var free: [Pipe: Double] = [:]
        for instruction in sequence {
            let wait = instruction.memory.map { Double(waitStates[$0] ?? 0) } ?? 0
            if var pipe = Self.pipe(of: instruction.mnemonic) {
                if pipe == .store && sharedLoadStore { pipe = .load }
                let start = max(issue, free[pipe] ?? 0)
                free[pipe] = start + instructionCycles + wait
                issue = start + 1
                end = max(end, start + instructionCycles + wait)
            } else if instruction.mnemonic != "le" && instruction.mnemonic != "letp" {
                let own = DSPInstructionClass.of(instruction.mnemonic) == .load ? loadIssueCycles : 1
                issue += own + wait
                end = max(end, issue)
            }
        }
        return max(end, issue)
    }
}

extension CMSISNNCompiledLoops.Loop {
    /// A compiled MVE loop as a loop body: of its vector loads, `weightLoads` read `weights`
    /// (spread evenly: the source fixes how many, the pipe model not their order), the others,
    /// the stack reloads and the stores `activations` (where the stack and tensors live).
    func vectorBody(weights: String, activations: String) -> [DSPInstruction] {
        let loads = mnemonics.filter { MVEPipeModel.pipe(of: $0) == .load }.count
        var index = 0
        return mnemonics.map { word in
            switch MVEPipeModel.pipe(of: word) {
            case .load:
                defer { index += 1 }
                let weight = (index + 1) * weightLoads / loads > index * weightLoads / loads
                return DSPInstruction(word, weight ? weights : activations)
            case .store: return DSPInstruction(word, activations)
            default: return DSPInstruction(word)
            }
        }
    }
}
