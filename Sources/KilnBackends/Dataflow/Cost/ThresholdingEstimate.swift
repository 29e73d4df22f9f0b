/// FINN's estimates for a standalone thresholding unit (`Thresholding_hls`,
/// `internal_decoupled` thresholds).
///
/// Formulas (finn-plus 1.6.1, `thresholding.py`, `hls/thresholding_hls.py`):
/// * cycles `= vectors · C/PE`;
/// * threshold memory: depth `TMEM = C/PE`, width `PE · T · steps` (T threshold bits);
/// * LUTs `= A·PE` comparators `+ width·⌈TMEM/64⌉` LUTRAM (distributed, TMEM > 1);
/// * BRAM_18K `= ⌈width/16⌉·⌈TMEM/1024⌉` (block, TMEM > 1); URAM `⌈width/72⌉·⌈TMEM/4096⌉` (ultra).
struct ThresholdingEstimate: Sendable, Hashable {
    /// Channels C.
    public var channels: Int
    /// PE (divides C).
    public var processingElements: Int
    /// Thresholds per channel (`2^B − 1` for B output bits).
    public var steps: Int
    /// Input vectors per inference (pixels × batch).
    public var vectors: Int
    /// A: input bits.
    public var inputBits: Int
    /// T: threshold bits.
    public var thresholdBits: Int
    /// FINN's `ram_style` (default distributed).
    public var memory: FabricMemoryStyle

    /// Creates an estimate.
    public init(channels: Int, processingElements: Int, steps: Int, vectors: Int, inputBits: Int, thresholdBits: Int,
                memory: FabricMemoryStyle = .distributed) {
        self.channels = channels; self.processingElements = processingElements; self.steps = steps; self.vectors = vectors
        self.inputBits = inputBits; self.thresholdBits = thresholdBits; self.memory = memory
    }

    /// `vectors · C/PE`.
    public var cycles: Int { vectors * (channels / processingElements) }
    var memoryDepth: Int { channels / processingElements }
    var memoryWidth: Int { processingElements * thresholdBits * steps }

    /// The estimate of every resource kind (no DSPs).
    public var resources: FabricResources {
        let depth = memoryDepth, width = memoryWidth, c = EstimateMath.ceilDivide
        let lutRam = memory == .distributed && depth > 1 ? width * c(depth, 64) : 0
        let blocks = memory == .block && depth > 1 ? c(width, 16) * c(depth, 1024) : 0
        let ultra = memory == .ultra && depth > 1 ? c(width, 72) * c(depth, 4096) : 0
        return FabricResources(lookupTables: inputBits * processingElements + lutRam, blockRam18k: blocks, ultraRams: ultra)
    }
}
