import KilnHostKernels

/// The reference interpreter's fast integer GEMM: `C[r][c] = bias[c] + Σ_k A[r][k]·B[c][k]` in
/// wrapping int32, for operands that fit in int16 (zero-point-centered 8-bit codes always do).
///
/// Why it equals the plain loop bit for bit: each step multiplies sixteen int16 pairs, widens the
/// products to int32 and adds adjacent products (`p[2i] + p[2i+1]`, the shape x86's `pmaddwd`,
/// Arm's `smlal`/`saddlp` perform). With every operand in −32767…32767 a pair sum is at most
/// 2·32767² < 2³¹, so it is exact; everything after is wrapping int32 addition, which is
/// associative and commutative modulo 2³², so any summation order gives the sequential loop's
/// result. The compiler turns the step into `pmaddwd` on baseline x86-64 (SSE2) and into its
/// VEX form with `-Xswiftc -target-cpu` (docs/performance.md).
///
/// Register tile: 4 rows × 2 columns (eight 8-lane accumulators: one 256-bit register each with
/// AVX2 or AVX-512, so with the six operand loads they fit the 16 AVX2 registers; a baseline
/// SSE2 build splits each into two). Columns are split into chunks run on several
/// threads; every output element is computed by one thread in one fixed order, so the result
/// does not depend on the thread count.
///
/// On an x86 CPU with AVX2 or AVX-512 VNNI the product runs `KilnHostKernels`' C kernel instead
/// (``Route/host(_:)``, `vpmaddwd` / `vpdpwssd`, picked at run time): the same exact pair sums
/// and wrapping int32 additions, so the same bits.
enum WideningDotProductGEMM {
    /// Which loop computes the products; both give the same int32 results.
    enum Route: Sendable, Equatable {
        /// The Swift SIMD tile of this file (any host).
        case portable
        /// `kiln_pair_gemm` at an instruction-set level the CPU has.
        case host(kiln_pair_gemm_level)

        /// The widest host kernel this CPU supports, else the portable tile.
        static let `default`: Route = available.first!

        /// Every route this machine can run, fastest first (tests compare them).
        static var available: [Route] { HostVectorKernels.levels.map(Route.host) + [.portable] }
    }

    /// Depth is padded to a multiple of this (zero padding adds nothing).
    static let depthStep = 16

    /// The largest magnitude an operand may have (see the type's comment).
    static let operandLimit: Int32 = 32767

    /// `depth` rounded up to a multiple of ``depthStep``.
    static func paddedDepth(_ depth: Int) -> Int { (depth + depthStep - 1) / depthStep * depthStep }

    /// Whether every value lies in −``operandLimit``…``operandLimit`` after subtracting `zero`.
    static func fits(_ values: [Int32], minus zero: (Int) -> Int32) -> Bool {
        for index in values.indices {
            let centered = Int64(values[index]) - Int64(zero(index))
            if centered < -Int64(operandLimit) || centered > Int64(operandLimit) { return false }
        }
        return true
    }

    /// One operand: `count` rows of ``paddedDepth(_:)`` int16 values, row-major, padding zero.
    struct Operand {
        /// The values, `count × depth`.
        var values: [Int16]
        /// The padded row length.
        let depth: Int
        /// The number of rows.
        var count: Int { depth == 0 ? 0 : values.count / depth }

        /// `count` zero rows of padded depth `depth`.
        init(count: Int, depth: Int) {
            self.depth = depth
            values = [Int16](repeating: 0, count: count * depth)
        }
    }

    /// Where result `(r, c)` goes: `output[c · columnStride + r · rowStride]`.
    struct OutputLayout {
        /// Distance between consecutive rows' results.
        let rowStride: Int
        /// Distance between consecutive columns' results.
        let columnStride: Int
    }

    /// Multiplies every row of `a` with every row of `b` (the columns), writing
    /// `initial(c) + a[r]·b[c]` to `output` at `layout`, on up to `threads` threads.
    /// - Precondition: `a.depth == b.depth`; `output` has room for every `(r, c)`.
    static func multiply(_ a: Operand, _ b: Operand, initial: (Int) -> Int32, into output: UnsafeMutablePointer<Int32>,
                         layout: OutputLayout, threads: Int, route: Route = .default) {
        let rows = a.count, columns = b.count, depth = a.depth
        guard rows > 0, columns > 0 else { return }
        let initials = (0..<columns).map(initial)
        if case .host(let level) = route {
            multiplyOnHost(a, b, initials: initials, into: output, layout: layout, threads: threads, level: level)
            return
        }
        // Chunks of whole column pairs; enough of them to balance, few enough to amortize.
        let work = rows * columns * max(depth, 1)
        let chunkCount = work < 1 << 20 ? 1 : min(max(threads, 1) * 4, (columns + 1) / 2)
        let pairsPerChunk = ((columns + 1) / 2 + chunkCount - 1) / chunkCount
        let destination = SharedPointer(output)
        a.values.withUnsafeBufferPointer { aValues in
            b.values.withUnsafeBufferPointer { bValues in
                let left = SharedPointer(aValues.baseAddress!), right = SharedPointer(bValues.baseAddress!)
                ParallelSamples.forEachChunk(chunkCount, threads: threads) { chunk in
                    let first = chunk * pairsPerChunk * 2
                    let last = min(columns, first + pairsPerChunk * 2)
                    guard first < last else { return }
                    tile(rows: rows, columns: first..<last, depth: depth, a: left.pointer, b: right.pointer,
                         initials: initials, output: destination.pointer, layout: layout)
                }
            }
        }
    }

    /// The host kernel's route: `b` repacked into 16-column blocks of depth pairs
    /// (`[block][depth / 2][16][2]`, the layout `kiln_pair_gemm` reads), the product computed
    /// over chunks of blocks and written by the kernel straight at `layout` (its output strides).
    private static func multiplyOnHost(_ a: Operand, _ b: Operand, initials: [Int32], into output: UnsafeMutablePointer<Int32>,
                                       layout: OutputLayout, threads: Int, level: kiln_pair_gemm_level) {
        let rows = a.count, columns = b.count, depth = a.depth
        let blocks = (columns + 15) / 16
        var packed = [Int16](repeating: 0, count: blocks * depth * 16)
        packed.withUnsafeMutableBufferPointer { packed in
            b.values.withUnsafeBufferPointer { values in
                for c in 0..<columns {
                    let source = values.baseAddress! + c * depth
                    let column = packed.baseAddress! + (c / 16) * depth * 16 + (c % 16) * 2
                    var k = 0
                    while k < depth {
                        column[k * 16] = source[k]
                        column[k * 16 + 1] = source[k + 1]
                        k += 2
                    }
                }
            }
        }
        let work = rows * columns * max(depth, 1)
        let chunkCount = work < 1 << 20 ? 1 : min(blocks, max(threads, 1) * 4)
        let blocksPerChunk = (blocks + chunkCount - 1) / chunkCount
        a.values.withUnsafeBufferPointer { aValues in
            packed.withUnsafeBufferPointer { packed in
                initials.withUnsafeBufferPointer { initials in
                    // The kernel writes each element at `layout` directly (each chunk its own columns).
                    let operands = HostGEMMOperands(
                        rows: kiln_gemm_rows(a: aValues.baseAddress!, row_offsets: nil, row_stride: depth, tap_offsets: nil, taps: 1,
                                             tap_depth: depth),
                        output: kiln_gemm_output(values: output, row_stride: layout.rowStride, column_stride: layout.columnStride))
                    let weights = SharedPointer(packed.baseAddress!), constants = SharedPointer(initials.baseAddress!)
                    ParallelSamples.forEachChunk(chunkCount, threads: threads) { chunk in
                        let first = min(blocks, chunk * blocksPerChunk), last = min(blocks, first + blocksPerChunk)
                        guard first < last else { return }
                        operands.multiply(level: level, rowCount: rows, packed: weights.pointer, packedDepth: depth, columns: columns,
                                          constants: constants.pointer, blocks: first..<last, saturating: false)
                    }
                }
            }
        }
    }

    /// Sixteen int16 products summed pairwise into eight int32 lanes (`pmaddwd`).
    @inline(__always)
    private static func pairSums(_ x: Step, _ y: Step) -> Sums {
        // Widened half by half: the standard library's 16-lane conversion is not inlined (a
        // call per step, seen in the assembly), the 8-lane one is and becomes `pmaddwd`.
        let low = SIMD8<Int32>(truncatingIfNeeded: x.lowHalf) &* SIMD8<Int32>(truncatingIfNeeded: y.lowHalf)
        let high = SIMD8<Int32>(truncatingIfNeeded: x.highHalf) &* SIMD8<Int32>(truncatingIfNeeded: y.highHalf)
        return Sums(lowHalf: low.evenHalf &+ low.oddHalf, highHalf: high.evenHalf &+ high.oddHalf)
    }

    /// One depth step of an operand row.
    private typealias Step = SIMD16<Int16>
    /// The accumulator of one (row, column) pair.
    private typealias Sums = SIMD8<Int32>

    @inline(__always)
    private static func load(_ base: UnsafePointer<Int16>, _ offset: Int) -> Step {
        UnsafeRawPointer(base + offset).loadUnaligned(as: Step.self)
    }

    private static func tile(rows: Int, columns: Range<Int>, depth: Int, a: UnsafePointer<Int16>, b: UnsafePointer<Int16>,
                             initials: [Int32], output: UnsafeMutablePointer<Int32>, layout: OutputLayout) {
        var c = columns.lowerBound
        while c < columns.upperBound {
            let pair = c + 1 < columns.upperBound
            let b0 = b + c * depth, b1 = pair ? b0 + depth : b0
            var r = 0
            while r + 4 <= rows {
                let a0 = a + r * depth, a1 = a0 + depth, a2 = a1 + depth, a3 = a2 + depth
                var s00 = Sums(), s01 = Sums(), s10 = Sums(), s11 = Sums()
                var s20 = Sums(), s21 = Sums(), s30 = Sums(), s31 = Sums()
                var k = 0
                while k < depth {
                    let w0 = load(b0, k), w1 = load(b1, k)
                    let x0 = load(a0, k), x1 = load(a1, k), x2 = load(a2, k), x3 = load(a3, k)
                    s00 &+= pairSums(x0, w0); s01 &+= pairSums(x0, w1)
                    s10 &+= pairSums(x1, w0); s11 &+= pairSums(x1, w1)
                    s20 &+= pairSums(x2, w0); s21 &+= pairSums(x2, w1)
                    s30 &+= pairSums(x3, w0); s31 &+= pairSums(x3, w1)
                    k += depthStep
                }
                let store = { (sum: Sums, column: Int, row: Int) in
                    output[column * layout.columnStride + row * layout.rowStride] = initials[column] &+ sum.wrappedSum()
                }
                store(s00, c, r); store(s10, c, r + 1); store(s20, c, r + 2); store(s30, c, r + 3)
                if pair { store(s01, c + 1, r); store(s11, c + 1, r + 1); store(s21, c + 1, r + 2); store(s31, c + 1, r + 3) }
                r += 4
            }
            while r < rows {
                let a0 = a + r * depth
                var s0 = Sums(), s1 = Sums()
                var k = 0
                while k < depth {
                    let x0 = load(a0, k)
                    s0 &+= pairSums(x0, load(b0, k)); s1 &+= pairSums(x0, load(b1, k))
                    k += depthStep
                }
                output[c * layout.columnStride + r * layout.rowStride] = initials[c] &+ s0.wrappedSum()
                if pair { output[(c + 1) * layout.columnStride + r * layout.rowStride] = initials[c + 1] &+ s1.wrappedSum() }
                r += 1
            }
            c += pair ? 2 : 1
        }
    }
}
