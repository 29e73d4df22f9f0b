/// One row of a SCALE-Sim topology: the systolic family's own layer shape plus what only the
/// file has (the structured-sparsity column and the line it came from).
///
/// SCALE-Sim describes a convolution by its input size, filter size, channel and filter counts
/// and strides (`scalesim/topology_utils.py`, `topologies.load_arrays_conv`). A GEMM topology row
/// `M, N, K` becomes the convolution `M × K` input, `1 × K` filter, one channel, `N` filters,
/// stride 1 (`topologies.load_arrays_gemm`, ``SystolicLayer/gemm(name:m:n:k:)``), so every row is
/// represented the same way.
public struct ScaleSimLayerShape: Sendable, Hashable {
    /// The layer's shape; depthwise layers expanded per channel carry SCALE-Sim's
    /// `<name>Channel_<c>` suffix in its name.
    public var layer: SystolicLayer
    /// The `N` of an optional `N:M` structured-sparsity column (1 when absent).
    public var sparsityNonZero: Int
    /// The `M` of an optional `N:M` structured-sparsity column (1 when absent).
    public var sparsityBlock: Int
    /// The 1-based line of the topology file this layer came from.
    public var line: Int

    /// Creates a row. Sizes are taken as given; the reader checks them.
    public init(layer: SystolicLayer, sparsityNonZero: Int = 1, sparsityBlock: Int = 1, line: Int = 0) {
        self.layer = layer
        self.sparsityNonZero = sparsityNonZero
        self.sparsityBlock = sparsityBlock
        self.line = line
    }
}
