/// Convolution accumulators of operands whose centered codes are all −1, 0 or +1 — the hidden
/// layers of a binarized network (±1 codes, the zero-point padding 0) — as bit-plane dot
/// products: a row becomes a mask of its nonzero elements and a mask of its negative elements,
/// 64 to a word, and with `both = nonzeroA ∧ nonzeroB`
///
///     Σ a[k]·b[k] = popcount(both) − 2 · popcount(both ∧ (negativeA ⊕ negativeB))
///
/// (a product is +1 where both are nonzero with equal signs, −1 where the signs differ, 0
/// elsewhere). The sum is exact and at most `depth` in magnitude, so it equals the plain loop's
/// int32 wrapping sum for any depth below 2³¹.
///
/// Written over concrete `UInt64` words and pointers, whose operators a debug build inlines:
/// one word does the work of 64 multiply-accumulates in any build, which is what makes
/// `kiln compare`'s binarized example fast without an optimized build.
enum TernaryConvolution {
    /// Whether every value is −1, 0 or +1.
    static func fits(_ values: [Int32]) -> Bool {
        values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return true }
            var index = 0
            while index < buffer.count {
                let value = base[index]
                if value < -1 || value > 1 { return false }
                index += 1
            }
            return true
        }
    }

    /// Rows of ternary values packed into words: ``nonzero`` and ``negative`` masks, ``words``
    /// per row, bit `k % 64` of word `k / 64` for element `k`; the bits past a row's depth are 0.
    struct BitRows {
        /// Words per row.
        let words: Int
        /// Bit set where the element is nonzero.
        var nonzero: [UInt64]
        /// Bit set where the element is −1.
        var negative: [UInt64]

        /// Packs `count` rows of `depth` values (each −1, 0 or +1) starting at `values`.
        init(_ values: UnsafePointer<Int32>, count: Int, depth: Int) {
            words = (depth + 63) / 64
            nonzero = [UInt64](repeating: 0, count: count * words)
            negative = [UInt64](repeating: 0, count: count * words)
            let words = words
            nonzero.withUnsafeMutableBufferPointer { nonzero in
                negative.withUnsafeMutableBufferPointer { negative in
                    guard let nonzero = nonzero.baseAddress, let negative = negative.baseAddress else { return }
                    var row = 0
                    while row < count {
                        let source = values + row * depth, firstWord = row * words
                        var k = 0
                        while k < depth {
                            let value = source[k]
                            if value != 0 {
                                let word = firstWord + k / 64, bit = (1 as UInt64) &<< UInt64(k % 64)
                                nonzero[word] |= bit
                                if value < 0 { negative[word] |= bit }
                            }
                            k += 1
                        }
                        row += 1
                    }
                }
            }
        }
    }

    /// `Σ a·b` of row `rowA` of `a` and row `rowB` of `b` (both with the same ``BitRows/words``).
    static func dot(_ a: (nonzero: UnsafePointer<UInt64>, negative: UnsafePointer<UInt64>), row rowA: Int,
                    _ b: (nonzero: UnsafePointer<UInt64>, negative: UnsafePointer<UInt64>), row rowB: Int, words: Int) -> Int {
        let nonzeroA = a.nonzero + rowA * words, negativeA = a.negative + rowA * words
        let nonzeroB = b.nonzero + rowB * words, negativeB = b.negative + rowB * words
        var products = 0, negativeProducts = 0
        var word = 0
        while word < words {
            let both = nonzeroA[word] & nonzeroB[word]
            products += both.nonzeroBitCount
            negativeProducts += (both & (negativeA[word] ^ negativeB[word])).nonzeroBitCount
            word += 1
        }
        return products - 2 * negativeProducts
    }

    /// Every accumulator `bias[o] + Σ_k patch[k]·weight[o][k]` of a convolution whose centered
    /// input codes and centered weights are all −1, 0 or +1 (``fits(_:)``), equal to the plain loop's;
    /// the caller routes only convolutions with a nonzero depth, output position and channel here.
    /// - Parameters:
    ///   - centered: the input codes minus the input zero point (padding taps are 0).
    ///   - weights: the weights minus their zero points, OIHW.
    ///   - bias: the int32 bias of output channel `o`.
    ///   - output: the accumulators, NCHW, `layout.outputCount` of them.
    static func accumulate(_ centered: [Int32], weights: [Int32], bias: (Int) -> Int32,
                           layout: ConvolutionKernel.Layout, into output: UnsafeMutablePointer<Int32>) {
        let depth = layout.depth, positions = layout.positions, outputsPerGroup = layout.outputsPerGroup
        guard depth > 0, positions > 0, layout.outputChannels > 0 else { return }
        let packedWeights = weights.withUnsafeBufferPointer { BitRows($0.baseAddress!, count: layout.outputChannels, depth: depth) }
        let offsets = layout.patchOffsets()
        var patches = [Int32](repeating: 0, count: positions * depth)
        for n in 0..<layout.geometry.batch {
            for group in 0..<layout.groups {
                let packedPatches = patches.withUnsafeMutableBufferPointer { rows -> BitRows in
                    centered.withUnsafeBufferPointer { input in
                        offsets.withUnsafeBufferPointer { offsets in
                            ConvolutionKernel.gather(input, base: layout.groupBase(batch: n, group: group), offsets: offsets, into: rows, zero: 0)
                        }
                    }
                    return BitRows(rows.baseAddress!, count: positions, depth: depth)
                }
                packedWeights.nonzero.withUnsafeBufferPointer { weightNonzero in
                    packedWeights.negative.withUnsafeBufferPointer { weightNegative in
                        packedPatches.nonzero.withUnsafeBufferPointer { patchNonzero in
                            packedPatches.negative.withUnsafeBufferPointer { patchNegative in
                                let weightRows = (nonzero: weightNonzero.baseAddress!, negative: weightNegative.baseAddress!)
                                let patchRows = (nonzero: patchNonzero.baseAddress!, negative: patchNegative.baseAddress!)
                                for o in group * outputsPerGroup ..< (group + 1) * outputsPerGroup {
                                    let initial = bias(o)
                                    let outputRow = output + layout.outputIndex(n, o, 0)
                                    var position = 0
                                    while position < positions {
                                        let sum = dot(patchRows, row: position, weightRows, row: o, words: packedWeights.words)
                                        outputRow[position] = initial &+ Int32(truncatingIfNeeded: sum)
                                        position += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
