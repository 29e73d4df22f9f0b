/// The issue class of a Cortex-M instruction: which pipe it needs and how long it holds issue.
///
/// The classes follow LLVM's Cortex-M4/M7 scheduling models (`ARMScheduleM4.td`,
/// `ARMScheduleM7.td`): loads use a load pipe, stores the store pipe, `SMLAD`/`SMLABB`/`MLA` the
/// MAC pipe, DSP SIMD instructions (`SXTB16`, `PKHBT`, `SSAT`, `USAT`, `QADD`, `UBFX`) an ALU pipe
/// and — on the M7 — only the first issue slot, other data processing an ALU pipe, FPU
/// instructions the FPU pipe, and the loop branch the branch pipe.
enum DSPInstructionClass: String, Sendable, Hashable, CaseIterable {
    case load, store, multiplyAccumulate, simd, alu, floatingPoint, branch

    /// The class of every mnemonic the DSP kernels emit; nil for a mnemonic the table lacks.
    /// An MVE instruction takes the class of its vector pipe (``MVEPipeModel``: loads, stores,
    /// multiply-accumulates, the integer pipe as SIMD), which counts it; its timing is the pipe model's.
    static func of(_ mnemonic: String) -> DSPInstructionClass? {
        if let known = table[mnemonic] { return known }
        switch MVEPipeModel.pipe(of: mnemonic) {
        case .load: return .load
        case .store: return .store
        case .multiply: return .multiplyAccumulate
        case .integer: return .simd
        case nil: return nil
        }
    }

    private static let table: [String: DSPInstructionClass] = [
        "ldr": .load, "ldrb": .load, "ldrh": .load, "ldrsb": .load, "ldrsh": .load, "vldr": .load,
        "str": .store, "strb": .store, "strh": .store, "vstr": .store,
        "smlad": .multiplyAccumulate, "smlabb": .multiplyAccumulate, "mla": .multiplyAccumulate,
        "sxtb16": .simd, "pkhbt": .simd, "ssat": .simd, "usat": .simd, "qadd": .simd, "ubfx": .simd,
        "add": .alu, "asr": .alu, "lsl": .alu, "cmp": .alu, "mov": .alu, "movgt": .alu, "subs": .alu,
        "vmul.f32": .floatingPoint, "vcvt.f32.s32": .floatingPoint, "vcvtr.s32.f32": .floatingPoint, "vmov": .floatingPoint,
        "bne": .branch,
        "smlal": .multiplyAccumulate, "sxtab16": .simd, "lsr": .alu, "orr": .alu, "and": .alu, "sdiv": .alu, "vdiv.f32": .floatingPoint,  // the s8 kernels
        "smlatt": .multiplyAccumulate, "pkhtb": .simd, "ror": .alu,  // CMSIS-NN's compiled loops (CMSISNNCompiledLoops); ror, pkhtb also the s4 nibble unpacking
        "wlstp": .branch, "le": .branch, "letp": .branch, "mul": .multiplyAccumulate,  // the Helium loops (CMSISNNCompiledMVELoops)
    ]

    /// Whether the instruction reads or writes memory.
    var accessesMemory: Bool { self == .load || self == .store }
}
