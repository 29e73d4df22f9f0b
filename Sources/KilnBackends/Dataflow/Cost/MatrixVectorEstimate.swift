/// FINN's estimates for a matrix-vector-activation unit (`MVAU_hls`, weights in
/// `internal_decoupled` memory): cycles, LUTs, 18 Kb block RAMs, UltraRAMs and DSP slices.
///
/// Formulas (finn-plus 1.6.1, `matrixvectoractivation.py` and `hls/matrixvectoractivation_hls.py`;
/// LUT and BRAM models from Blott et al., "FINN-R", ACM TRETS 2018):
/// * cycles `= (MH/PE) · (MW/SIMD) · vectors`;
/// * weight memory depth `ω = MW·MH/(PE·SIMD)`, width `PE·SIMD·W`; BRAM_18K by the SDP aspect
///   ratios of UG573 (1×16K, 2×8K, 4×4K, 9×2K, 18×1K, 36×512);
/// * LUTs `= 300 + 1.1 · PE · (mult + adder tree + accumulator + thresholds) + LUTRAM` with
///   `mult = SIMD·(2⌈(W+A)/6⌉ − 1)·(W+A)` (0 on DSPs), `adder = (W+A)·(2·SIMD − 1)`;
/// * DSPs `= PE · SIMD · ⌈(W+A)/48⌉` when the multipliers are on DSPs.
struct MatrixVectorEstimate: Sendable, Hashable {
    /// MW, the dot-product length.
    public var matrixWidth: Int
    /// MH, the output channels.
    public var matrixHeight: Int
    /// PE (divides MH).
    public var processingElements: Int
    /// SIMD (divides MW).
    public var simdLanes: Int
    /// Input vectors per inference (output pixels × batch).
    public var vectors: Int
    /// A: input bits, and whether the input is signed.
    public var inputBits: Int, inputSigned: Bool
    /// W: weight bits.
    public var weightBits: Int
    /// Output bits of the fused thresholding stage, or nil when the accumulators stream out.
    public var outputBits: Int?
    /// FINN's `resType`.
    public var multipliers: MultiplierStyle
    /// FINN's `ram_style` for the weights.
    public var memory: FabricMemoryStyle
    /// FINN's `ram_style_thresholds` (`auto` counts no LUTs for thresholds).
    public var thresholdMemory: FabricMemoryStyle
    /// The accumulator width bound (`accDataType`, INT32 unless minimized).
    public var accumulatorLimit: Int

    /// Creates an estimate.
    public init(matrixWidth: Int, matrixHeight: Int, processingElements: Int, simdLanes: Int, vectors: Int,
                inputBits: Int, inputSigned: Bool, weightBits: Int, outputBits: Int?,
                multipliers: MultiplierStyle = .lookupTables, memory: FabricMemoryStyle = .automatic,
                thresholdMemory: FabricMemoryStyle = .automatic, accumulatorLimit: Int = 32) {
        self.matrixWidth = matrixWidth; self.matrixHeight = matrixHeight
        self.processingElements = processingElements; self.simdLanes = simdLanes; self.vectors = vectors
        self.inputBits = inputBits; self.inputSigned = inputSigned; self.weightBits = weightBits; self.outputBits = outputBits
        self.multipliers = multipliers; self.memory = memory; self.thresholdMemory = thresholdMemory
        self.accumulatorLimit = accumulatorLimit
    }

    /// `(MH/PE) · (MW/SIMD) · vectors`.
    public var cycles: Int { (matrixHeight / processingElements) * (matrixWidth / simdLanes) * vectors }
    /// WMEM: the weight memory depth `MW·MH/(PE·SIMD)`.
    public var weightMemoryDepth: Int { matrixWidth * matrixHeight / (processingElements * simdLanes) }
    /// TMEM: `MH/PE` threshold words (0 without thresholds).
    public var thresholdMemoryDepth: Int { outputBits == nil ? 0 : matrixHeight / processingElements }

    /// The estimate of every resource kind.
    public var resources: FabricResources {
        FabricResources(lookupTables: lookupTables, blockRam18k: blockRam18k, ultraRams: ultraRams, dspSlices: dspSlices)
    }

    /// BRAM_18K for the weights (0 in LUTRAM or UltraRAM).
    public var blockRam18k: Int {
        if memory == .distributed || memory == .ultra { return 0 }
        let omega = weightMemoryDepth, width = simdLanes * weightBits * processingElements
        return Self.blockRams(depth: omega, width: width)
    }

    /// UltraRAMs for the weights (only with `ram_style` ultra): `⌈width/72⌉ · ⌈ω/4096⌉`.
    public var ultraRams: Int {
        EstimateMath.ultraRams(processingElements: processingElements, simdLanes: simdLanes, weightBits: weightBits,
                               memory: memory, weightMemoryDepth: weightMemoryDepth)
    }

    /// LUTs.
    public var lookupTables: Int {
        let p = processingElements, q = simdLanes, w = weightBits, a = inputBits
        let datapath = EstimateMath.datapathLookupTables(processingElements: p, simdLanes: q, weightBits: w, inputBits: a,
                                                         multipliers: multipliers, memory: memory, weightMemoryDepth: weightMemoryDepth)
        let accumulatorBits = EstimateMath.accumulatorBits(dotProductLength: matrixWidth, weightBits: w, inputBits: a,
                                                           inputSigned: inputSigned, limit: accumulatorLimit)
        var thresholdLUTs = 0.0, comparatorLUTs = 0.0
        if let b = outputBits, thresholdMemory == .distributed {
            let steps = Double((1 << b) - 1)
            thresholdLUTs = steps * accumulatorBits * Double(EstimateMath.ceilDivide(thresholdMemoryDepth, 64))
            comparatorLUTs = steps * accumulatorBits
        }
        let perPE = Double(datapath.perElement) + accumulatorBits + thresholdLUTs + comparatorLUTs
        return Int(300 + 1.1 * (Double(p) * perPE) + Double(datapath.weightMemory))
    }

    /// DSP slices: `PE · SIMD · ⌈(W+A)/48⌉` on DSPs, else 0.
    public var dspSlices: Int {
        multipliers == .dspSlices ? processingElements * simdLanes * EstimateMath.ceilDivide(weightBits + inputBits, 48) : 0
    }

    /// FINN's MVAU block-RAM table for a `depth × width` SDP memory (UG573 aspect ratios).
    static func blockRams(depth omega: Int, width: Int) -> Int {
        let c = EstimateMath.ceilDivide
        if width == 1 { return c(omega, 16384) }
        if width == 2 { return c(omega, 8192) }
        if width <= 4 { return c(omega, 4096) * c(width, 4) }
        if width <= 9 { return c(omega, 2048) * c(width, 9) }
        if width <= 18 || omega > 512 { return c(omega, 1024) * c(width, 18) }
        return c(omega, 512) * c(width, 36)
    }
}
