import KilnTargets

/// How one GEMM `C[M×N] = A[M×K] · B[K×N]` maps onto a rows × columns systolic array, with
/// SCALE-Sim's fold structure and SRAM access counts (in words).
///
/// SCALE-Sim's operand matrices: the ifmap matrix is `M` output pixels × `K` window elements,
/// the filter matrix `K × N` filters. Per dataflow:
///
/// | dataflow | array rows ← | array columns ← | streamed | ifmap reads | filter reads | ofmap writes |
/// |---|---|---|---|---|---|---|
/// | ws | K | N | M | M·K·⌈N/cols⌉ | K·N | M·N·⌈K/rows⌉ |
/// | os | M | N | K | M·K·⌈N/cols⌉ | K·N·⌈M/rows⌉ | M·N |
/// | is | K | M | N | M·K | K·N·⌈M/cols⌉ | M·N·⌈K/rows⌉ |
///
/// The ws row matches `systolic_compute_ws` of SCALE-Sim v2 (reads summed per fold); os and is
/// follow the same per-fold logic (not yet checked against SCALE-Sim's numbers).
struct SystolicTiling: Sendable, Hashable {
    /// Output rows (pixels), reduction depth, output columns (filters).
    public let m: Int, k: Int, n: Int
    /// Array rows and columns.
    public let rows: Int, columns: Int
    /// The dataflow.
    public let dataflow: SystolicSection.Dataflow

    /// Creates the tiling.
    public init(m: Int, k: Int, n: Int, rows: Int, columns: Int, dataflow: SystolicSection.Dataflow) {
        self.m = m; self.k = k; self.n = n
        self.rows = max(rows, 1); self.columns = max(columns, 1)
        self.dataflow = dataflow
    }

    /// The GEMM dimension mapped to the array's rows, to its columns, and the streamed one.
    public var mapping: (rows: Int, columns: Int, streamed: Int) {
        switch dataflow {
        case .ws: (k, n, m)
        case .os: (m, n, k)
        case .is: (k, m, n)
        }
    }

    /// Row folds and column folds.
    public var folds: (rows: Int, columns: Int) {
        let map = mapping
        return ((map.rows + rows - 1) / rows, (map.columns + columns - 1) / columns)
    }

    /// SRAM reads of the ifmap buffer, in words.
    public var ifmapReads: Int {
        switch dataflow {
        case .ws, .os: m * k * folds.columns
        case .is: m * k
        }
    }

    /// SRAM reads of the filter buffer, in words.
    public var filterReads: Int {
        switch dataflow {
        case .ws: k * n
        case .os: k * n * folds.rows
        case .is: k * n * folds.columns
        }
    }

    /// SRAM writes of the ofmap buffer, in words (partial sums of every row fold).
    public var ofmapWrites: Int {
        switch dataflow {
        case .ws, .is: m * n * folds.rows
        case .os: m * n
        }
    }
}
