import Foundation

/// FPGA fabric resources in FINN's estimate units: LUTs, 18 Kb block RAMs (`BRAM_18K`),
/// UltraRAM blocks and DSP slices.
struct FabricResources: Sendable, Hashable, CustomStringConvertible {
    /// Lookup tables (logic and LUTRAM).
    public var lookupTables: Int
    /// 18 Kb block RAMs (a 36 Kb block is two).
    public var blockRam18k: Int
    /// UltraRAM blocks.
    public var ultraRams: Int
    /// DSP slices.
    public var dspSlices: Int

    /// Creates a resource count.
    public init(lookupTables: Int = 0, blockRam18k: Int = 0, ultraRams: Int = 0, dspSlices: Int = 0) {
        self.lookupTables = lookupTables
        self.blockRam18k = blockRam18k
        self.ultraRams = ultraRams
        self.dspSlices = dspSlices
    }

    /// The sum, kind by kind.
    public static func + (a: FabricResources, b: FabricResources) -> FabricResources {
        FabricResources(lookupTables: a.lookupTables + b.lookupTables, blockRam18k: a.blockRam18k + b.blockRam18k,
                        ultraRams: a.ultraRams + b.ultraRams, dspSlices: a.dspSlices + b.dspSlices)
    }

    /// Adds another count kind by kind.
    public static func += (a: inout FabricResources, b: FabricResources) { a = a + b }

    /// Whether every kind is within `budget`.
    public func fits(in budget: FabricResources) -> Bool {
        lookupTables <= budget.lookupTables && blockRam18k <= budget.blockRam18k && ultraRams <= budget.ultraRams
            && dspSlices <= budget.dspSlices
    }

    /// The kinds that exceed `budget`, as `LUT 60123 > 53200` phrases.
    public func excess(over budget: FabricResources) -> [String] {
        var parts: [String] = []
        if lookupTables > budget.lookupTables { parts.append("LUT \(lookupTables) > \(budget.lookupTables)") }
        if blockRam18k > budget.blockRam18k { parts.append("BRAM_18K \(blockRam18k) > \(budget.blockRam18k)") }
        if ultraRams > budget.ultraRams { parts.append("URAM \(ultraRams) > \(budget.ultraRams)") }
        if dspSlices > budget.dspSlices { parts.append("DSP \(dspSlices) > \(budget.dspSlices)") }
        return parts
    }

    /// `LUT 1234, BRAM_18K 4, URAM 0, DSP 0`.
    public var description: String {
        "LUT \(lookupTables), BRAM_18K \(blockRam18k), URAM \(ultraRams), DSP \(dspSlices)"
    }
}

/// Where an engine keeps its parameters (FINN's `ram_style`).
enum FabricMemoryStyle: String, Sendable, Hashable, CaseIterable {
    /// Let the tools decide (`auto`); FINN estimates it as block RAM except for shallow memories.
    case automatic = "auto"
    /// Block RAM.
    case block
    /// LUTRAM.
    case distributed
    /// UltraRAM.
    case ultra
}

/// How an engine builds its multipliers (FINN's `resType`).
enum MultiplierStyle: String, Sendable, Hashable, CaseIterable {
    /// In LUTs.
    case lookupTables = "lut"
    /// In DSP slices.
    case dspSlices = "dsp"
}

/// Integer helpers shared by the estimate formulas.
enum EstimateMath {
    /// `⌈a / b⌉` for a ≥ 0, b > 0 (Python's `math.ceil(a / b)` on exact quotients).
    static func ceilDivide(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
    /// Python's `math.log(x, 2)`: `log(x) / log(2)` (not `log2`, which can differ in the last bit).
    static func logBase2(_ x: Double) -> Double { Foundation.log(x) / Foundation.log(2.0) }
    /// The minimum accumulator width FINN's LUT estimates use (Colbert et al., arXiv:2301.13376):
    /// `min(limit, ⌈α + log2(1 + 2^−α) + 1⌉)` with `α = log2(K) + W + A − 1 − signed(A)`.
    static func accumulatorBits(dotProductLength: Int, weightBits: Int, inputBits: Int, inputSigned: Bool, limit: Int) -> Double {
        let alpha = logBase2(Double(dotProductLength)) + Double(weightBits) + Double(inputBits) - 1 - (inputSigned ? 1 : 0)
        return Swift.min(Double(limit), (alpha + logBase2(1 + Foundation.pow(2, -alpha)) + 1).rounded(.up))
    }
    /// The LUT terms FINN's MVAU and VVAU `lut_estimation` share: one PE's multipliers (in LUTs
    /// unless they use DSP slices: `q · (2⌈(W + A)/6⌉ − 1) · (W + A)`) and adder tree
    /// (`(W + A) · (2q − 1)`), and the weight memory in LUTRAM when distributed
    /// (`p · q · W · ⌈depth / 64⌉`, all PEs).
    static func datapathLookupTables(processingElements p: Int, simdLanes q: Int, weightBits w: Int, inputBits a: Int,
                                     multipliers: MultiplierStyle, memory: FabricMemoryStyle,
                                     weightMemoryDepth: Int) -> (perElement: Int, weightMemory: Int) {
        let multiplierLUTs = multipliers == .dspSlices ? 0 : q * (2 * ceilDivide(w + a, 6) - 1) * (w + a)
        let adderTreeLUTs = (w + a) * (2 * q - 1)
        let weightMemory = memory == .distributed ? p * q * w * ceilDivide(weightMemoryDepth, 64) : 0
        return (multiplierLUTs + adderTreeLUTs, weightMemory)
    }
    /// UltraRAMs of a weight memory with `ram_style` ultra: `⌈q · W · p / 72⌉ · ⌈depth / 4096⌉`.
    static func ultraRams(processingElements p: Int, simdLanes q: Int, weightBits w: Int, memory: FabricMemoryStyle,
                          weightMemoryDepth: Int) -> Int {
        guard memory == .ultra else { return 0 }
        return ceilDivide(q * w * p, 72) * ceilDivide(weightMemoryDepth, 4096)
    }
}
