/// FINN's estimates for a vector-vector-activation unit (`VVAU_hls`, the depthwise engine).
///
/// Formulas (finn-plus 1.6.1, `vectorvectoractivation.py`, `hls/vectorvectoractivation_hls.py`):
/// * cycles `= (C·kH·kW / PE / SIMD) · output pixels`;
/// * weight memory depth `ω = kH·kW·C/PE/SIMD`, width `PE·SIMD·W`; BRAM_18K with widths 8/16/32
///   (FINN's HLS-memory variant of the MVAU table), none for `auto` memories of depth ≤ 128;
/// * LUTs as the MVAU with the dot-product length `kH·kW`, thresholds always counted:
///   `(2^B − 1)·acc·TMEM/64` LUTRAM + `(2^B − 1)·acc` comparators;
/// * DSPs `= PE · ⌈(W+A)/48⌉` when the multipliers are on DSPs.
struct VectorVectorEstimate: Sendable, Hashable {
    /// Channels C.
    public var channels: Int
    /// Kernel height and width.
    public var kernelHeight: Int, kernelWidth: Int
    /// Output pixels per inference (× batch).
    public var outputPixels: Int
    /// PE (divides C) and SIMD (divides kH·kW).
    public var processingElements: Int, simdLanes: Int
    /// A: input bits, and whether the input is signed.
    public var inputBits: Int, inputSigned: Bool
    /// W: weight bits.
    public var weightBits: Int
    /// Output bits of the fused thresholds, or nil.
    public var outputBits: Int?
    /// FINN's `resType`.
    public var multipliers: MultiplierStyle
    /// FINN's `ram_style`.
    public var memory: FabricMemoryStyle
    /// The accumulator width bound.
    public var accumulatorLimit: Int

    /// Creates an estimate.
    public init(channels: Int, kernelHeight: Int, kernelWidth: Int, outputPixels: Int, processingElements: Int, simdLanes: Int,
                inputBits: Int, inputSigned: Bool, weightBits: Int, outputBits: Int?,
                multipliers: MultiplierStyle = .lookupTables, memory: FabricMemoryStyle = .automatic, accumulatorLimit: Int = 32) {
        self.channels = channels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth; self.outputPixels = outputPixels
        self.processingElements = processingElements; self.simdLanes = simdLanes
        self.inputBits = inputBits; self.inputSigned = inputSigned; self.weightBits = weightBits; self.outputBits = outputBits
        self.multipliers = multipliers; self.memory = memory; self.accumulatorLimit = accumulatorLimit
    }

    var kernelElements: Int { kernelHeight * kernelWidth }
    /// `(C·kH·kW / PE / SIMD) · pixels`.
    public var cycles: Int { channels * kernelElements / processingElements / simdLanes * outputPixels }
    /// WMEM `(kH·kW·C / PE) / SIMD`.
    public var weightMemoryDepth: Int { kernelElements * channels / processingElements / simdLanes }
    /// TMEM `C / PE` (0 without thresholds).
    public var thresholdMemoryDepth: Int { outputBits == nil ? 0 : channels / processingElements }

    /// The estimate of every resource kind.
    public var resources: FabricResources {
        FabricResources(lookupTables: lookupTables, blockRam18k: blockRam18k, ultraRams: ultraRams, dspSlices: dspSlices)
    }

    /// BRAM_18K for the weights.
    public var blockRam18k: Int {
        let omega = weightMemoryDepth, width = simdLanes * weightBits * processingElements
        if memory == .distributed || memory == .ultra || (memory == .automatic && omega <= 128) { return 0 }
        let c = EstimateMath.ceilDivide
        if width == 1 { return c(omega, 16384) }
        if width == 2 { return c(omega, 8192) }
        if width <= 4 { return c(omega, 4096) * c(width, 4) }
        if width <= 9 { return c(omega, 2048) * c(width, 8) }
        if width <= 18 || omega > 512 { return c(omega, 1024) * c(width, 16) }
        return c(omega, 512) * c(width, 32)
    }

    /// UltraRAMs (only with `ram_style` ultra).
    public var ultraRams: Int {
        EstimateMath.ultraRams(processingElements: processingElements, simdLanes: simdLanes, weightBits: weightBits,
                               memory: memory, weightMemoryDepth: weightMemoryDepth)
    }

    /// LUTs.
    public var lookupTables: Int {
        let p = processingElements, q = simdLanes, w = weightBits, a = inputBits
        let datapath = EstimateMath.datapathLookupTables(processingElements: p, simdLanes: q, weightBits: w, inputBits: a,
                                                         multipliers: multipliers, memory: memory, weightMemoryDepth: weightMemoryDepth)
        let accumulatorBits = EstimateMath.accumulatorBits(dotProductLength: kernelElements, weightBits: w, inputBits: a,
                                                           inputSigned: inputSigned, limit: accumulatorLimit)
        var thresholdLUTs = 0.0, comparatorLUTs = 0.0
        if let b = outputBits {
            let steps = Double((1 << b) - 1)
            thresholdLUTs = steps * accumulatorBits * Double(thresholdMemoryDepth) / 64
            comparatorLUTs = steps * accumulatorBits
        }
        let perPE = Double(datapath.perElement) + accumulatorBits + thresholdLUTs + comparatorLUTs
        return Int(300 + 1.1 * (Double(p) * perPE) + Double(datapath.weightMemory))
    }

    /// DSP slices: `PE · ⌈(W+A)/48⌉` on DSPs, else 0.
    public var dspSlices: Int {
        multipliers == .dspSlices ? processingElements * EstimateMath.ceilDivide(weightBits + inputBits, 48) : 0
    }
}
