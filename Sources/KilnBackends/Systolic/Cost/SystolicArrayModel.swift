import KilnDiagnostics

/// Kiln's closed-form model of a SCALE-Sim v3 systolic array: per layer, the numbers SCALE-Sim
/// reports in `COMPUTE_REPORT.csv` and `DETAILED_ACCESS_REPORT.csv`, without simulating
/// cycle by cycle.
///
/// The model follows SCALE-Sim's own construction (sources under `scalesim/` in
/// `scalesim-project/scale-sim-v3`, pip package `scalesim` 3.0.0):
///
/// - **GEMM view** (`compute/operand_matrix.py`): `M = ofmapHeight × ofmapWidth`,
///   `K = filterHeight × filterWidth × channels`, `N = filters`; output sizes round a partial
///   last window up (`topology_utils.py`).
/// - **Spatio-temporal mapping** (`compute/systolic_compute_{os,ws,is}.py`, `set_params`):
///   os `(Sr, Sc, T) = (M, N, K)`, ws `(K, N, M)`, is `(K, M, N)`; folds
///   `ceil(Sr / rows) × ceil(Sc / columns)`.
/// - **Demand lines per fold**: os `T + rows + columns − 2`, ws and is
///   `2·rows + columns + T − 2`; SCALE-Sim's total cycles without stalls are
///   `folds × lines − 1` (`memory/double_buffered_scratchpad_mem.py`, the last serviced ofmap
///   line).
/// - **Mapping efficiency and compute utilization**: per-fold values averaged over folds in
///   SCALE-Sim's order (column folds outer, row folds inner), so the Doubles match bit for bit.
/// - **SRAM counts**, **DRAM counts and cycles** and **stalls**: see `docs/cost-models.md`,
///   section "Systolic arrays (SCALE-Sim)", for every formula and where it is exact.
///
/// - Complexity: O(folds) additions per layer (for bit-identical averages; a few microseconds
///   for typical layers), O(1) for everything else; above 2²⁰ folds the averages use the
///   closed form (equal up to rounding).
public struct SystolicArrayModel: Sendable {
    /// The array being modelled.
    public var configuration: SystolicArrayConfiguration

    /// Creates a model of one array.
    public init(configuration: SystolicArrayConfiguration) {
        self.configuration = configuration
    }

    /// The largest accepted layer dimension (so products of sizes stay far from overflow).
    public static let maximumDimension = 1 << 20

    /// Estimates one layer.
    /// - Parameter layer: the layer (a depthwise layer must already be split per channel).
    /// - Returns: SCALE-Sim's per-layer numbers.
    /// - Throws: ``DiagnosticError`` if a size is out of range or a product would overflow.
    public func estimate(_ layer: SystolicLayer) throws(DiagnosticError) -> SystolicLayerEstimate {
        let config = configuration
        let place = "layer '\(layer.name)'"
        func fail(_ message: String) -> DiagnosticError { DiagnosticError(.error(message, place: place)) }
        for (label, value) in [("IFMAP height", layer.ifmapHeight), ("IFMAP width", layer.ifmapWidth),
                               ("filter height", layer.filterHeight), ("filter width", layer.filterWidth),
                               ("channels", layer.channels), ("filters", layer.filterCount),
                               ("stride height", layer.strideHeight), ("stride width", layer.strideWidth)]
        where value < 1 || value > Self.maximumDimension {
            throw fail("\(label) must be in 1...\(Self.maximumDimension), found \(value)")
        }
        if layer.filterHeight > layer.ifmapHeight || layer.filterWidth > layer.ifmapWidth {
            throw fail("the filter (\(layer.filterHeight)×\(layer.filterWidth)) is larger than the input (\(layer.ifmapHeight)×\(layer.ifmapWidth))")
        }
        // SCALE-Sim rounds the output size up, so with a stride of at least the input's extent
        // the last window would start past the edge and read no input at all.
        for (label, extent, stride, outputs) in [("height", layer.ifmapHeight, layer.strideHeight, layer.ofmapHeight),
                                                 ("width", layer.ifmapWidth, layer.strideWidth, layer.ofmapWidth)]
        where (outputs - 1) * stride >= extent {
            throw fail("stride \(label) \(stride) is not smaller than the input \(label) \(extent): output \(outputs) of \(outputs) would start past the input's edge")
        }
        for (label, value) in [("rows", config.rows), ("columns", config.columns), ("ifmap SRAM KiB", config.ifmapSramKibibytes),
                               ("filter SRAM KiB", config.filterSramKibibytes), ("ofmap SRAM KiB", config.ofmapSramKibibytes)]
        where value < 1 || value > Int(Int32.max) {
            throw DiagnosticError(.error("array \(label) must be in 1...\(Int32.max), found \(value)"))
        }
        if let user = config.userBandwidth,
           [user.ifmapWordsPerCycle, user.filterWordsPerCycle, user.ofmapWordsPerCycle].contains(where: { $0 < 1 || $0 > Int(Int32.max) }) {
            throw DiagnosticError(.error("bandwidths must be in 1...\(Int32.max) words per cycle"))
        }

        var math = CheckedMath(place: place)
        let rows = config.rows, columns = config.columns
        let m = try math.multiply(layer.ofmapHeight, layer.ofmapWidth)
        let n = layer.filterCount
        let k = try math.multiply(try math.multiply(layer.filterHeight, layer.filterWidth), layer.channels)
        let (sr, sc, t): (Int, Int, Int)
        switch config.dataflow {
        case .os: (sr, sc, t) = (m, n, k)
        case .ws: (sr, sc, t) = (k, n, m)
        case .is: (sr, sc, t) = (k, m, n)
        }
        let rowFolds = (sr + rows - 1) / rows
        let columnFolds = (sc + columns - 1) / columns
        let folds = try math.multiply(rowFolds, columnFolds)
        let lastRows = sr - (rowFolds - 1) * rows
        let lastColumns = sc - (columnFolds - 1) * columns
        let processingElements = try math.multiply(rows, columns)

        // Demand lines per fold and the cycles SCALE-Sim divides by for compute utilization
        // (systolic_compute_*.py: prefix/suffix gaps plus the skew of rows + columns − 1).
        let linesPerFold: Int, utilizationCyclesPerFold: Int
        switch config.dataflow {
        case .os:
            linesPerFold = try math.add(t, rows + columns - 2)
            utilizationCyclesPerFold = linesPerFold
        case .ws, .is:
            linesPerFold = try math.add(t, 2 * rows + columns - 2)
            utilizationCyclesPerFold = try math.add(t, 2 * rows + 2 * columns - 3)
        }
        let computeCycles = try math.multiply(folds, linesPerFold) - 1

        let (mapping, utilization) = try averages(rowFolds: rowFolds, columnFolds: columnFolds, lastRows: lastRows,
                                                 lastColumns: lastColumns, temporal: t,
                                                 processingElements: processingElements,
                                                 utilizationCycles: utilizationCyclesPerFold, math: &math)

        // SRAM accesses: the sizes of the demand slices SCALE-Sim counts per fold.
        let mk = try math.multiply(m, k), kn = try math.multiply(k, n), mn = try math.multiply(m, n)
        let ifmapSramReads: Int, filterSramReads: Int, ofmapSramWrites: Int, ofmapValidWrites: Int
        switch config.dataflow {
        case .os:
            ifmapSramReads = try math.multiply(columnFolds, mk)
            filterSramReads = try math.multiply(rowFolds, kn)
            ofmapValidWrites = mn
            // systolic_compute_os.py adds shape[0] + shape[1] of each padded fold once more.
            ofmapSramWrites = try math.add(mn, try math.multiply(folds, rows + columns))
        case .ws:
            ifmapSramReads = try math.multiply(columnFolds, mk)
            filterSramReads = kn
            ofmapValidWrites = try math.multiply(rowFolds, mn)
            ofmapSramWrites = ofmapValidWrites
        case .is:
            ifmapSramReads = mk
            filterSramReads = try math.multiply(columnFolds, kn)
            ofmapValidWrites = try math.multiply(rowFolds, mn)
            ofmapSramWrites = ofmapValidWrites
        }

        // DRAM side (memory/*.py).
        let memory = try SystolicMemoryTraffic(layer: layer, configuration: config, rowFolds: rowFolds, columnFolds: columnFolds,
                                               m: m, k: k, n: n, ofmapWrites: ofmapValidWrites, computeCycles: computeCycles,
                                               math: &math)
        let totalCycles = try math.add(computeCycles, memory.stallCycles)
        let ofmapStart = totalCycles
        let ofmapStop = try math.add(ofmapStart, memory.ofmapDrainLines - 1)
        let firstRead = min(memory.ifmapCycles.lowerBound, memory.filterCycles.lowerBound)
        let macs = try math.multiply(mn, k)
        let overallDenominator = try math.multiply(totalCycles, processingElements)
        let overall = Double(try math.multiply(macs, 100)) / Double(overallDenominator)

        return SystolicLayerEstimate(
            layerName: layer.name, totalCyclesIncludingPrefetch: ofmapStop - firstRead, totalCycles: totalCycles,
            stallCycles: memory.stallCycles, overallUtilizationPercent: overall, mappingEfficiencyPercent: mapping * 100,
            computeUtilizationPercent: utilization * 100, multiplyAccumulates: macs, ifmapSramReads: ifmapSramReads,
            filterSramReads: filterSramReads, ofmapSramWrites: ofmapSramWrites, ifmapDramReads: memory.ifmapReads,
            filterDramReads: memory.filterReads, ofmapDramWrites: ofmapValidWrites, ifmapDramCycles: memory.ifmapCycles,
            filterDramCycles: memory.filterCycles, ofmapDramCycles: ofmapStart...ofmapStop, isMemoryModelExact: memory.isExact)
    }

    /// Estimates every layer in order.
    /// - Throws: ``DiagnosticError`` for the first layer that cannot be estimated.
    public func estimate(_ layers: [SystolicLayer]) throws(DiagnosticError) -> [SystolicLayerEstimate] {
        var estimates: [SystolicLayerEstimate] = []
        estimates.reserveCapacity(layers.count)
        for layer in layers { estimates.append(try estimate(layer)) }
        return estimates
    }

    /// Mean mapping efficiency and compute utilization over folds, summed in SCALE-Sim's order
    /// (`for fc in col folds: for fr in row folds`) so the result is bit-identical to Python's
    /// `sum(list) / len(list)`.
    private func averages(rowFolds: Int, columnFolds: Int, lastRows: Int, lastColumns: Int, temporal: Int,
                          processingElements: Int, utilizationCycles: Int,
                          math: inout CheckedMath) throws(DiagnosticError) -> (Double, Double) {
        let rows = configuration.rows, columns = configuration.columns
        let peDouble = Double(processingElements)
        let utilizationDenominator = Double(try math.multiply(processingElements, utilizationCycles))
        func fractions(_ usedRows: Int, _ usedColumns: Int) throws(DiagnosticError) -> (Double, Double) {
            let used = usedRows * usedColumns
            return (Double(used) / peDouble, Double(try math.multiply(used, temporal)) / utilizationDenominator)
        }
        let fullFull = try fractions(rows, columns), lastRow = try fractions(lastRows, columns)
        let lastColumn = try fractions(rows, lastColumns), lastBoth = try fractions(lastRows, lastColumns)
        let folds = Double(rowFolds) * Double(columnFolds)
        if rowFolds * columnFolds > 1 << 20 {
            let full = Double(rowFolds - 1) * Double(columnFolds - 1)
            let mapping = full * fullFull.0 + Double(columnFolds - 1) * lastRow.0 + Double(rowFolds - 1) * lastColumn.0 + lastBoth.0
            let utilization = full * fullFull.1 + Double(columnFolds - 1) * lastRow.1 + Double(rowFolds - 1) * lastColumn.1 + lastBoth.1
            return (mapping / folds, utilization / folds)
        }
        var mapping = 0.0, utilization = 0.0
        for columnFold in 0..<columnFolds {
            let lastC = columnFold == columnFolds - 1
            let body = lastC ? lastColumn : fullFull
            let tail = lastC ? lastBoth : lastRow
            for _ in 0..<(rowFolds - 1) {
                mapping += body.0
                utilization += body.1
            }
            mapping += tail.0
            utilization += tail.1
        }
        return (mapping / folds, utilization / folds)
    }
}
