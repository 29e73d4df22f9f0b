import KilnJSON
import KilnTargets

/// The `dsp` family: fixed-point DSPs and microcontrollers with DSP extensions (Cortex-M4/M7
/// SMLAD, VLIW DSPs).
public struct DSPFamily: TargetFamilySchema {
    /// Creates the family schema.
    public init() {}

    /// `"dsp"`.
    public var name: String { "dsp" }
    /// What the family models.
    public var summary: String { "fixed-point DSP: Q7/Q15/Q31 MACs, saturation, zero-overhead loops" }

    /// The schema of the `dsp` section.
    public static let sectionSchema = TargetSchemaSection(path: "dsp", fields: [
        .cost("macUnits", "sourced integer ≥ 1", "Multiply-accumulate units that can start a MAC instruction each cycle.").plausible(1...1024),
        TargetField("dualSixteenBitMac", "boolean", "Whether one MAC instruction performs two 16×16 multiplies into one accumulator (SMLAD-style)."),
        .cost("macLatencyCycles", "sourced number ≥ 1", "Latency of a MAC instruction in cycles.").plausible(1...1000),
        .cost("vliwSlots", "sourced integer ≥ 1", "Instructions issued per cycle (1 for a single-issue core).").plausible(1...64),
        TargetField("zeroOverheadLoops", "boolean", "Whether hardware loops run without per-iteration branch cost."),
        .cost("loadStoreUnits", "sourced integer ≥ 1", "Loads or stores that can issue per cycle.").plausible(1...64),
        .cost("storeUnits", "sourced integer ≥ 1", "Stores that can issue per cycle (at most `loadStoreUnits`).").plausible(1...64),
        .cost("aluUnits", "sourced integer ≥ 1", "Integer ALU pipes: data-processing instructions (add, shift, compare, DSP SIMD) that can issue per cycle.").plausible(1...64),
        .cost("floatingPointUnits", "sourced integer ≥ 1", "FPU instructions (arithmetic, conversion, core↔FPU moves) that can issue per cycle.").plausible(1...64),
        .cost("loadIssueCycles", "sourced number ≥ 1", "Cycles a single load occupies issue before the next instruction can issue, with zero wait states (2 on a Cortex-M4).").plausible(1...1000),
        .cost("pipelinedLoadIssueCycles", "sourced number ≥ 1", "The same for a load directly after another load (the Cortex-M4 pipelines neighbouring loads: 1).").plausible(1...1000),
        .cost("takenBranchCycles", "sourced number ≥ 1", "Cycles of a taken loop branch including the pipeline refill; a branch that falls through takes 1.").plausible(1...1000),
        TargetField("simdFirstSlotOnly", "boolean", "Whether DSP SIMD instructions (SXTB16, PKHBT, SSAT/USAT, QADD, UBFX) issue only in the first slot of a dual-issue pair (Cortex-M7)."),
        TargetField("saturationHardware", "boolean", "Whether saturating arithmetic (QADD, SSAT) costs no extra instructions."),
        TargetField("guardBits", "integer 0–32", "Guard bits above the accumulator's product width (0 for a plain 32-bit accumulator, 8 for a 40-bit one).").plausible(0...32),
        TargetField("waitStates", "array of objects", "Extra cycles per access for memory levels that stall the core (see `dsp.waitStates[]`)."),
        .optional("dataCache", "object", "The core's L1 data cache (see `dsp.dataCache`): a Helium layer whose weights fit reads them from the weight level once per line, then from the cache."),
        .optional("vectorExtension", "object", "A vector extension beside the DSP instructions (see `dsp.vectorExtension`): CMSIS-NN's vector kernels run and are priced on its pipes."),
    ])

    /// The schema of the optional `dsp.dataCache` object.
    public static let dataCacheSchema = TargetSchemaSection(path: "dsp.dataCache", fields: [
        .cost("sizeBytes", "sourced integer ≥ 1", "Capacity of the L1 data cache in bytes.").plausible(1...1_073_741_824),
        .cost("lineBytes", "sourced integer ≥ 1", "Bytes per cache line: one line fill reads this many bytes from the level behind the cache.").plausible(1...4096),
    ])

    /// The schema of the optional `dsp.vectorExtension` object.
    public static let vectorExtensionSchema = TargetSchemaSection(path: "dsp.vectorExtension", fields: [
        TargetField("name", "\"mve\"", "The extension: `mve` (Armv8.1-M Helium; CMSIS-NN's `ARM_MATH_MVEI` kernels)."),
        .cost("beatsPerCycle", "sourced integer 1, 2 or 4", "32-bit beats of a 128-bit vector instruction one pipe executes per cycle (2 on a dual-beat core: an instruction holds its pipe 2 cycles, and the next one on another pipe overlaps it).").plausible(1...4),
        .cost("loadStorePipes", "sourced integer 1 or 2", "Vector memory pipes: 1 if vector loads and stores share one pipe, 2 if each has its own.").plausible(1...2),
    ])

    /// The schema of one `dsp.waitStates[]` element.
    public static let waitStateSchema = TargetSchemaSection(path: "dsp.waitStates[]", fields: [
        TargetField("memory", "memory level name", "A level in `memory[]`."),
        .cost("cycles", "sourced integer ≥ 0", "Wait states added to every access of that level.").plausible(0...1_000_000),
    ])

    /// The section and its nested objects.
    public var sections: [TargetSchemaSection] { [Self.sectionSchema, Self.waitStateSchema, Self.vectorExtensionSchema, Self.dataCacheSchema] }

    /// Decodes the `dsp` section.
    public func decode(_ reader: TargetSectionReader, common: TargetCommonPart) -> (any TargetFamilySection)? {
        let macUnits = reader.sourcedInteger("macUnits", in: 1...1024)
        let dual = reader.bool("dualSixteenBitMac")
        let macLatency = reader.sourcedNumber("macLatencyCycles", .range(1...1000))
        let slots = reader.sourcedInteger("vliwSlots", in: 1...64)
        let loops = reader.bool("zeroOverheadLoops")
        let loadStore = reader.sourcedInteger("loadStoreUnits", in: 1...64)
        let stores = reader.sourcedInteger("storeUnits", in: 1...64)
        let alus = reader.sourcedInteger("aluUnits", in: 1...64)
        let floatingPoint = reader.sourcedInteger("floatingPointUnits", in: 1...64)
        let loadIssue = reader.sourcedNumber("loadIssueCycles", .range(1...1000))
        let pipelinedLoadIssue = reader.sourcedNumber("pipelinedLoadIssueCycles", .range(1...1000))
        let takenBranch = reader.sourcedNumber("takenBranchCycles", .range(1...1000))
        let simdFirstSlot = reader.bool("simdFirstSlotOnly")
        let saturation = reader.bool("saturationHardware")
        let guardBits = reader.integer("guardBits", in: 0...32)
        let entries = reader.sections("waitStates", Self.waitStateSchema, allowEmpty: true)
        var waits: [DSPSection.WaitState] = []
        var ok = entries != nil
        for entry in entries ?? [] {
            let memory = entry.string("memory")
            let cycles = entry.sourcedInteger("cycles", in: 0...1_000_000)
            if let memory, let levels = common.memory, !levels.contains(where: { $0.name == memory }) {
                entry.error("no memory level is named '\(memory)' (levels: \(levels.map(\.name).joined(separator: ", ")))", at: "memory")
                ok = false
            }
            guard let memory, let cycles else { ok = false; continue }
            waits.append(DSPSection.WaitState(memory: memory, cycles: cycles))
        }
        var vector: DSPSection.VectorExtension?
        if reader.contains("vectorExtension") {
            if let nested = reader.section("vectorExtension", Self.vectorExtensionSchema), let name = nested.string("name"),
               let beats = nested.sourcedInteger("beatsPerCycle", in: 1...4), let pipes = nested.sourcedInteger("loadStorePipes", in: 1...2) {
                if name != "mve" { nested.error("unknown vector extension '\(name)' (known: mve)", at: "name"); ok = false }
                if ![1, 2, 4].contains(beats.value) { nested.error("beatsPerCycle must be 1, 2 or 4 (a 128-bit instruction is 4 beats)", at: "beatsPerCycle"); ok = false }
                vector = DSPSection.VectorExtension(name: name, beatsPerCycle: beats, loadStorePipes: pipes)
            } else {
                ok = false
            }
        }
        var cache: DSPSection.DataCache?
        if reader.contains("dataCache") {
            if let nested = reader.section("dataCache", Self.dataCacheSchema), let size = nested.sourcedInteger("sizeBytes", in: 1...(1 << 30)),
               let line = nested.sourcedInteger("lineBytes", in: 1...4096) {
                cache = DSPSection.DataCache(sizeBytes: size, lineBytes: line)
            } else {
                ok = false
            }
        }
        if let loadStore, let stores, stores.value > loadStore.value {
            reader.error("storeUnits (\(stores.value)) exceeds loadStoreUnits (\(loadStore.value))", at: "storeUnits")
            ok = false
        }
        guard ok, let macUnits, let dual, let macLatency, let slots, let loops, let loadStore, let saturation, let guardBits,
              let stores, let alus, let floatingPoint, let loadIssue, let pipelinedLoadIssue, let takenBranch, let simdFirstSlot else { return nil }
        return DSPSection(macUnits: macUnits, dualSixteenBitMac: dual, macLatencyCycles: macLatency, vliwSlots: slots,
                          zeroOverheadLoops: loops, loadStoreUnits: loadStore, saturationHardware: saturation,
                          guardBits: guardBits, waitStates: waits,
                          issue: DSPSection.Issue(storeUnits: stores, aluUnits: alus, floatingPointUnits: floatingPoint,
                                                  loadIssueCycles: loadIssue, pipelinedLoadIssueCycles: pipelinedLoadIssue,
                                                  takenBranchCycles: takenBranch, simdFirstSlotOnly: simdFirstSlot),
                          vectorExtension: vector, dataCache: cache)
    }
}
