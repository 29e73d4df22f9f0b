/// One layer of a SCALE-Sim topology: shapes only, for cost estimation.
///
/// SCALE-Sim describes a convolution by its input size, filter size, channel and filter counts
/// and strides (`scalesim/topology_utils.py`, `topologies.load_arrays_conv`). A GEMM topology row
/// `M, N, K` becomes the convolution `M × K` input, `1 × K` filter, one channel, `N` filters,
/// stride 1 (`topologies.load_arrays_gemm`), so every row is represented the same way.
public struct ScaleSimLayerShape: Sendable, Hashable {
    /// The layer name; depthwise layers expanded per channel carry SCALE-Sim's
    /// `<name>Channel_<c>` suffix.
    public var name: String
    /// Input feature-map height in pixels.
    public var ifmapHeight: Int
    /// Input feature-map width in pixels.
    public var ifmapWidth: Int
    /// Filter height in pixels.
    public var filterHeight: Int
    /// Filter width in pixels.
    public var filterWidth: Int
    /// Input channels.
    public var channels: Int
    /// Filters (output channels).
    public var filterCount: Int
    /// Vertical stride.
    public var strideHeight: Int
    /// Horizontal stride (SCALE-Sim repeats the one stride column).
    public var strideWidth: Int
    /// The `N` of an optional `N:M` structured-sparsity column (1 when absent).
    public var sparsityNonZero: Int
    /// The `M` of an optional `N:M` structured-sparsity column (1 when absent).
    public var sparsityBlock: Int
    /// The 1-based line of the topology file this layer came from.
    public var line: Int

    /// Creates a layer shape. Sizes are taken as given; the reader checks them.
    public init(name: String, ifmapHeight: Int, ifmapWidth: Int, filterHeight: Int, filterWidth: Int,
                channels: Int, filterCount: Int, strideHeight: Int, strideWidth: Int,
                sparsityNonZero: Int = 1, sparsityBlock: Int = 1, line: Int = 0) {
        self.name = name
        self.ifmapHeight = ifmapHeight
        self.ifmapWidth = ifmapWidth
        self.filterHeight = filterHeight
        self.filterWidth = filterWidth
        self.channels = channels
        self.filterCount = filterCount
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.sparsityNonZero = sparsityNonZero
        self.sparsityBlock = sparsityBlock
        self.line = line
    }

    /// Output height as SCALE-Sim computes it: `ceil((H − Fh + Sh) / Sh)`, which rounds a
    /// partial last window *up* (`topologies.topo_calc_hyperparams`).
    public var ofmapHeight: Int { (ifmapHeight - filterHeight + strideHeight + strideHeight - 1) / strideHeight }
    /// Output width: `ceil((W − Fw + Sw) / Sw)`.
    public var ofmapWidth: Int { (ifmapWidth - filterWidth + strideWidth + strideWidth - 1) / strideWidth }
}
