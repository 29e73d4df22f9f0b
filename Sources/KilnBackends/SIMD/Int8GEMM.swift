import KilnHostKernels
import KilnInterpreter

/// The int8 GEMM engine behind every SIMD conv2d / dense / matmul kernel: weights packed once
/// into column blocks of 16, a register-tiled micro-kernel over 4 rows × 8 columns, and the
/// zero-point correction of the target's arithmetic.
///
/// Operands arrive already in the hardware encoding (activations as the bytes the instruction
/// reads, weights as signed bytes), widened to `Int16`: every 8-bit × 8-bit product is exact in
/// int16 and every adjacent pair sum exact in int32, so the simulator's inner loop multiplies 16
/// lanes in int16 and sums each depth pair in int32 (``PairSum``). The micro-kernel computes
/// the raw sum `Σ_k a_k·s_k`, either exactly
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
        /// The same weights as signed bytes in quad layout `[block][paddedDepth / 4][16 columns][4]`
        /// (the shape `vpdpbusd` consumes), packed only on an AVX-512 VNNI host; empty elsewhere.
        let quads: [Int8]

        /// Packs `weight(k, n)` (already signed bytes) for activations with encoded zero point `za`.
        init(depth: Int, columns: Int, firstZero za: Int32, signedZeros: [Int32], bias: (Int) -> Int32,
             weight: (Int, Int) -> Int32) {
            self.depth = depth
            self.columns = columns
            paddedDepth = (depth + 3) / 4 * 4
            columnBlocks = (columns + Self.width - 1) / Self.width
            var values = [Int16](repeating: 0, count: columnBlocks * paddedDepth * Self.width)
            // The quad layout, on AVX-512 VNNI hosts only, written in the same pass.
            let packsQuads = HostVectorKernels.level == KILN_PAIR_GEMM_AVX512_VNNI
            var quads = [Int8](repeating: 0, count: packsQuads ? values.count : 0)
            var sums = [Int32](repeating: 0, count: columns)
            var minus128 = false, bytes = true
            let width = Self.width, blockLength = paddedDepth * width
            values.withUnsafeMutableBufferPointer { values in
                quads.withUnsafeMutableBufferPointer { quads in
                    for n in 0..<columns {
                        // Column n's lane of its block: depth k at pair (k / 2, k % 2), quad (k / 4, k % 4).
                        let pairs = values.baseAddress! + (n / width) * blockLength + (n % width) * 2
                        let quadLane = packsQuads ? quads.baseAddress! + (n / width) * blockLength + (n % width) * 4 : nil
                        var sum: Int32 = 0
                        for k in 0..<depth {
                            let s = weight(k, n)
                            pairs[(k >> 1) * 2 * width + (k & 1)] = Int16(truncatingIfNeeded: s)
                            quadLane?[(k >> 2) * 4 * width + (k & 3)] = Int8(truncatingIfNeeded: s)
                            sum &+= s
                            if s == -128 { minus128 = true }
                            if s < -128 || s > 127 { bytes = false }
                        }
                        sums[n] = sum
                    }
                }
            }
            self.values = values
            self.quads = bytes ? quads : []
            self.signedZeros = signedZeros
            needsRowSums = signedZeros.contains { $0 != 0 }
            hasMinus128 = minus128
            let count = Int32(truncatingIfNeeded: depth)
            columnConstants = (0..<columns).map { n in
                bias(n) &- za &* sums[n] &+ count &* za &* signedZeros[n]
            }
        }

        /// Runs `kiln_pair_gemm` at `level` over the column blocks `blocks` of these weights.
        func multiply(_ operands: HostGEMMOperands, level: kiln_pair_gemm_level, rowCount: Int, blocks: Range<Int>, saturatingPairs: Bool) {
            values.withUnsafeBufferPointer { packed in
                columnConstants.withUnsafeBufferPointer { constants in
                    operands.multiply(level: level, rowCount: rowCount, packed: packed.baseAddress!, packedDepth: paddedDepth, columns: columns,
                                      constants: constants.baseAddress!, blocks: blocks, saturating: saturatingPairs)
                }
            }
        }

        private static var width: Int { Int8GEMM.blockColumns }
    }

    /// Which loop computes the raw sums; every route gives the same int32 results.
    enum Route: Sendable, Equatable, CustomStringConvertible {
        /// One accumulator at a time in scalar arithmetic (for debug builds without host kernels).
        case scalar
        /// Swift's SIMD types in a 4 × 8 register tile (any host).
        case portable
        /// `KilnHostKernels`' C kernel at an instruction-set level the CPU has (`vpdpwssd` /
        /// `vpmaddwd` over 16-column blocks), chosen at run time from CPUID.
        case host(kiln_pair_gemm_level)

        /// The widest host kernel this CPU supports, else the portable tile (the scalar loop in a
        /// debug build, where Swift's SIMD arithmetic is not specialized; the C kernels are).
        static let `default`: Route = available.first!

        /// Every route this machine can run, fastest first (tests compare them all).
        static var available: [Route] {
            let levels = HostVectorKernels.levels.map(Route.host)
            #if DEBUG
            return levels + [.scalar, .portable]
            #else
            return levels + [.portable, .scalar]
            #endif
        }

        var description: String {
            switch self {
            case .scalar: "scalar"
            case .portable: "portable"
            case .host(let level): level == KILN_PAIR_GEMM_AVX512_VNNI ? "AVX-512 VNNI" : "AVX2"
            }
        }
    }

    /// `output[m][n] = raw(m, n) + columnConstants[n] − zs[n]·Σ_k a[m][k]`, before requantization.
    /// - Parameters:
    ///   - rows: M.
    ///   - a: M rows of `paddedDepth` encoded activations as int16 (the depth padding must be 0).
    ///   - saturatingPairs: whether adjacent products saturate to int16 before accumulation.
    ///   - output: M × N int32 accumulators, row-major.
    ///   - threads: how many threads may share the columns (each output element is computed by
    ///     one of them in one fixed order, so the result does not depend on it).
    ///   - route: the loop that computes the raw sums (``Route/default``).
    static func multiply(rows: Int, a: UnsafePointer<Int16>, weights: PackedWeights, saturatingPairs: Bool,
                         output: UnsafeMutablePointer<Int32>, threads: Int = 1, route: Route = .default) {
        // Column tiles (8 columns for the Swift routes, a 16-column block for the host kernels),
        // split into chunks when the product is big enough to pay for threads.
        let tileWidth: Int
        if case .host = route { tileWidth = blockColumns } else { tileWidth = tileColumns }
        let tiles = (weights.columns + tileWidth - 1) / tileWidth
        let work = rows * weights.columns * weights.paddedDepth
        let chunkCount = work < 1 << 21 ? 1 : min(tiles, max(threads, 1) * 4)
        let tilesPerChunk = (tiles + chunkCount - 1) / chunkCount
        let source = SharedPointer(a), destination = SharedPointer(output)
        ParallelSamples.forEachChunk(chunkCount, threads: threads) { chunk in
            let first = min(tiles, chunk * tilesPerChunk)
            let range = first ..< min(tiles, first + tilesPerChunk)
            guard !range.isEmpty else { return }
            switch route {
            case .host(let level):
                let operands = HostGEMMOperands(
                    rows: kiln_gemm_rows(a: source.pointer, row_offsets: nil, row_stride: weights.paddedDepth, tap_offsets: nil, taps: 1,
                                         tap_depth: weights.paddedDepth),
                    output: kiln_gemm_output(values: destination.pointer, row_stride: weights.columns, column_stride: 1))
                weights.multiply(operands, level: level, rowCount: rows, blocks: range, saturatingPairs: saturatingPairs)
            case .scalar:
                multiplyScalar(rows: rows, a: source.pointer, weights: weights, tiles: range, output: destination.pointer,
                               saturatingPairs: saturatingPairs)
            case .portable where saturatingPairs:
                multiply(rows: rows, a: source.pointer, weights: weights, tiles: range, output: destination.pointer, SaturatingPairs.self)
            case .portable:
                multiply(rows: rows, a: source.pointer, weights: weights, tiles: range, output: destination.pointer, ExactPairs.self)
            }
        }
        guard weights.needsRowSums else { return }
        for m in 0..<rows {
            var sum: Int32 = 0
            for k in 0..<weights.depth { sum &+= Int32(a[m * weights.paddedDepth + k]) }
            for n in 0..<weights.columns { output[m * weights.columns + n] &-= weights.signedZeros[n] &* sum }
        }
    }

    /// The host kernel's product with rows and output placed anywhere (``HostGEMMOperands``): a
    /// convolution read in place from a padded NHWC buffer (one tap per kernel position), its
    /// accumulators written straight into NCHW planes. Column blocks are split into chunks over
    /// `threads` as in ``multiply(rows:a:weights:saturatingPairs:output:threads:route:)``; no
    /// row sums are subtracted, so `weights` must have no zero points (`needsRowSums` false).
    static func multiply(_ operands: HostGEMMOperands, level: kiln_pair_gemm_level, rows: Int, weights: PackedWeights,
                         saturatingPairs: Bool, threads: Int) {
        precondition(!weights.needsRowSums, "the in-place host route subtracts no row sums")
        let blocks = weights.columnBlocks
        let work = rows * weights.columns * weights.paddedDepth
        let chunkCount = work < 1 << 21 ? 1 : min(blocks, max(threads, 1) * 4)
        let blocksPerChunk = (blocks + chunkCount - 1) / chunkCount
        ParallelSamples.forEachChunk(chunkCount, threads: threads) { chunk in
            let first = min(blocks, chunk * blocksPerChunk)
            let range = first ..< min(blocks, first + blocksPerChunk)
            guard !range.isEmpty else { return }
            weights.multiply(operands, level: level, rowCount: rows, blocks: range, saturatingPairs: saturatingPairs)
        }
    }

    /// Unsigned activation bytes × ``PackedWeights/quads`` with `vpdpbusd` (`kiln_quad_gemm`, AVX-512
    /// VNNI hosts), rows and output placed as in ``multiply(_:level:rows:weights:saturatingPairs:threads:)``:
    /// exact products and wrapping sums, the same int32 results as the pair GEMM on the same
    /// operands. `weights.quads` must be packed and `weights` must have no zero points.
    static func multiplyBytes(_ operands: ByteOperands, rows: Int, weights: PackedWeights, threads: Int) {
        precondition(!weights.needsRowSums && !weights.quads.isEmpty, "the byte route needs quad-packed weights without zero points")
        let blocks = weights.columnBlocks
        let work = rows * weights.columns * weights.paddedDepth
        let chunkCount = work < 1 << 21 ? 1 : min(blocks, max(threads, 1) * 4)
        let blocksPerChunk = (blocks + chunkCount - 1) / chunkCount
        ParallelSamples.forEachChunk(chunkCount, threads: threads) { chunk in
            let first = min(blocks, chunk * blocksPerChunk), last = min(blocks, first + blocksPerChunk)
            guard first < last else { return }
            weights.quads.withUnsafeBufferPointer { quads in
                weights.columnConstants.withUnsafeBufferPointer { constants in
                    var source = operands.rows, output = operands.output
                    kiln_quad_gemm(rows, &source, quads.baseAddress!, weights.paddedDepth, weights.columns, constants.baseAddress!, first, last,
                                   &output)
                }
            }
        }
    }

    /// The operands of one `kiln_quad_gemm` product, shared by the threads of its column blocks
    /// (each writes only its own columns; the pointers outlive the call).
    struct ByteOperands: @unchecked Sendable {
        /// The activation bytes' rows.
        var rows: kiln_gemm_byte_rows
        /// The output and its strides.
        var output: kiln_gemm_output
    }

    /// The definition ``multiply(rows:a:weights:saturatingPairs:output:threads:route:)`` must equal:
    /// one scalar loop per accumulator over the depth pairs of the packed weights, each pair's
    /// two products summed exactly or saturated to int16, then the column constant and the row
    /// sum correction. Slow; for tests.
    static func multiplyPlainly(rows: Int, a: UnsafePointer<Int16>, weights: PackedWeights, saturatingPairs: Bool,
                                output: UnsafeMutablePointer<Int32>) {
        let depth = weights.paddedDepth
        for m in 0..<rows {
            var rowSum: Int32 = 0
            for k in 0..<weights.depth { rowSum &+= Int32(a[m * depth + k]) }
            for n in 0..<weights.columns {
                let block = n / blockColumns, lane = n % blockColumns
                var sum = weights.columnConstants[n]
                for pair in 0..<(depth / 2) {
                    let w = block * depth * blockColumns + pair * 2 * blockColumns + lane * 2
                    let pairSum = Int64(a[m * depth + 2 * pair]) * Int64(weights.values[w]) + Int64(a[m * depth + 2 * pair + 1]) * Int64(weights.values[w + 1])
                    sum &+= Int32(truncatingIfNeeded: saturatingPairs ? min(max(pairSum, -32768), 32767) : pairSum)
                }
                output[m * weights.columns + n] = sum &- weights.signedZeros[n] &* rowSum
            }
        }
    }

    /// Eight columns × one depth pair of int16 values: lane `2j` is depth k, lane `2j + 1` depth k + 1.
    typealias Pairs = SIMD16<Int16>
    /// Eight int32 accumulators.
    typealias Lanes = SIMD8<Int32>

    /// How the two products of a depth pair enter the int32 accumulator. An 8-bit × 8-bit product
    /// is exact in int16 (|255 · −128| < 2¹⁵), so the step multiplies in int16 (`vpmullw`, 16
    /// lanes) and adds each pair's sign-extended low and high product in int32. Measured on this
    /// machine this beats widening first: with AVX2, LLVM turns the widening form into `vpmulld`
    /// + `vphaddd` (docs/performance.md).
    protocol PairSum {
        static func combine(_ x: Pairs, _ w: Pairs) -> Lanes
    }
    /// Exact: the pair sum as is (sdot, vpdpbusd, the widening Arm kernels).
    enum ExactPairs: PairSum {
        @inline(__always) static func combine(_ x: Pairs, _ w: Pairs) -> Lanes {
            let words = unsafeBitCast(x &* w, to: Lanes.self)
            return ((words &<< 16) &>> 16) &+ (words &>> 16)
        }
    }
    /// vpmaddubsw: the pair sum saturated to int16.
    enum SaturatingPairs: PairSum {
        @inline(__always) static func combine(_ x: Pairs, _ w: Pairs) -> Lanes {
            ExactPairs.combine(x, w).clamped(lowerBound: Lanes(repeating: -32768), upperBound: Lanes(repeating: 32767))
        }
    }

    /// The simulator's register tile: 4 rows × 8 columns (four 8-lane accumulators: eight SSE2
    /// registers on the baseline x86-64 build, four AVX2 ones with `-target-cpu`), over the
    /// 16-column packed blocks.
    private static let tileColumns = 8

    /// Computes the column tiles `tiles` (of ``tileColumns``) of every row.
    private static func multiply<Mode: PairSum>(rows: Int, a: UnsafePointer<Int16>, weights: PackedWeights, tiles: Range<Int>,
                                                output: UnsafeMutablePointer<Int32>, _ mode: Mode.Type) {
        let depth = weights.paddedDepth, columns = weights.columns
        weights.values.withUnsafeBufferPointer { packed in
            weights.columnConstants.withUnsafeBufferPointer { constants in
                for tile in tiles {
                    let firstColumn = tile * tileColumns
                    let block = firstColumn / blockColumns, half = (firstColumn % blockColumns) / tileColumns
                    // Pair layout: [k / 2][16 columns][2]; this half starts 8 columns × 2 in.
                    let b = UnsafeRawPointer(packed.baseAddress! + block * depth * blockColumns + half * tileColumns * 2)
                    let width = min(tileColumns, columns - firstColumn)
                    var constant = Lanes(repeating: 0)
                    for lane in 0..<width { constant[lane] = constants[firstColumn + lane] }
                    let rowStride = depth * 2   // bytes
                    let pairStride = blockColumns * 2 * 2   // bytes from one depth pair to the next
                    var m = 0
                    // 4 × 8 register tile.
                    while m + blockRows <= rows {
                        let a0 = UnsafeRawPointer(a + m * depth), a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride
                        var c0 = constant, c1 = constant, c2 = constant, c3 = constant
                        var w = b
                        var k = 0
                        while k < depth {
                            let weight = w.loadUnaligned(as: Pairs.self)
                            c0 &+= Mode.combine(broadcast(a0, k), weight)
                            c1 &+= Mode.combine(broadcast(a1, k), weight)
                            c2 &+= Mode.combine(broadcast(a2, k), weight)
                            c3 &+= Mode.combine(broadcast(a3, k), weight)
                            w += pairStride
                            k += 2
                        }
                        store(c0, output + m * columns + firstColumn, width)
                        store(c1, output + (m + 1) * columns + firstColumn, width)
                        store(c2, output + (m + 2) * columns + firstColumn, width)
                        store(c3, output + (m + 3) * columns + firstColumn, width)
                        m += blockRows
                    }
                    // Remaining rows one at a time.
                    while m < rows {
                        let a0 = UnsafeRawPointer(a + m * depth)
                        var c0 = constant
                        var w = b
                        var k = 0
                        while k < depth {
                            c0 &+= Mode.combine(broadcast(a0, k), w.loadUnaligned(as: Pairs.self))
                            w += pairStride
                            k += 2
                        }
                        store(c0, output + m * columns + firstColumn, width)
                        m += 1
                    }
                }
            }
        }
    }

    /// The column tiles `tiles` of every row in scalar arithmetic, for debug builds: the pair
    /// sums of ``multiply(rows:a:weights:tiles:output:_:)`` (the same int32 results: each pair
    /// exact, or saturated to int16, added in wrapping int32), four rows of a column at a time so
    /// that each weight pair is read once for four accumulators (a debug build keeps every local
    /// in memory, so the loads and the loop's bookkeeping cost as much as the products).
    private static func multiplyScalar(rows: Int, a: UnsafePointer<Int16>, weights: PackedWeights, tiles: Range<Int>,
                                       output: UnsafeMutablePointer<Int32>, saturatingPairs: Bool) {
        let depth = weights.paddedDepth, columns = weights.columns
        weights.values.withUnsafeBufferPointer { packed in
            weights.columnConstants.withUnsafeBufferPointer { constants in
                let values = packed.baseAddress!
                let stride = blockColumns * 2  // from one depth pair of a column to the next
                var n = tiles.lowerBound * tileColumns
                let end = min(columns, tiles.upperBound * tileColumns)
                while n < end {
                    let column = values + (n / blockColumns) * depth * blockColumns + (n % blockColumns) * 2
                    let constant = constants[n]
                    var m = 0
                    while m + 4 <= rows {
                        var x0 = a + m * depth, x1 = x0 + depth, x2 = x1 + depth, x3 = x2 + depth
                        let rowEnd = x1
                        var w = column
                        var s0 = constant, s1 = constant, s2 = constant, s3 = constant
                        while x0 < rowEnd {
                            let w0 = Int32(truncatingIfNeeded: w[0]), w1 = Int32(truncatingIfNeeded: w[1])
                            var p0 = Int32(truncatingIfNeeded: x0[0]) &* w0 &+ Int32(truncatingIfNeeded: x0[1]) &* w1
                            var p1 = Int32(truncatingIfNeeded: x1[0]) &* w0 &+ Int32(truncatingIfNeeded: x1[1]) &* w1
                            var p2 = Int32(truncatingIfNeeded: x2[0]) &* w0 &+ Int32(truncatingIfNeeded: x2[1]) &* w1
                            var p3 = Int32(truncatingIfNeeded: x3[0]) &* w0 &+ Int32(truncatingIfNeeded: x3[1]) &* w1
                            if saturatingPairs {
                                if p0 > 32767 { p0 = 32767 } else if p0 < -32768 { p0 = -32768 }
                                if p1 > 32767 { p1 = 32767 } else if p1 < -32768 { p1 = -32768 }
                                if p2 > 32767 { p2 = 32767 } else if p2 < -32768 { p2 = -32768 }
                                if p3 > 32767 { p3 = 32767 } else if p3 < -32768 { p3 = -32768 }
                            }
                            s0 &+= p0
                            s1 &+= p1
                            s2 &+= p2
                            s3 &+= p3
                            x0 += 2
                            x1 += 2
                            x2 += 2
                            x3 += 2
                            w += stride
                        }
                        output[m * columns + n] = s0
                        output[(m + 1) * columns + n] = s1
                        output[(m + 2) * columns + n] = s2
                        output[(m + 3) * columns + n] = s3
                        m += 4
                    }
                    while m < rows {
                        var x = a + m * depth
                        let rowEnd = x + depth
                        var w = column
                        var sum = constant
                        while x < rowEnd {
                            var pair = Int32(truncatingIfNeeded: x[0]) &* Int32(truncatingIfNeeded: w[0])
                                &+ Int32(truncatingIfNeeded: x[1]) &* Int32(truncatingIfNeeded: w[1])
                            if saturatingPairs {
                                if pair > 32767 { pair = 32767 } else if pair < -32768 { pair = -32768 }
                            }
                            sum &+= pair
                            x += 2
                            w += stride
                        }
                        output[m * columns + n] = sum
                        m += 1
                    }
                    n += 1
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
    private static func store(_ lanes: Lanes, _ destination: UnsafeMutablePointer<Int32>, _ width: Int) {
        if width == tileColumns {
            UnsafeMutableRawPointer(destination).storeBytes(of: lanes, as: Lanes.self)
        } else {
            for lane in 0..<width { destination[lane] = lanes[lane] }
        }
    }
}
