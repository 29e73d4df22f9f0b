import KilnHostKernels

/// The operands of one `kiln_pair_gemm` product, shared by the threads that compute its column
/// blocks: where the rows of the left operand are (explicit rows, or taps read in place) and
/// where the accumulators go (row-major, or channel-major planes). Each thread writes only its
/// own columns, and every pointer outlives the call that shares it.
public struct HostGEMMOperands: @unchecked Sendable {
    /// The left operand's rows.
    public var rows: kiln_gemm_rows
    /// The output and its strides.
    public var output: kiln_gemm_output

    /// Shares `rows` and `output` with the threads of one product.
    public init(rows: kiln_gemm_rows, output: kiln_gemm_output) {
        self.rows = rows
        self.output = output
    }

    /// Computes the column blocks `blocks` (16 columns each) of every row with `kiln_pair_gemm`
    /// at `level`: `output(m, n) = constants[n] + Σ pair sums` (include/KilnHostKernels.h).
    public func multiply(level: kiln_pair_gemm_level, rowCount: Int, packed: UnsafePointer<Int16>, packedDepth: Int, columns: Int,
                         constants: UnsafePointer<Int32>, blocks: Range<Int>, saturating: Bool) {
        var rows = rows, output = output
        kiln_pair_gemm(level, rowCount, &rows, packed, packedDepth, columns, constants, blocks.lowerBound, blocks.upperBound,
                       saturating ? 1 : 0, &output)
    }
}
