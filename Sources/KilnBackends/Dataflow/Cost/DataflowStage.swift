import KilnCompiler
import KilnNumerics

/// One Kiln dataflow kernel as the folding search and the cycle model see it: the FINN engines it
/// consists of, which foldings it may take, and FINN's estimates for a folding.
///
/// Engines per kernel (FINN's own decomposition):
/// * `mvau` (conv2d): RTL sliding-window generator (SIMD = the MVAU's SIMD, or the whole window
///   per cycle when SIMD = MW) + `MVAU_hls`; (dense) `MVAU_hls` alone;
/// * `vvau`: depthwise sliding-window generator (SIMD = the VVAU's PE; a parallel window when the
///   VVAU's SIMD is the whole kernel) + `VVAU_hls`;
/// * `thresholding` / `sign-threshold`: `Thresholding_hls` (thresholds one bit wider than the input,
///   at most 32);
/// * `streaming-maxpool`: depthwise sliding-window generator + `Pool_hls` (MaxPool), PE channels;
/// * `accumulating-pool`: `GlobalAccPool_hls` + `Thresholding_hls` on the sums (32-bit);
/// * `add-streams-lut`: PE ROM lookups per cycle; a ROM of `entries × output bits` in LUT6s
///   (64 bits each) per PE — Kiln's own estimate, FINN has no such engine;
/// * `stream-relabel`: nothing.
struct DataflowStage: Sendable {
    /// The kernel name.
    public let kernel: String
    /// The first node of the kernel (the key of its folding).
    public let layer: String
    let shape: Shape

    enum Shape: Sendable {
        case matrix(window: SlidingWindowGenerator, outputChannels: Int, inputBits: Int, inputSigned: Bool, weightBits: Int,
                    outputBits: Int?, depthwise: Bool, dense: Bool)
        case thresholding(channels: Int, vectors: Int, steps: Int, inputBits: Int)
        case maxPool(window: SlidingWindowGenerator, bits: Int)
        case globalPool(channels: Int, pixels: Int, batch: Int, steps: Int)
        case addStreams(elements: Int, romBits: Int)
        case none
    }

    /// The stage of a dataflow kernel (nil for kernels of other families).
    public init?(_ kernel: any TargetKernel) {
        self.kernel = kernel.name
        layer = kernel.nodes.first?.name ?? kernel.name
        switch kernel {
        case let unit as MatrixVectorActivationUnit:
            let w = unit.window
            shape = .matrix(window: w, outputChannels: unit.outputChannels, inputBits: Self.bits(unit.inputType.elementType),
                            inputSigned: Self.signed(unit.inputType.elementType), weightBits: Self.bits(unit.weightType.elementType),
                            outputBits: unit.thresholds == nil ? nil : Self.bits(unit.outputType.elementType),
                            depthwise: unit.name == "vvau" && unit.outputChannels == w.groups,
                            dense: unit.isDense)
        case let unit as ThresholdingUnit:
            shape = .thresholding(channels: unit.channels, vectors: unit.elementCount / max(unit.channels, 1),
                                  steps: unit.table.first?.count ?? 1, inputBits: Self.bits(unit.inputType.elementType))
        case let unit as StreamingMaxPoolUnit:
            shape = .maxPool(window: unit.window, bits: Self.bits(unit.inputType.elementType))
        case let unit as AccumulatingPoolUnit:
            shape = .globalPool(channels: unit.inputType.shape[1], pixels: unit.plane, batch: unit.planes / max(unit.inputType.shape[1], 1),
                                steps: unit.thresholds.count)
        case let unit as AddStreamsUnit:
            shape = .addStreams(elements: unit.count, romBits: unit.table.count * Self.bits(unit.types.output.elementType))
        case is ViewKernel:
            shape = .none
        default:
            return nil
        }
    }

    static func bits(_ type: ElementType) -> Int { type.bitWidth }
    static func signed(_ type: ElementType) -> Bool {
        if case .integer(_, let signed) = type { return signed }
        return false
    }

    /// The parallel dimension the engine folds: (PE range, SIMD range) for matrix engines.
    var channels: Int {
        switch shape {
        case .matrix(let w, let o, _, _, _, _, let depthwise, _): return depthwise ? w.channels : o
        case .thresholding(let c, _, _, _): return c
        case .maxPool(let w, _): return w.channels
        case .globalPool(let c, _, _, _): return c
        case .addStreams(let elements, _): return elements
        case .none: return 1
        }
    }

    /// Every folding the engine may take under the PE / SIMD limits: PE divides the channels;
    /// SIMD divides the window (conv: divides C, or is the whole window), both multiplier styles.
    func candidates(maxProcessingElements: Int, maxSimdLanes: Int) -> [DataflowFolding] {
        let pes = DataflowFolding.divisors(of: channels).filter { $0 <= maxProcessingElements }
        guard case .matrix(let w, _, _, _, _, _, let depthwise, let dense) = shape else {
            return pes.map { DataflowFolding(processingElements: $0, simdLanes: 1) }
        }
        let length = w.windowLength
        var simds: [Int]
        if depthwise {
            simds = Array(Set([1, w.kernelHeight * w.kernelWidth]))
        } else if dense {
            simds = DataflowFolding.divisors(of: length)
        } else {
            simds = DataflowFolding.divisors(of: w.groupChannels) + (length != w.groupChannels ? [length] : [])
        }
        simds = simds.filter { $0 <= maxSimdLanes }.sorted()
        return pes.flatMap { pe in simds.flatMap { simd in MultiplierStyle.allCases.map {
            DataflowFolding(processingElements: pe, simdLanes: simd, multipliers: $0)
        } } }
    }

    /// The sliding window in front of a convolution's matrix engine (nil for dense layers and
    /// engines without one of their own choosing).
    var slidingWindow: SlidingWindowGenerator? {
        if case .matrix(let w, _, _, _, _, _, _, let dense) = shape, !dense { return w }
        return nil
    }

    /// What a user folding must satisfy: the dimension PE divides (phrased), the SIMD values the
    /// engine takes, and that rule phrased.
    var foldingLimits: (peDimension: String, simdChoices: Set<Int>, simdRule: String) {
        switch shape {
        case .matrix(let w, let o, _, _, _, _, let depthwise, let dense):
            if depthwise {
                let k = w.kernelHeight * w.kernelWidth
                return ("the \(w.channels) channels", [1, k], "a depthwise engine takes SIMD 1 or the whole \(k)-element kernel")
            }
            if dense {
                return ("MH \(o)", Set(DataflowFolding.divisors(of: w.windowLength)), "SIMD must divide MW \(w.windowLength)")
            }
            return ("MH \(o)", Set(DataflowFolding.divisors(of: w.groupChannels) + [w.windowLength]),
                    "SIMD must divide the \(w.groupChannels) input channels, or be the whole window MW \(w.windowLength) (a parallel window)")
        default:
            return ("the \(channels) channels", [1], "the engine has no SIMD")
        }
    }

    /// The channels per cycle the sliding window of a convolution reads at a folding (the matrix
    /// engine's SIMD; all channels for a parallel window; the VVAU's PE for a depthwise one).
    func windowSimd(_ folding: DataflowFolding) -> Int {
        guard case .matrix(let w, _, _, _, _, _, let depthwise, _) = shape else { return folding.processingElements }
        if depthwise { return folding.processingElements }
        return folding.simdLanes == w.windowLength && w.windowLength != w.groupChannels ? w.channels : folding.simdLanes
    }

    /// The FINN engines of the stage under a folding, with their cycles and resources.
    public func engines(_ folding: DataflowFolding) -> [(name: String, cycles: Int, resources: FabricResources)] {
        let pe = folding.processingElements, simd = folding.simdLanes
        switch shape {
        case .matrix(let w, let o, let a, let signed, let wBits, let outBits, let depthwise, let dense):
            let pixels = w.batch * w.outputPixels
            if depthwise {
                let vvau = VectorVectorEstimate(channels: w.channels, kernelHeight: w.kernelHeight, kernelWidth: w.kernelWidth,
                                                outputPixels: pixels, processingElements: pe, simdLanes: simd, inputBits: a,
                                                inputSigned: signed, weightBits: wBits, outputBits: outBits, multipliers: folding.multipliers,
                                                memory: folding.memory ?? .automatic)
                let swg = window(w, simd: pe, bits: a, depthwise: true, parallel: simd > 1)
                return [("swg", swg.cycles * w.batch, swg.resources), ("vvau", vvau.cycles, vvau.resources)]
            }
            let mvau = MatrixVectorEstimate(matrixWidth: w.windowLength, matrixHeight: o, processingElements: pe, simdLanes: simd,
                                            vectors: pixels, inputBits: a, inputSigned: signed, weightBits: wBits, outputBits: outBits,
                                            multipliers: folding.multipliers, memory: folding.memory ?? .automatic)
            if dense { return [("mvau", mvau.cycles, mvau.resources)] }
            let parallel = simd == w.windowLength && w.windowLength != w.groupChannels
            let swg = window(w, simd: parallel ? w.channels : simd, bits: a, depthwise: false, parallel: parallel)
            return [("swg", swg.cycles * w.batch, swg.resources), ("mvau", mvau.cycles, mvau.resources)]
        case .thresholding(let c, let vectors, let steps, let a):
            let unit = ThresholdingEstimate(channels: c, processingElements: pe, steps: steps, vectors: vectors, inputBits: a,
                                            thresholdBits: min(a + 1, 32), memory: folding.memory ?? .distributed)
            return [("thresholding", unit.cycles, unit.resources)]
        case .maxPool(let w, let bits):
            let swg = window(w, simd: pe, bits: bits, depthwise: true, parallel: false)
            let pool = PoolEstimate(channels: w.channels, processingElements: pe, windowElements: w.kernelHeight * w.kernelWidth,
                                    outputPixels: w.outputPixels, batch: w.batch)
            return [("swg", swg.cycles * w.batch, swg.resources), ("pool", pool.cycles, FabricResources())]
        case .globalPool(let c, let pixels, let batch, let steps):
            let pool = GlobalAccumulatingPoolEstimate(channels: c, processingElements: pe, vectors: pixels * batch)
            let thresholds = ThresholdingEstimate(channels: c, processingElements: pe, steps: max(steps, 1), vectors: batch,
                                                  inputBits: 32, thresholdBits: 32)
            return [("global-accumulating-pool", pool.cycles, FabricResources()), ("thresholding", thresholds.cycles, thresholds.resources)]
        case .addStreams(let elements, let romBits):
            return [("add-streams", elements / pe, FabricResources(lookupTables: pe * EstimateMath.ceilDivide(romBits, 64)))]
        case .none:
            return []
        }
    }

    private func window(_ w: SlidingWindowGenerator, simd: Int, bits: Int, depthwise: Bool, parallel: Bool) -> SlidingWindowEstimate {
        SlidingWindowEstimate(channels: w.channels, inputHeight: w.height + w.padTop * 2, inputWidth: w.width + w.padLeft * 2,
                              outputHeight: w.outputHeight, outputWidth: w.outputWidth, kernelHeight: w.kernelHeight,
                              kernelWidth: w.kernelWidth, strideY: w.strideY, strideX: w.strideX, dilationY: w.dilationY,
                              dilationX: w.dilationX, simdLanes: simd, bits: bits, depthwise: depthwise, parallelWindow: parallel)
    }

    /// The stage's timing and resources under a folding: its interval is its slowest engine, its
    /// latency the sum of its engines (each engine's cycles pass before the next finishes).
    public func estimate(_ folding: DataflowFolding) -> StageEstimate {
        let parts = engines(folding)
        return StageEstimate(intervalCycles: parts.map(\.cycles).max() ?? 0, latencyCycles: parts.reduce(0) { $0 + $1.cycles },
                             resources: parts.reduce(FabricResources()) { $0 + $1.resources })
    }
}

/// A stage's cycles and resources under one folding.
struct StageEstimate: Sendable, Hashable {
    /// Cycles of its slowest engine per inference.
    public var intervalCycles: Int
    /// Cycles through all its engines.
    public var latencyCycles: Int
    /// Fabric resources of all its engines.
    public var resources: FabricResources
}
