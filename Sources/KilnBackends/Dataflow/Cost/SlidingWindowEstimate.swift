/// FINN's estimates for the RTL sliding-window generator (`ConvolutionInputGenerator_rtl`).
///
/// Formulas (finn-plus 1.6.1, `rtl/convolutioninputgenerator_rtl.py`), with `cf = C/SIMD`:
/// * implementation: `parallel` when the whole window is emitted at once (`parallel_window`) or
///   the kernel is 1 × 1, else `default`;
/// * buffer depth (default) `((kH−1)·dH·W + (kW−1)·dW + 1)·cf` plus stride slack;
///   (parallel) `((kH−1)·dH·W + (kW−1)·dW)·cf + 2`;
/// * cycles (parallel) `H·W·cf + 2`; (default, 2D) `buffer + OH · max(OW·kW·kH·cf, sW·W·cf)`,
///   with the depthwise refill terms; (default, 1D) `OW·kW·cf + 2` or the depthwise bound;
/// * LUTs `300 + SIMD·A·⌈depth/38⌉` in LUTRAM; BRAM_18K by the depth's aspect ratio
///   (36/18/9/4/2/1 bits wide up to 512/1K/2K/4K/8K/16K deep, cascaded); URAM `⌈depth/4096⌉·⌈width/72⌉`.
struct SlidingWindowEstimate: Sendable, Hashable {
    /// Input channels C.
    public var channels: Int
    /// Input height and width.
    public var inputHeight: Int, inputWidth: Int
    /// Output height and width.
    public var outputHeight: Int, outputWidth: Int
    /// Kernel height and width.
    public var kernelHeight: Int, kernelWidth: Int
    /// Strides and dilations.
    public var strideY: Int, strideX: Int, dilationY: Int, dilationX: Int
    /// SIMD channels per cycle (divides C).
    public var simdLanes: Int
    /// A: element bits.
    public var bits: Int
    /// Whether the consumer is depthwise (VVAU, pooling).
    public var depthwise: Bool
    /// Whether the whole window is emitted per cycle (FINN's `parallel_window`).
    public var parallelWindow: Bool
    /// FINN's `ram_style` (default distributed).
    public var memory: FabricMemoryStyle

    /// Creates an estimate.
    public init(channels: Int, inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int,
                kernelHeight: Int, kernelWidth: Int, strideY: Int = 1, strideX: Int = 1, dilationY: Int = 1, dilationX: Int = 1,
                simdLanes: Int, bits: Int, depthwise: Bool, parallelWindow: Bool = false, memory: FabricMemoryStyle = .distributed) {
        self.channels = channels; self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.outputHeight = outputHeight; self.outputWidth = outputWidth
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideY = strideY; self.strideX = strideX; self.dilationY = dilationY; self.dilationX = dilationX
        self.simdLanes = simdLanes; self.bits = bits; self.depthwise = depthwise; self.parallelWindow = parallelWindow
        self.memory = memory
    }

    /// FINN's `parallel` implementation style.
    public var isParallel: Bool { parallelWindow || (kernelHeight == 1 && kernelWidth == 1) }
    var channelFolds: Int { channels / simdLanes }

    /// The line buffer depth in SIMD words.
    public var bufferDepth: Int {
        let cf = channelFolds, w = inputWidth
        if isParallel {
            return ((kernelHeight - 1) * dilationY * w + (kernelWidth - 1) * dilationX) * cf + 2
        }
        let minimum = ((kernelHeight - 1) * dilationY * w + (kernelWidth - 1) * dilationX + 1) * cf
        let window = kernelHeight * kernelWidth
        return minimum + Swift.max(0, ((strideX - 1) - window) * cf) + Swift.max(0, ((strideY - 1) * w - window) * cf)
    }

    /// Cycles per inference.
    public var cycles: Int {
        let cf = channelFolds
        if isParallel { return inputHeight * inputWidth * cf + 2 }
        if inputHeight == 1 || inputWidth == 1 {
            // 1D: FINN normalizes the data dimension onto the width.
            let swap = inputWidth == 1
            let ifmW = swap ? inputHeight : inputWidth, ofmW = swap ? outputHeight : outputWidth
            let kW = swap ? kernelHeight : kernelWidth, sW = swap ? strideY : strideX
            if depthwise {
                let out = ofmW * kW * cf + (cf - 1) * kW
                let input = ifmW * cf + cf * (kW - 1) * (sW - 1)
                return Swift.max(out, input) + 2
            }
            return ofmW * kW * cf + 2
        }
        let minimum = ((kernelHeight - 1) * dilationY * inputWidth + (kernelWidth - 1) * dilationX + 1) * cf
        var slowest = Swift.max(outputWidth * kernelWidth * kernelHeight * cf, strideX * inputWidth * cf)
        if depthwise { slowest += outputWidth * (strideX - 1) * (cf - 1) }
        var total = minimum + outputHeight * slowest
        if depthwise { total += (strideY - 1) * inputWidth * cf }
        return total
    }

    /// The estimate of every resource kind (no DSPs).
    public var resources: FabricResources {
        let width = simdLanes * bits
        let luts = 300 + (memory == .distributed ? width * EstimateMath.ceilDivide(bufferDepth, 38) : 0)
        var blocks = 0, ultra = 0
        if let (depth, count) = storedBuffers {
            if memory == .block || memory == .automatic { blocks = Self.blockRams(depth: depth, width: width) * count }
            if memory == .ultra { ultra = EstimateMath.ceilDivide(depth, 4096) * EstimateMath.ceilDivide(width, 72) * count }
        }
        return FabricResources(lookupTables: luts, blockRam18k: blocks, ultraRams: ultra)
    }

    /// The depth and count of the buffers placed in block RAM or UltraRAM (nil: none).
    private var storedBuffers: (Int, Int)? {
        if !isParallel { return (bufferDepth, 1) }
        if inputHeight == 1 || inputWidth == 1 { return nil }
        let span = (kernelWidth - 1) * dilationX + 1
        return ((inputWidth - span) + inputWidth * (dilationY - 1), kernelHeight - 1)
    }

    /// Block RAMs of one `depth × width` buffer, cascaded in depth beyond 16K.
    static func blockRams(depth: Int, width: Int) -> Int {
        func ramWidth(_ depth: Int) -> Int {
            switch depth {
            case ...512: return 36
            case ...1024: return 18
            case ...2048: return 9
            case ...4096: return 4
            case ...8192: return 2
            default: return 1
            }
        }
        let cascadeDepth = EstimateMath.ceilDivide(depth, 16384)
        let cascadeWidth = EstimateMath.ceilDivide(width, ramWidth(depth))
        var savings = 0
        if depth > 16384 {
            savings = cascadeWidth - EstimateMath.ceilDivide(width, ramWidth(depth % 16384))
        }
        return cascadeDepth * cascadeWidth - savings
    }
}
