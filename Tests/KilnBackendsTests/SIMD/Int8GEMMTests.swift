import Testing
import KilnConformance
import KilnHostKernels
import KilnInterpreter
@testable import KilnBackends

/// The SIMD family's GEMM engine against its plain definition: random shapes (edge tiles in rows,
/// columns and depth), weight zero points (row sums), exact and saturating pair sums, and several
/// thread counts — every accumulator equal.
@Suite struct Int8GEMMTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let rows: Int, columns: Int, depth: Int
        let saturating: Bool
        let weightZeros: Bool
        let seed: UInt64
        var testDescription: String { "\(rows)×\(columns)×\(depth)\(saturating ? " saturating" : "")\(weightZeros ? " zs" : "")" }
    }

    static let cases: [Case] = [
        Case(rows: 1, columns: 1, depth: 1, saturating: false, weightZeros: false, seed: 1),
        Case(rows: 5, columns: 17, depth: 9, saturating: true, weightZeros: false, seed: 2),
        Case(rows: 13, columns: 8, depth: 27, saturating: false, weightZeros: true, seed: 3),
        Case(rows: 7, columns: 33, depth: 70, saturating: true, weightZeros: true, seed: 4),
        Case(rows: 64, columns: 16, depth: 4, saturating: false, weightZeros: false, seed: 5),
        // Big enough (≥ 2²¹ multiply-accumulates) to be split over threads.
        Case(rows: 150, columns: 41, depth: 350, saturating: true, weightZeros: false, seed: 6),
        Case(rows: 150, columns: 41, depth: 350, saturating: false, weightZeros: true, seed: 7),
        // 10 column tiles in 8 chunks of 2: the last chunks are empty.
        Case(rows: 100, columns: 75, depth: 300, saturating: false, weightZeros: false, seed: 8),
    ]

    @Test(arguments: cases)
    func fastEqualsPlainWhateverTheThreadCount(_ test: Case) {
        var random = SeededGenerator(seed: test.seed)
        // u8 activations (as vpmaddubsw / vpdpbusd read them) against s8 weights; extremes included
        // so saturating pair sums saturate.
        let za = Int32.random(in: 0...255, using: &random)
        let zeros = (0..<test.columns).map { _ in test.weightZeros ? Int32.random(in: -20...20, using: &random) : 0 }
        let weights = (0..<test.depth * test.columns).map { _ in Bool.random(using: &random) ? Int32.random(in: -128...127, using: &random) : 127 }
        let packed = Int8GEMM.PackedWeights(depth: test.depth, columns: test.columns, firstZero: za, signedZeros: zeros,
                                            bias: { Int32($0) * 1000 - 7 }) { k, n in weights[k * test.columns + n] }
        var a = [Int16](repeating: 0, count: test.rows * packed.paddedDepth)
        for m in 0..<test.rows {
            for k in 0..<test.depth { a[m * packed.paddedDepth + k] = Bool.random(using: &random) ? Int16.random(in: 0...255, using: &random) : 255 }
        }
        var expected = [Int32](repeating: 0, count: test.rows * test.columns)
        a.withUnsafeBufferPointer { a in
            expected.withUnsafeMutableBufferPointer { output in
                Int8GEMM.multiplyPlainly(rows: test.rows, a: a.baseAddress!, weights: packed, saturatingPairs: test.saturating,
                                         output: output.baseAddress!)
            }
        }
        // The host kernels this CPU has, the Swift SIMD tile and the scalar loop, on 1 to 3 threads.
        for route in Int8GEMM.Route.available {
            for threads in [1, 2, 3] {
                var output = [Int32](repeating: -1, count: test.rows * test.columns)
                a.withUnsafeBufferPointer { a in
                    output.withUnsafeMutableBufferPointer { output in
                        Int8GEMM.multiply(rows: test.rows, a: a.baseAddress!, weights: packed, saturatingPairs: test.saturating,
                                          output: output.baseAddress!, threads: threads, route: route)
                    }
                }
                #expect(output == expected, "\(threads) threads, route \(route)")
            }
        }
        if test.saturating {
            // The cases hold 255 × 127 pairs, whose sum 64770 saturates: the two modes must differ.
            var exact = [Int32](repeating: 0, count: test.rows * test.columns)
            a.withUnsafeBufferPointer { a in
                exact.withUnsafeMutableBufferPointer { output in
                    Int8GEMM.multiplyPlainly(rows: test.rows, a: a.baseAddress!, weights: packed, saturatingPairs: false, output: output.baseAddress!)
                }
            }
            #expect(exact != expected)
        }
    }

    /// The host kernels' in-place reading (rows and kernel positions at offsets into a buffer,
    /// accumulators written channel-major) and the `vpdpbusd` byte route against the plain
    /// definition on the same operands gathered into explicit rows: exact and saturating pair
    /// sums, every host level this CPU has, 1 to 3 threads (the big case is split into chunks).
    @Test(arguments: [(rows: 37, columns: 41, taps: 3, tapDepth: 8), (rows: 150, columns: 41, taps: 8, tapDepth: 48),
                      (rows: 3, columns: 16, taps: 1, tapDepth: 4)])
    func inPlaceAndByteRoutesEqualThePlainDefinition(_ shape: (rows: Int, columns: Int, taps: Int, tapDepth: Int)) {
        var random = SeededGenerator(seed: UInt64(shape.rows * 31 + shape.taps))
        let depth = shape.taps * shape.tapDepth
        let buffer = (0..<(shape.rows * 40 + shape.taps * 50 + depth)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let rowOffsets = (0..<shape.rows).map { _ in Int.random(in: 0...(shape.rows * 40), using: &random) }
        let tapOffsets = (0..<shape.taps).map { _ in Int.random(in: 0...(shape.taps * 50), using: &random) }
        let weights = (0..<depth * shape.columns).map { _ in Bool.random(using: &random) ? Int32.random(in: -128...127, using: &random) : 127 }
        let packed = Int8GEMM.PackedWeights(depth: depth, columns: shape.columns, firstZero: 3, signedZeros: Array(repeating: 0, count: shape.columns),
                                            bias: { Int32($0) * 1000 - 7 }) { k, n in weights[k * shape.columns + n] }
        var explicit = [Int16](repeating: 0, count: shape.rows * packed.paddedDepth)
        for m in 0..<shape.rows {
            for k in 0..<depth { explicit[m * packed.paddedDepth + k] = Int16(buffer[rowOffsets[m] + tapOffsets[k / shape.tapDepth] + k % shape.tapDepth]) }
        }
        let shorts = buffer.map(Int16.init)
        for saturating in [false, true] {
            var expected = [Int32](repeating: 0, count: shape.rows * shape.columns)
            explicit.withUnsafeBufferPointer { a in
                expected.withUnsafeMutableBufferPointer { output in
                    Int8GEMM.multiplyPlainly(rows: shape.rows, a: a.baseAddress!, weights: packed, saturatingPairs: saturating, output: output.baseAddress!)
                }
            }
            // Channel-major: element (m, n) at n · rows + m.
            let channelMajor = (0..<shape.rows * shape.columns).map { i in expected[(i % shape.rows) * shape.columns + i / shape.rows] }
            for threads in [1, 2, 3] {
                for level in HostVectorKernels.levels {
                    var output = [Int32](repeating: -1, count: shape.rows * shape.columns)
                    shorts.withUnsafeBufferPointer { a in
                        rowOffsets.withUnsafeBufferPointer { rowOffsets in
                            tapOffsets.withUnsafeBufferPointer { tapOffsets in
                                output.withUnsafeMutableBufferPointer { output in
                                    let rows = kiln_gemm_rows(a: a.baseAddress!, row_offsets: rowOffsets.baseAddress!, row_stride: 0,
                                                              tap_offsets: tapOffsets.baseAddress!, taps: shape.taps, tap_depth: shape.tapDepth)
                                    let destination = kiln_gemm_output(values: output.baseAddress!, row_stride: 1, column_stride: shape.rows)
                                    Int8GEMM.multiply(HostGEMMOperands(rows: rows, output: destination), level: level, rows: shape.rows,
                                                      weights: packed, saturatingPairs: saturating, threads: threads)
                                }
                            }
                        }
                    }
                    #expect(output == channelMajor, "pairs, level \(level.rawValue), \(threads) threads, saturating \(saturating)")
                }
                guard !saturating, !packed.quads.isEmpty else { continue }
                var output = [Int32](repeating: -1, count: shape.rows * shape.columns)
                buffer.withUnsafeBufferPointer { a in
                    rowOffsets.withUnsafeBufferPointer { rowOffsets in
                        tapOffsets.withUnsafeBufferPointer { tapOffsets in
                            output.withUnsafeMutableBufferPointer { output in
                                let rows = kiln_gemm_byte_rows(a: a.baseAddress!, row_offsets: rowOffsets.baseAddress!, row_stride: 0,
                                                               tap_offsets: tapOffsets.baseAddress!, taps: shape.taps, tap_depth: shape.tapDepth)
                                let destination = kiln_gemm_output(values: output.baseAddress!, row_stride: 1, column_stride: shape.rows)
                                Int8GEMM.multiplyBytes(Int8GEMM.ByteOperands(rows: rows, output: destination), rows: shape.rows, weights: packed,
                                                       threads: threads)
                            }
                        }
                    }
                }
                #expect(output == channelMajor, "bytes, \(threads) threads")
            }
        }
        // The byte route exists exactly on AVX-512 VNNI hosts.
        #expect(packed.quads.isEmpty == (HostVectorKernels.level != KILN_PAIR_GEMM_AVX512_VNNI))
    }
}
