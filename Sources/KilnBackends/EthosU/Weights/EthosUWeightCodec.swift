/// The Ethos-U's weight-stream compression as Vela 5.2 encodes it, in either of its two
/// encoders: the Python core's (`ethosu/mlw_codec/mlw_encode.c`, `mlw_encode`) or the default
/// core's (`ethosu/regor/dependencies/mlw_codec/source/mlw_encode.cpp`, `ml_encode_ethosu_stream`,
/// as `EthosU55WeightEncoder::EncodeWeights` calls it); both re-derived from that source, Apache-2.0.
///
/// A stream of signed 9-bit weights is cut into *sections*, each with its own palette (up to 32
/// most frequent values). Within a section each weight becomes an index (a palette slot, or the
/// value's sign-magnitude code offset past the palette) and, when zero is frequent enough, zeros
/// are taken out and coded as run lengths in a second, interleaved stream. Both streams are
/// Golomb–Rice coded; the divisor (and a truncated or uncompressed mode) is chosen per run of
/// values, charging 40 bits for every parameter change. Each parameter run is a *slice* with a
/// header (zero-run divisor, length, weight divisor, truncation, palette). The stream ends with an
/// end-of-stream code, padded with ones to a multiple of 16 bytes. The decoder is the NPU; Kiln
/// needs the encoder for its output size, which sets how long the weights' DMA takes and how much
/// flash the weights fill.
///
/// What the two encoders share is here: the palette, the symbol streams, the slice bitstream and
/// the stream's end. They differ in (`EthosUWeightCodec+PythonSections.swift`,
/// `EthosUWeightCodec+RegorSections.swift`):
/// - **Sections.** The Python codec restarts the palette where a new one over the last 32…512
///   non-zero values would save bits; the default core's starts one every 128 Ki values (the
///   source buffering `EncodeWeights` asks for), so nearly every layer is one section.
/// - **Zero runs.** Python: zero is the most frequent value and more than 4× as frequent as the
///   next. Default core: zeros outnumber the most frequent non-zero value more than 5×, and at
///   least half of them lie in runs of two or more (`update_palette`).
/// - **Palette use.** Python: the palette covers more than half of the weights; default core: at
///   least half (`create_palette`).
/// - **Parameter search.** Python: a Viterbi search over the whole section, where a slice
///   boundary the weight stream already has costs the zero-run stream nothing. Default core: a
///   greedy forward search per stream (`search_grc_params`), the two streams searched apart; its
///   zero runs are always one slice.
///
/// Both cut slices at the nearer of the two streams' boundaries (``writeSlices(indices:runs:palette:uncompressedBits:weightSlices:runSlices:into:)``).
enum EthosUWeightCodec {
    /// The encoded stream of `weights` (each in −255…255) as the encoder of Vela's `core` writes it.
    static func encode(_ weights: [Int16], core: EthosUSection.Core) -> [UInt8] {
        var writer = BitWriter()
        switch core {
        case .python: encodePythonSections(weights, into: &writer)
        case .regor: encodeRegorSections(weights, into: &writer)
        }
        writer.put(endOfStream, bits: 3)
        writer.put(0xff, bits: (8 - writer.bitCount % 8) % 8)
        while writer.bitCount % 128 != 0 { writer.put(0xff, bits: 8) }
        return writer.bytes
    }

    /// Slice-header codes (`mlw_common.h`): zero runs off, end of stream, uncompressed weights.
    static let zeroDivisorDisabled = 6, endOfStream = 7, weightDivisorUncompressed = 7
    /// Weight Golomb–Rice parameters: `(truncated << 4) | divisor`; `0x20` is uncompressed.
    static let weightParameters: [UInt8] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x20]
    /// Zero-run divisors searched (0…3).
    static let zeroRunParameters: [UInt8] = [0x00, 0x01, 0x02, 0x03]
    /// Bits the parameter search charges for starting a new slice.
    static let parameterChangeBits = 40
    /// The longest slice.
    static let maximumSliceLength = 32767

    /// Bits `value` costs under a Golomb–Rice `parameter` (``weightParameters``, or
    /// ``zeroRunParameters`` when `zeroRuns`); nil when it cannot code a weight (a quotient above
    /// 31, or above 2 when truncated). An uncompressed value costs `uncompressedBits`.
    static func parameterCost(_ value: Int, parameter: UInt8, zeroRuns: Bool, uncompressedBits: Int) -> Int? {
        let divisor = Int(parameter & 15), mode = Int(parameter >> 4)
        if mode == 2 { return uncompressedBits }
        let quotient = value >> divisor
        if !zeroRuns, (mode == 1 && quotient > 2) || quotient > 31 { return nil }
        return mode == 1 ? min(quotient + 1, 2) + divisor : quotient + 1 + divisor
    }

    // MARK: - Palettes and symbols

    /// One section's coding: its palette, its zero-run mode and the index of every weight value.
    struct Palette {
        /// Palette entries as sign-magnitude codes (`magnitude << 1 | sign`).
        var entries: [Int] = []
        /// Bits of a palette entry (or, without a palette, of the largest code).
        var entryBits = 2
        var zeroRuns = false
        /// Every value of the section is in the palette.
        var onlyPalette = false
        /// Unused sign-magnitude codes around zero, skipped by the direct (non-palette) indices.
        var directOffset = 0
        /// The section is all zeros (coded with zero runs and one explicit zero).
        var onlyZeros = false
        /// The coded index of each weight value + 256.
        var index = [Int](repeating: 0, count: 512)

        /// The palette of a section of `weights` as `core`'s encoder builds it.
        init<Weights: Collection<Int16>>(_ weights: Weights, core: EthosUSection.Core) {
            var frequency = [Int](repeating: 0, count: 512)
            for weight in weights { frequency[Int(weight) + 256] += 1 }
            switch core {
            case .python: zeroRuns = Self.pythonUsesZeroRuns(frequency)
            case .regor: zeroRuns = Self.regorUsesZeroRuns(weights, frequency: frequency)
            }

            // Sign-magnitude codes sorted by frequency, then by code, both descending.
            var keyed = [UInt64](repeating: 0, count: 512)
            var total = 0, largestCode = 0
            for value in -255...255 where !(value == 0 && zeroRuns) {
                let code = abs(value) << 1 | (value < 0 ? 1 : 0)
                let count = frequency[value + 256]
                keyed[code] = UInt64(count) << 16 | UInt64(code)
                total += count
                if count > 0 { largestCode = max(largestCode, code) }
            }
            directOffset = (0..<31).first { keyed[$0] >> 16 != 0 } ?? 31
            keyed.sort(by: >)
            onlyZeros = keyed[0] >> 16 == 0
            if onlyZeros { directOffset = 0 }
            onlyPalette = keyed[0] >> 16 > 0 && keyed[32] >> 16 == 0
            var capacity = onlyPalette ? 32 : min(32, 511 - largestCode)
            if !onlyPalette, capacity == 1 { capacity = 0 }  // a palette of one entry is not supported
            var taken: [Int] = [], inPalette = 0, largestEntry = 0
            for slot in 0..<capacity {
                let count = Int(keyed[slot] >> 16)
                if count == 0 { break }
                let code = Int(keyed[slot] & 0xffff)
                taken.append(code)
                largestEntry = max(largestEntry, code)
                inPalette += count
            }
            if taken.count == 1 { taken.append(0) }
            // The palette is used when it covers more than half of the weights (the default core:
            // at least half).
            let bitsFor: Int
            if core == .python ? inPalette > total / 2 : inPalette >= total / 2 {
                entries = taken
                bitsFor = largestEntry
            } else {
                entries = []
                bitsFor = largestCode
            }
            while 1 << entryBits <= bitsFor { entryBits += 1 }

            // Direct codes after the palette (zero's code 1 overwrites code 0), then palette slots.
            for code in 0..<512 {
                let magnitude = code >> 1, weight = code & 1 == 1 ? -magnitude : magnitude
                index[weight + 256] = code + entries.count - directOffset
            }
            for (slot, code) in entries.enumerated() {
                let magnitude = code >> 1
                index[(code & 1 == 1 ? -magnitude : magnitude) + 256] = slot
            }
        }

        /// The Python codec codes zeros as runs when zero is the most frequent value and more than
        /// 4× as frequent as the next (`mlw_encode.c`, `create_palette`; the first of equal counts
        /// in value order is the more frequent).
        static func pythonUsesZeroRuns(_ frequency: [Int]) -> Bool {
            var top = (count: 0, value: 0), second = (count: 0, value: 0)
            for slot in 0..<512 {
                if frequency[slot] > top.count {
                    second = top
                    top = (frequency[slot], slot - 256)
                } else if frequency[slot] > second.count {
                    second = (frequency[slot], slot - 256)
                }
            }
            return top.value == 0 && top.count > 4 * second.count
        }

        /// The default core codes zeros as runs when at least half of them lie in runs of two or
        /// more and they outnumber the most frequent non-zero value more than 5× (`update_palette`:
        /// `MIN_ZERO_RUN_LENGTH` 2, `ZERO_FREQ_THRESHOLD` 5).
        static func regorUsesZeroRuns<Weights: Collection<Int16>>(_ weights: Weights, frequency: [Int]) -> Bool {
            var zeros = 0, inRuns = 0, run = 0
            for weight in weights {
                if weight == 0 {
                    zeros += 1
                    run += 1
                } else {
                    if run >= 2 { inRuns += run }
                    run = 0
                }
            }
            if run >= 2 { inRuns += run }
            let commonest = (0..<512).lazy.filter { $0 != 256 }.map { frequency[$0] }.max() ?? 0
            return inRuns >= zeros / 2 && zeros > 5 * commonest
        }
    }

    /// The bits of an uncompressed index in a section with `palette`: the palette's index width
    /// when every value is in it, the widest code without a palette, otherwise none (100: never chosen).
    static func uncompressedBits(_ palette: Palette) -> Int {
        if palette.onlyPalette {
            var bits = 0
            while 1 << bits < palette.entries.count { bits += 1 }
            return bits
        }
        return palette.entries.isEmpty ? palette.entryBits : 100
    }

    /// A section's two symbol streams: each non-run weight's palette index and, with zero runs,
    /// the run of zeros before each of them and after the last (an all-zero section codes its
    /// first zero as a weight so that its slice is not empty).
    static func symbols<Weights: Collection<Int16>>(_ weights: Weights, palette: Palette) -> (indices: [Int], runs: [Int]) {
        var indices: [Int] = [], runs: [Int] = []
        var i = weights.startIndex
        while true {
            if palette.zeroRuns {
                var run = 0
                if !palette.onlyZeros || i != weights.startIndex {
                    while i != weights.endIndex, weights[i] == 0 {
                        run += 1
                        i = weights.index(after: i)
                    }
                }
                runs.append(run)
            }
            if i == weights.endIndex { break }
            indices.append(palette.index[Int(weights[i]) + 256])
            i = weights.index(after: i)
        }
        return (indices, runs)
    }

    // MARK: - Bitstream

    /// Bits appended least significant first.
    struct BitWriter {
        var bytes: [UInt8] = []
        var bitCount = 0

        mutating func put(_ value: Int, bits: Int) {
            var written = 0
            while written < bits {
                let offset = bitCount & 7
                if offset == 0 { bytes.append(0) }
                let take = min(8 - offset, bits - written)
                bytes[bytes.count - 1] |= UInt8(truncatingIfNeeded: ((value >> written) & ((1 << take) - 1)) << offset)
                written += take
                bitCount += take
            }
        }
    }

    /// A section's slices from its start: each ends at the nearer of the two streams' next
    /// parameter boundaries (or after the longest slice) and codes its weights with the
    /// parameters in force there; the first carries the palette and the zero run before its
    /// first weight.
    static func writeSlices(indices: [Int], runs: [Int], palette: Palette, uncompressedBits: Int,
                            weightSlices: (parameters: [Int], ends: [Int]), runSlices: (parameters: [Int], ends: [Int]),
                            into writer: inout BitWriter) {
        var position = 0, nextWeight = 0, nextRun = 0, first = true
        while position < indices.count || first {
            var end = position + maximumSliceLength
            if nextWeight < weightSlices.ends.count { end = min(end, weightSlices.ends[nextWeight]) }
            if nextRun < runSlices.ends.count { end = min(end, runSlices.ends[nextRun]) }
            end = min(end, indices.count)
            // The first slice codes the runs before and after its weights; later ones only after.
            let sliceRuns = palette.zeroRuns ? runs[(position + (first ? 0 : 1))...] : []
            writeSlice(weights: indices[position..<end], runs: sliceRuns, palette: palette, newPalette: first,
                       uncompressedBits: uncompressedBits,
                       weightParameter: Int(weightParameters[weightSlices.parameters[min(nextWeight, weightSlices.parameters.count - 1)]]),
                       runParameter: Int(zeroRunParameters[runSlices.parameters[min(nextRun, runSlices.parameters.count - 1)]]),
                       into: &writer)
            first = false
            if nextWeight < weightSlices.ends.count, weightSlices.ends[nextWeight] == end { nextWeight += 1 }
            if nextRun < runSlices.ends.count, runSlices.ends[nextRun] == end { nextRun += 1 }
            position = end
        }
    }

    /// One slice: its header (and palette if new), then chunks of up to 12 weight and 8–12 run
    /// quotients in unary, each chunk followed by the previous chunk's remainders.
    static func writeSlice(weights: ArraySlice<Int>, runs: ArraySlice<Int>, palette: Palette, newPalette: Bool, uncompressedBits: Int,
                           weightParameter: Int, runParameter: Int, into writer: inout BitWriter) {
        let uncompressed = weightParameter >> 4 == 2, truncated = weightParameter >> 4 == 1
        let weightDivisor = uncompressed ? uncompressedBits : weightParameter & 15
        let runDivisor = runParameter & 15
        writer.put(palette.zeroRuns ? runDivisor : zeroDivisorDisabled, bits: 3)
        writer.put(weights.count - 1, bits: 15)
        writer.put(uncompressed ? weightDivisorUncompressed : weightDivisor, bits: 3)
        writer.put(truncated ? 1 : 0, bits: 1)
        writer.put(newPalette ? 1 : 0, bits: 1)
        if newPalette {
            writer.put(palette.directOffset, bits: 5)
            writer.put(max(0, palette.entries.count - 1), bits: 5)
            writer.put(palette.entryBits - 2, bits: 3)
            for entry in palette.entries { writer.put(entry, bits: palette.entryBits) }
        }
        let runCount = weights.count + (newPalette ? 1 : 0)
        let runUnaryBits = runDivisor < 3 ? 12 : 8
        let weightSymbols = uncompressed && weightDivisor > 5 ? 8 : 12
        var weightPosition = 0, runPosition = 0
        var weightQuotient = -1, weightRemainder = 0, runQuotient = -1, runRemainder = 0
        var previousWeights: [Int]? = nil, previousRuns: [Int]? = nil
        repeat {
            let balance = palette.zeroRuns ? weightPosition - runPosition : 0
            let weightsOn = balance < 8 && weightPosition < weights.count
            let runsOn = balance >= 0 && palette.zeroRuns && runPosition < runCount
            var unary0 = 0, unary1 = 0, unary1Bits = 0, weightRemainders: [Int] = []
            if weightsOn {
                var symbol = 0
                while symbol < weightSymbols {
                    if weightQuotient < 0 {
                        if weightPosition < weights.count {
                            weightQuotient = weights[weights.startIndex + weightPosition] >> weightDivisor
                            weightRemainder = weights[weights.startIndex + weightPosition] & ((1 << weightDivisor) - 1)
                        } else {
                            weightQuotient = 0
                            weightRemainder = -1  // padding: no remainder
                        }
                    }
                    while weightQuotient >= 0, symbol < weightSymbols {
                        if weightQuotient > 0 {
                            unary0 |= 1 << symbol
                            if weightQuotient > 1 { unary1 |= 1 << unary1Bits }
                            unary1Bits += 1
                        }
                        symbol += 1
                        weightQuotient -= truncated ? 3 : 2
                    }
                    if weightQuotient < 0, weightRemainder >= 0 {
                        weightRemainders.append(weightRemainder)
                        weightPosition += 1
                    }
                }
            }
            var runUnary = 0, runRemainders: [Int] = []
            if runsOn {
                var symbol = 0
                while symbol < runUnaryBits {
                    if runQuotient < 0 {
                        if runPosition < runCount {
                            runQuotient = runs[runs.startIndex + runPosition] >> runDivisor
                            runRemainder = runs[runs.startIndex + runPosition] & ((1 << runDivisor) - 1)
                        } else {
                            runQuotient = 0
                            runRemainder = -1
                        }
                    }
                    while runQuotient >= 0, symbol < runUnaryBits {
                        if runQuotient > 0 { runUnary |= 1 << symbol }
                        symbol += 1
                        runQuotient -= 1
                    }
                    if runQuotient < 0, runRemainder >= 0 {
                        runRemainders.append(runRemainder)
                        runPosition += 1
                    }
                }
            }
            if weightsOn, !uncompressed { writer.put(unary0, bits: 12) }
            if runsOn { writer.put(runUnary, bits: runUnaryBits) }
            if weightsOn, !uncompressed { writer.put(unary1, bits: unary1Bits) }
            for remainder in previousWeights ?? [] { writer.put(remainder, bits: weightDivisor) }
            for remainder in previousRuns ?? [] { writer.put(remainder, bits: runDivisor) }
            previousWeights = weightsOn ? weightRemainders : nil
            previousRuns = runsOn ? runRemainders : nil
        } while previousWeights != nil || previousRuns != nil
    }
}
