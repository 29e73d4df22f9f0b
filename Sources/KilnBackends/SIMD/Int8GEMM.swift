/// The int8 GEMM engine behind every SIMD conv2d / dense / matmul kernel: weights packed once
/// into column blocks of 16, a register-tiled micro-kernel over 4 rows × 16 columns, and the
/// zero-point correction of the target's arithmetic.
///
/// Operands arrive already in the hardware encoding (activations as the bytes the instruction
/// reads, weights as signed bytes), widened to `Int32` so the simulator's inner loop is plain
/// SIMD integer arithmetic. The micro-kernel computes the raw sum `Σ_k a_k·s_k`, either exactly
/// (sdot, vpdpbusd, the widening Arm kernels) or with each adjacent pair `(2p, 2p+1)` saturated
/// to int16 first (vpmaddubsw). The epilogue adds `bias − za·Σs + K·za·zs` per column and
/// subtracts `zs·Σa` per row when weights have zero points (docs/numerics.md, "Accumulation").
enum Int8GEMM {
    /// Columns per packed block (one register tile's width in the simulator).
    static let blockColumns = 16
    /// Rows of the simulator's register tile.
    static let blockRows = 4

    /// Weights packed `[columnBlock][paddedDepth][16]`, with the per-column constants.
    struct PackedWeights: Sendable {
        /// The reduction length K.
        let depth: Int
        /// K rounded up to a multiple of 4 (the dot-product step; padding is zero).
        let paddedDepth: Int
        /// The number of output columns N.
        let columns: Int
        /// `ceil(N / 16)`.
        let columnBlocks: Int
        /// Signed weight bytes, widened.
        let values: [Int32]
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
            var values = [Int32](repeating: 0, count: columnBlocks * paddedDepth * Self.width)
            var sums = [Int32](repeating: 0, count: columns)
            var minus128 = false
            for n in 0..<columns {
                let block = n / Self.width, lane = n % Self.width
                for k in 0..<depth {
                    let s = weight(k, n)
                    values[(block * paddedDepth + k) * Self.width + lane] = s
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
    ///   - a: M rows of `paddedDepth` encoded activations (the depth padding must be 0).
    ///   - saturatingPairs: whether adjacent products saturate to int16 before accumulation.
    ///   - output: M × N int32 accumulators, row-major.
    static func multiply(rows: Int, a: UnsafePointer<Int32>, weights: PackedWeights, saturatingPairs: Bool,
                         output: UnsafeMutablePointer<Int32>) {
        if saturatingPairs {
            multiply(rows: rows, a: a, weights: weights, output: output, SaturatingPairs.self)
        } else {
            multiply(rows: rows, a: a, weights: weights, output: output, ExactPairs.self)
        }
        guard weights.needsRowSums else { return }
        for m in 0..<rows {
            var sum: Int32 = 0
            for k in 0..<weights.depth { sum &+= a[m * weights.paddedDepth + k] }
            for n in 0..<weights.columns { output[m * weights.columns + n] &-= weights.signedZeros[n] &* sum }
        }
    }

    typealias Vector = SIMD16<Int32>

    /// How a pair of products enters the int32 accumulator.
    protocol PairSum {
        static func combine(_ pair: Vector) -> Vector
    }
    /// Exact: the pair sum as is.
    enum ExactPairs: PairSum {
        @inline(__always) static func combine(_ pair: Vector) -> Vector { pair }
    }
    /// vpmaddubsw: the pair sum saturated to int16.
    enum SaturatingPairs: PairSum {
        @inline(__always) static func combine(_ pair: Vector) -> Vector {
            pair.clamped(lowerBound: Vector(repeating: -32768), upperBound: Vector(repeating: 32767))
        }
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Int32>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    private static func multiply<Mode: PairSum>(rows: Int, a: UnsafePointer<Int32>, weights: PackedWeights,
                                                output: UnsafeMutablePointer<Int32>, _ mode: Mode.Type) {
        let depth = weights.paddedDepth, columns = weights.columns
        weights.values.withUnsafeBufferPointer { packed in
            weights.columnConstants.withUnsafeBufferPointer { constants in
                for block in 0..<weights.columnBlocks {
                    let b = packed.baseAddress! + block * depth * blockColumns
                    let firstColumn = block * blockColumns
                    let width = min(blockColumns, columns - firstColumn)
                    var constant = Vector(repeating: 0)
                    for lane in 0..<width { constant[lane] = constants[firstColumn + lane] }
                    var m = 0
                    // 4 × 16 register tile.
                    while m + blockRows <= rows {
                        let a0 = a + m * depth, a1 = a0 + depth, a2 = a1 + depth, a3 = a2 + depth
                        var c0 = constant, c1 = constant, c2 = constant, c3 = constant
                        var k = 0
                        while k < depth {
                            let w0 = load(b + k * blockColumns), w1 = load(b + (k + 1) * blockColumns)
                            c0 &+= Mode.combine(Vector(repeating: a0[k]) &* w0 &+ Vector(repeating: a0[k + 1]) &* w1)
                            c1 &+= Mode.combine(Vector(repeating: a1[k]) &* w0 &+ Vector(repeating: a1[k + 1]) &* w1)
                            c2 &+= Mode.combine(Vector(repeating: a2[k]) &* w0 &+ Vector(repeating: a2[k + 1]) &* w1)
                            c3 &+= Mode.combine(Vector(repeating: a3[k]) &* w0 &+ Vector(repeating: a3[k + 1]) &* w1)
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
                        let a0 = a + m * depth
                        var c0 = constant
                        var k = 0
                        while k < depth {
                            let w0 = load(b + k * blockColumns), w1 = load(b + (k + 1) * blockColumns)
                            c0 &+= Mode.combine(Vector(repeating: a0[k]) &* w0 &+ Vector(repeating: a0[k + 1]) &* w1)
                            k += 2
                        }
                        store(c0, output + m * columns + firstColumn, width)
                        m += 1
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func store(_ vector: Vector, _ destination: UnsafeMutablePointer<Int32>, _ width: Int) {
        if width == blockColumns {
            UnsafeMutableRawPointer(destination).storeBytes(of: vector, as: Vector.self)
        } else {
            for lane in 0..<width { destination[lane] = vector[lane] }
        }
    }
}
