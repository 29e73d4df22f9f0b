import Testing
import KilnConformance
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
}
