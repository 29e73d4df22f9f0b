import KilnDiagnostics

/// The DRAM side of one layer in SCALE-Sim's double-buffered SRAM model
/// (`scalesim/memory/double_buffered_scratchpad_mem.py` and the buffers it uses), in closed form.
///
/// Each SRAM is split in halves (`active_buf_frac = 0.5`, `single_layer_sim.py`). Exact when
/// every operand's DRAM traffic fits its active half and the ofmap writes fit the drain half:
/// then no read ever misses, nothing is evicted and the ofmap drains once, after compute.
/// Outside that regime the counts, cycles and stalls are estimates (``isExact`` is false).
struct SystolicMemoryTraffic {
    /// Words read from DRAM into the ifmap SRAM.
    var ifmapReads: Int
    /// Words read from DRAM into the filter SRAM.
    var filterReads: Int
    /// First and last ifmap DRAM read cycle.
    var ifmapCycles: ClosedRange<Int>
    /// First and last filter DRAM read cycle.
    var filterCycles: ClosedRange<Int>
    /// DRAM write lines of the final ofmap drain (one per cycle).
    var ofmapDrainLines: Int
    /// Cycles the array waits for DRAM.
    var stallCycles: Int
    /// Whether all of the above equal SCALE-Sim's simulation.
    var isExact: Bool

    init(layer: SystolicLayer, configuration config: SystolicArrayConfiguration, rowFolds: Int, columnFolds: Int,
         m: Int, k: Int, n: Int, ofmapWrites: Int, computeCycles: Int, math: inout CheckedMath) throws(DiagnosticError) {
        var exact = true
        var stalls = 0
        if let user = config.userBandwidth {
            // USER mode (memory/read_buffer.py): the prefetch matrix, -1 padding included, is
            // fetched in lines of `bandwidth` words; the first active-half's worth before cycle 0.
            let rows = config.rows, columns = config.columns
            let ifmapVolume: Int, filterVolume: Int
            switch config.dataflow {
            case .os:
                ifmapVolume = try math.multiply(try math.multiply(rowFolds, k), rows)
                filterVolume = try math.multiply(try math.multiply(columnFolds, k), columns)
            case .ws:
                ifmapVolume = try math.multiply(try math.multiply(rowFolds, m), rows)
                filterVolume = try math.multiply(try math.multiply(columnFolds, k), columns)
            case .is:
                ifmapVolume = try math.multiply(try math.multiply(columnFolds, k), columns)
                filterVolume = try math.multiply(try math.multiply(rowFolds, n), rows)
            }
            let ifmap = try Self.userPrefetch(volume: ifmapVolume, bandwidth: user.ifmapWordsPerCycle,
                                              kibibytes: config.ifmapSramKibibytes, computeCycles: computeCycles, math: &math)
            let filter = try Self.userPrefetch(volume: filterVolume, bandwidth: user.filterWordsPerCycle,
                                               kibibytes: config.filterSramKibibytes, computeCycles: computeCycles, math: &math)
            ifmapReads = ifmap.reads
            filterReads = filter.reads
            ifmapCycles = ifmap.cycles
            filterCycles = filter.cycles
            stalls = max(ifmap.stalls, filter.stalls)
            exact = ifmap.exact && filter.exact
        } else {
            // CALC mode (memory/read_buffer_estimate_bw.py): every distinct address is fetched
            // once into sets of floor(size / 100) words; the whole footprint is prefetched at
            // 10 words per cycle, ending at cycle -1. Reads never stall.
            let touchedRows = Self.touched(extent: layer.ifmapHeight, filter: layer.filterHeight,
                                           stride: layer.strideHeight, outputs: layer.ofmapHeight)
            let touchedColumns = Self.touched(extent: layer.ifmapWidth, filter: layer.filterWidth,
                                              stride: layer.strideWidth, outputs: layer.ofmapWidth)
            let ifmapDistinct = try math.multiply(try math.multiply(touchedRows, touchedColumns), layer.channels)
            let filterDistinct = try math.multiply(k, n)
            let ifmap = try Self.estimatedPrefetch(distinct: ifmapDistinct, kibibytes: config.ifmapSramKibibytes, math: &math)
            let filter = try Self.estimatedPrefetch(distinct: filterDistinct, kibibytes: config.filterSramKibibytes, math: &math)
            ifmapReads = ifmapDistinct
            filterReads = filterDistinct
            ifmapCycles = ifmap.cycles
            filterCycles = filter.cycles
            exact = ifmap.exact && filter.exact
        }
        // Ofmap (memory/write_buffer.py): lines of `bandwidth` words, drained one per cycle
        // from the last compute cycle on; CALC drains at ArrayWidth words per cycle.
        let drainBandwidth = config.userBandwidth?.ofmapWordsPerCycle ?? config.columns
        let ofmapTotal = try math.multiply(config.ofmapSramKibibytes, 1024)
        let drainHalf = ofmapTotal - (ofmapTotal + 1) / 2
        ofmapDrainLines = math.ceilingDivide(ofmapWrites, drainBandwidth)
        if ofmapWrites > drainHalf {
            exact = false
            // Draining during compute: the part that does not fit the drain half must leave at
            // the drain bandwidth while the array computes.
            let streamed = math.ceilingDivide(ofmapWrites - drainHalf, drainBandwidth)
            stalls = max(stalls, streamed - computeCycles)
            ofmapDrainLines = math.ceilingDivide(min(ofmapWrites, drainHalf), drainBandwidth)
        }
        stallCycles = max(0, stalls)
        isExact = exact
    }

    /// Rows (or columns) of the input touched by `outputs` windows of `filter` at `stride`,
    /// clipped to the input (windows past the edge read nothing, `operand_matrix.py`).
    static func touched(extent: Int, filter: Int, stride: Int, outputs: Int) -> Int {
        let lastStart = (outputs - 1) * stride
        if stride >= filter { return (outputs - 1) * filter + min(filter, extent - lastStart) }
        return min(extent, lastStart + filter)
    }

    /// CALC-mode prefetch of `distinct` words: the cycles `-ceil(sets × setSize / 10) ... -1`.
    static func estimatedPrefetch(distinct: Int, kibibytes: Int,
                                  math: inout CheckedMath) throws(DiagnosticError) -> (cycles: ClosedRange<Int>, exact: Bool) {
        let setSize = try math.multiply(kibibytes, 1024) / 100
        let sets = math.ceilingDivide(distinct, setSize)
        let lines = math.ceilingDivide(try math.multiply(sets, setSize), 10)
        // Beyond 50 sets the active half turns over and addresses may be fetched again.
        return (-lines ... -1, distinct < 50 * setSize)
    }

    /// USER-mode prefetch of a `volume`-word prefetch matrix at `bandwidth` words per cycle.
    static func userPrefetch(volume: Int, bandwidth: Int, kibibytes: Int, computeCycles: Int,
                             math: inout CheckedMath) throws(DiagnosticError) -> (reads: Int, cycles: ClosedRange<Int>, stalls: Int, exact: Bool) {
        let total = try math.multiply(kibibytes, 1024)
        let active = (total + 1) / 2
        let lines = math.ceilingDivide(volume, bandwidth)
        let reads = try math.multiply(lines, bandwidth)
        if reads <= active { return (reads, -lines ... -1, 0, true) }
        // Does not fit: the active half is prefetched before cycle 0, the rest streams during
        // compute at `bandwidth`; the array stalls for whatever does not overlap.
        let activeLines = math.ceilingDivide(active, bandwidth)
        let streamedLines = lines - activeLines
        return (reads, -activeLines ... max(-1, streamedLines - 1), max(0, streamedLines - computeCycles), false)
    }
}
