import KilnTargets

/// The PE × SIMD folding of one matrix-vector engine.
///
/// PE processing elements each compute one output channel (PE divides the matrix height MH);
/// each consumes SIMD input elements per cycle (SIMD divides the matrix width MW). The engine
/// takes `(MH/PE) · (MW/SIMD)` cycles per output pixel (FINN's MVAU estimate).
struct DataflowFolding: Sendable, Hashable {
    /// Processing elements.
    public let processingElements: Int
    /// SIMD lanes per processing element.
    public let simdLanes: Int
    /// Whether the multipliers are built in LUTs or DSP slices (FINN's `resType`).
    public let multipliers: MultiplierStyle
    /// Where the engine keeps its weights or thresholds (FINN's `ram_style`), or nil for the
    /// engine's FINN default (`auto` for MVAU / VVAU weights, `distributed` for thresholding units
    /// and sliding-window buffers).
    public let memory: FabricMemoryStyle?

    /// Creates a folding (no checks).
    public init(processingElements: Int, simdLanes: Int, multipliers: MultiplierStyle = .lookupTables,
                memory: FabricMemoryStyle? = nil) {
        self.processingElements = processingElements
        self.simdLanes = simdLanes
        self.multipliers = multipliers
        self.memory = memory
    }

    /// One PE, one lane, LUT multipliers: the smallest engine.
    public static let unfolded = DataflowFolding(processingElements: 1, simdLanes: 1)

    /// A simple balanced choice: the largest `PE · SIMD` with `PE | MH`, `SIMD | MW`, within
    /// the target's `maxProcessingElements` / `maxSimdLanes` and within an equal share of the
    /// fabric's DSP multiply-accumulates per engine (`dspSlices · multiplyAccumulatesPerDspSlice
    /// / engines`); ties go to the larger SIMD. Compilation uses ``DataflowFoldingPlan`` instead,
    /// which balances the pipeline under the whole fabric budget.
    ///
    /// - Parameters:
    ///   - matrixHeight: MH, output channels.
    ///   - matrixWidth: MW, the window length.
    ///   - engines: the number of matrix engines sharing the fabric (≥ 1).
    ///   - dataflow: the target's fabric budgets.
    public static func balanced(matrixHeight: Int, matrixWidth: Int, engines: Int, dataflow: DataflowSection) -> DataflowFolding {
        let share = max(1, dataflow.dspSlices.value * dataflow.multiplyAccumulatesPerDspSlice.value / max(engines, 1))
        let peLimit = dataflow.maxProcessingElements?.value ?? Int.max
        let simdLimit = dataflow.maxSimdLanes?.value ?? Int.max
        var best = DataflowFolding(processingElements: 1, simdLanes: 1)
        for pe in divisors(of: matrixHeight) where pe <= peLimit && pe <= share {
            for simd in divisors(of: matrixWidth) where simd <= simdLimit && pe * simd <= share {
                let product = pe * simd, bestProduct = best.processingElements * best.simdLanes
                if product > bestProduct || (product == bestProduct && simd > best.simdLanes) {
                    best = DataflowFolding(processingElements: pe, simdLanes: simd)
                }
            }
        }
        return best
    }

    /// The cycles per output pixel: `(MH/PE) · (MW/SIMD)`.
    public func cyclesPerPixel(matrixHeight: Int, matrixWidth: Int) -> Int {
        (matrixHeight / processingElements) * (matrixWidth / simdLanes)
    }

    static func divisors(of value: Int) -> [Int] {
        guard value > 0 else { return [1] }
        return (1...value).filter { value % $0 == 0 }
    }
}
