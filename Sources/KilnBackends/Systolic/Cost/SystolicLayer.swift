/// One layer as SCALE-Sim maps it onto a systolic array: a convolution (or GEMM) shape.
///
/// A convolution becomes the GEMM `M × K` by `K × N` with `M` output pixels per filter,
/// `K = filterHeight × filterWidth × channels` (the window) and `N` filters
/// (`scalesim/compute/operand_matrix.py`). A GEMM `M, N, K` is the convolution with an
/// `M × K` input, a `1 × K` filter, one channel and `N` filters (`topology_utils.py`,
/// `load_arrays_gemm`); ``gemm(name:m:n:k:)`` builds it. A depthwise layer is `channels`
/// single-channel layers (SCALE-Sim expands names containing `DP`), estimated one by one.
public struct SystolicLayer: Sendable, Hashable {
    /// The layer's name.
    public var name: String
    /// Input height in pixels.
    public var ifmapHeight: Int
    /// Input width in pixels.
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
    /// Horizontal stride.
    public var strideWidth: Int

    /// Creates a convolution layer. Sizes are validated by ``SystolicArrayModel/estimate(_:)``.
    public init(name: String, ifmapHeight: Int, ifmapWidth: Int, filterHeight: Int, filterWidth: Int,
                channels: Int, filterCount: Int, strideHeight: Int, strideWidth: Int) {
        self.name = name
        self.ifmapHeight = ifmapHeight
        self.ifmapWidth = ifmapWidth
        self.filterHeight = filterHeight
        self.filterWidth = filterWidth
        self.channels = channels
        self.filterCount = filterCount
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
    }

    /// A GEMM `M × K` by `K × N`, mapped the way SCALE-Sim maps its GEMM topology rows.
    public static func gemm(name: String, m: Int, n: Int, k: Int) -> SystolicLayer {
        SystolicLayer(name: name, ifmapHeight: m, ifmapWidth: k, filterHeight: 1, filterWidth: k,
                      channels: 1, filterCount: n, strideHeight: 1, strideWidth: 1)
    }

    /// Output height: `ceil((H − Fh + Sh) / Sh)`, SCALE-Sim's rounding *up* of a partial last
    /// window (`topology_utils.py`, `topo_calc_hyperparams`). Assumes validated sizes.
    public var ofmapHeight: Int { (ifmapHeight - filterHeight + 2 * strideHeight - 1) / strideHeight }
    /// Output width: `ceil((W − Fw + Sw) / Sw)`.
    public var ofmapWidth: Int { (ifmapWidth - filterWidth + 2 * strideWidth - 1) / strideWidth }
}
