/// The int8 GEMM engine behind every SIMD conv2d / dense / matmul kernel: weights packed once
/// into column blocks of 16, a register-tiled micro-kernel over 4 rows × 16 columns, and the
/// zero-point correction of the target's arithmetic.
///
/// Operands arrive already in the hardware encoding (activations as the bytes the instruction
/// reads, weights as signed bytes), widened to `Int16`: every 8-bit × 8-bit product is exact in
/// int16, so the simulator's inner loop multiplies eight lanes per `pmullw` on baseline SSE2 and
/// sums each depth pair into int32 (no `-target-cpu` needed). The micro-kernel computes the raw sum `Σ_k a_k·s_k`, either exactly
/// (sdot, vpdpbusd, the widening Arm kernels) or with each adjacent pair `(2p, 2p+1)` saturated
/// to int16 first (vpmaddubsw). The epilogue adds `bias − za·Σs + K·za·zs` per column and
/// subtracts `zs·Σa` per row when weights have zero points (docs/numerics.md, "Accumulation").
enum Int8GEMM {
    /// Columns per packed block (one register tile's width in the simulator).
    static let blockColumns = 16
    /// Rows of the simulator's register tile.
    static let blockRows = 4

    /// Weights packed `[columnBlock][paddedDepth / 2][16][2]`, with the per-column constants.
    struct PackedWeights: Sendable {
        /// The reduction length K.
        let depth: Int
        /// K rounded up to a multiple of 4 (the dot-product step; padding is zero).
        let paddedDepth: Int
        /// The number of output columns N.
        let columns: Int
        /// `ceil(N / 16)`.
        let columnBlocks: Int
        /// Signed weight bytes as int16 in pair layout `[block][k / 2][16 columns][2]` (depth k and
        /// k + 1 of a column side by side, the shape `pmaddwd` / `vpmaddubsw` consume).
        let values: [Int16]
        /// `bias − za·Σ_k s_k + K·za·zs` per column (wrapping int32).
        let columnConstants: [Int32]
        /// The signed weight zero point `zs` per column.
        let signedZeros: [Int32]
        /// Whether any column has a nonzero `zs` (then row sums are needed).
        let needsRowSums: Bool
        /// Whether some weight byte is −128 (the widening Arm kernels then cannot pair products).
        let hasMinus128: Bool

        /// Packs `weight(k, n)` (already signed bytes) for activations with encoded zero point `za`.
        init(depth: Int, columns: Int, firstZero za: Int32, signedZeros: [Int32], bias: (Int) -> Int32,
             weight: (Int, Int) -> Int32) {
            self.depth = depth
            self.columns = columns
            paddedDepth = (depth + 3) / 4 * 4
            columnBlocks = (columns + Self.width - 1) / Self.width
            var values = [Int16](repeating: 0, count: columnBlocks * paddedDepth * Self.width)
            var sums = [Int32](repeating: 0, count: columns)
            var minus128 = false
            for n in 0..<columns {
                let block = n / Self.width, lane = n % Self.width
                for k in 0..<depth {
                    let s = weight(k, n)
                    values[block * paddedDepth * Self.width + (k / 2) * 2 * Self.width + lane * 2 + k % 2] = Int16(truncatingIfNeeded: s)
                    sums[n] &+= s
                    if s == -128 { minus128 = true }
                }
            }
            self.values = values
            self.signedZeros = signedZeros
            needsRowSums = signedZeros.contains { $0 != 0 }
            hasMinus128 = minus128
            let count = Int32(truncatingIfNeeded: depth)
            columnConstants = (0..<columns).map { n in
                bias(n) &- za &* sums[n] &+ count &* za &* signedZeros[n]
            }
        }

        private static var width: Int { Int8GEMM.blockColumns }
    }

    /// `output[m][n] = raw(m, n) + columnConstants[n] − zs[n]·Σ_k a[m][k]`, before requantization.
    /// - Parameters:
    ///   - rows: M.
    ///   - a: M rows of `paddedDepth` encoded activations as int16 (the depth padding must be 0).
    ///   - saturatingPairs: whether adjacent products saturate to int16 before accumulation.
    ///   - output: M × N int32 accumulators, row-major.
    static func multiply(rows: Int, a: UnsafePointer<Int16>, weights: PackedWeights, saturatingPairs: Bool,
                         output: UnsafeMutablePointer<Int32>) {
        if saturatingPairs {
            multiply(rows: rows, a: a, weights: weights, output: output, SaturatingPairs.self)
        } else {
            multiply(rows: rows, a: a, weights: weights, output: output, ExactPairs.self)
        }
        guard weights.needsRowSums else { return }
        for m in 0..<rows {
            var sum: Int32 = 0
            for k in 0..<weights.depth { sum &+= Int32(a[m * weights.paddedDepth + k]) }
            for n in 0..<weights.columns { output[m * weights.columns + n] &-= weights.signedZeros[n] &* sum }
        }
    }

    /// Four columns × one depth pair of int16 values: lane `2j` is depth k, lane `2j + 1` depth k + 1.
    typealias Pairs = SIMD8<Int16>
    /// Four int32 accumulators.
    typealias Lanes = SIMD4<Int32>

    /// How the two products of a depth pair enter the int32 accumulator. The products are exact in
    /// int16 (8-bit × 8-bit), so `pmullw` forms them and the pair is summed in int32.
    protocol PairSum {
        static func combine(_ products: Pairs) -> Lanes
    }
    /// Exact: the pair sum as is.
    enum ExactPairs: PairSum {
        @inline(__always) static func combine(_ products: Pairs) -> Lanes {
            let words = unsafeBitCast(products, to: Lanes.self)
            return ((words &<< 16) &>> 16) &+ (words &>> 16)
        }
    }
    /// vpmaddubsw: the pair sum saturated to int16.
    enum SaturatingPairs: PairSum {
        @inline(__always) static func combine(_ products: Pairs) -> Lanes {
            ExactPairs.combine(products).clamped(lowerBound: Lanes(repeating: -32768), upperBound: Lanes(repeating: 32767))
        }
    }

    /// The simulator's register tile: 4 rows × 8 columns (8 SSE2 accumulators, so the baseline
    /// x86-64 build keeps the tile in registers), over the 16-column packed blocks.
    private static let tileColumns = 8

    private static func multiply<Mode: PairSum>(rows: Int, a: UnsafePointer<Int16>, weights: PackedWeights,
                                                output: UnsafeMutablePointer<Int32>, _ mode: Mode.Type) {
        let depth = weights.paddedDepth, columns = weights.columns
        weights.values.withUnsafeBufferPointer { packed in
            weights.columnConstants.withUnsafeBufferPointer { constants in
                for block in 0..<weights.columnBlocks {
                    for half in 0..<(blockColumns / tileColumns) {
                        let firstColumn = block * blockColumns + half * tileColumns
                        guard firstColumn < columns else { break }
                        // Pair layout: [k / 2][16 columns][2]; this half starts 8 columns × 2 in.
                        let b = UnsafeRawPointer(packed.baseAddress! + block * depth * blockColumns + half * tileColumns * 2)
                        let width = min(tileColumns, columns - firstColumn)
                        var constant0 = Lanes(repeating: 0), constant1 = Lanes(repeating: 0)
                        for lane in 0..<min(width, 4) { constant0[lane] = constants[firstColumn + lane] }
                        for lane in 4..<max(width, 4) { constant1[lane - 4] = constants[firstColumn + lane] }
                        let rowStride = depth * 2   // bytes
                        var m = 0
                        // 4 × 8 register tile.
                        while m + blockRows <= rows {
                            let a0 = UnsafeRawPointer(a + m * depth), a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride
                            var c00 = constant0, c01 = constant1, c10 = constant0, c11 = constant1
                            var c20 = constant0, c21 = constant1, c30 = constant0, c31 = constant1
                            var k = 0
                            while k < depth {
                                let w = b + k * blockColumns * 2
                                let w0 = w.loadUnaligned(as: Pairs.self), w1 = w.loadUnaligned(fromByteOffset: 16, as: Pairs.self)
                                let x0 = broadcast(a0, k), x1 = broadcast(a1, k), x2 = broadcast(a2, k), x3 = broadcast(a3, k)
                                c00 &+= Mode.combine(x0 &* w0); c01 &+= Mode.combine(x0 &* w1)
                                c10 &+= Mode.combine(x1 &* w0); c11 &+= Mode.combine(x1 &* w1)
                                c20 &+= Mode.combine(x2 &* w0); c21 &+= Mode.combine(x2 &* w1)
                                c30 &+= Mode.combine(x3 &* w0); c31 &+= Mode.combine(x3 &* w1)
                                k += 2
                            }
                            store(c00, c01, output + m * columns + firstColumn, width)
                            store(c10, c11, output + (m + 1) * columns + firstColumn, width)
                            store(c20, c21, output + (m + 2) * columns + firstColumn, width)
                            store(c30, c31, output + (m + 3) * columns + firstColumn, width)
                            m += blockRows
                        }
                        // Remaining rows one at a time.
                        while m < rows {
                            let a0 = UnsafeRawPointer(a + m * depth)
                            var c00 = constant0, c01 = constant1
                            var k = 0
                            while k < depth {
                                let w = b + k * blockColumns * 2
                                let x0 = broadcast(a0, k)
                                c00 &+= Mode.combine(x0 &* w.loadUnaligned(as: Pairs.self))
                                c01 &+= Mode.combine(x0 &* w.loadUnaligned(fromByteOffset: 16, as: Pairs.self))
                                k += 2
                            }
                            store(c00, c01, output + m * columns + firstColumn, width)
                            m += 1
                        }
                    }
                }
            }
        }
    }

    /// The activation pair (k, k + 1) of a row in every 32-bit lane.
    @inline(__always)
    private static func broadcast(_ row: UnsafeRawPointer, _ k: Int) -> Pairs {
        unsafeBitCast(Lanes(repeating: row.loadUnaligned(fromByteOffset: 2 * k, as: Int32.self)), to: Pairs.self)
    }

    @inline(__always)
    private static func store(_ low: Lanes, _ high: Lanes, _ destination: UnsafeMutablePointer<Int32>, _ width: Int) {
        if width == tileColumns {
            UnsafeMutableRawPointer(destination).storeBytes(of: low, as: Lanes.self)
            UnsafeMutableRawPointer(destination).storeBytes(of: high, toByteOffset: 16, as: Lanes.self)
        } else {
            for lane in 0..<width { destination[lane] = lane < 4 ? low[lane] : high[lane - 4] }
        }
    }
}
