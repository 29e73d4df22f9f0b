/// The Ethos-U's weight-stream compression, as Vela 5.2 encodes it (`ethosu/mlw_codec/mlw_encode.c`,
/// `mlw_encode`; re-derived from that source, Apache-2.0).
///
/// A stream of signed 9-bit weights is cut into *sections*, each with its own palette (up to 32
/// most frequent values, chosen where a smaller palette saves bits). Within a section each weight
/// becomes an index (a palette slot, or the value's sign-magnitude code offset past the palette)
/// and, when zero is at least 4× as frequent as any other value, zeros are taken out and coded as
/// run lengths in a second, interleaved stream. Both streams are Golomb–Rice coded; the divisor
/// (and a truncated or uncompressed mode) is chosen per run of values by a Viterbi search that
/// charges 40 bits for every parameter change. Each parameter run is a *slice* with a header
/// (zero-run divisor, length, weight divisor, truncation, palette). The stream ends with an
/// end-of-stream code, padded with ones to a multiple of 16 bytes. The decoder is the NPU; Kiln
/// needs the encoder for its output size, which sets how long the weights' DMA takes.
enum EthosUWeightCodec {
    /// The encoded stream of `weights` (each in −255…255).
    static func encode(_ weights: [Int16]) -> [UInt8] {
        var writer = BitWriter()
        let restarts = paletteSections(weights)
        for (index, start) in restarts.enumerated() {
            let end = index + 1 < restarts.count ? restarts[index + 1] : weights.count
            let section = Array(weights[start..<end])
            encodeSection(section, palette: Palette(section), into: &writer)
        }
        writer.put(endOfStream, bits: 3)
        writer.put(0xff, bits: (8 - writer.bitCount % 8) % 8)
        while writer.bitCount % 128 != 0 { writer.put(0xff, bits: 8) }
        return writer.bytes
    }

    /// Slice-header codes (`mlw_common.h`): zero runs off, end of stream, uncompressed weights.
    static let zeroDivisorDisabled = 6, endOfStream = 7, weightDivisorUncompressed = 7
    /// A zero is coded as a run only if zero is this many times as frequent as the next value.
    static let zeroRunThreshold = 4
    /// Weight Golomb–Rice parameters: `(truncated << 4) | divisor`; `0x20` is uncompressed.
    static let weightParameters: [UInt8] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x20]
    /// Zero-run divisors searched (0…3).
    static let zeroRunParameters: [UInt8] = [0x00, 0x01, 0x02, 0x03]
    /// Bits the parameter search charges for starting a new slice.
    static let parameterChangeBits: Int32 = 40
    /// The longest slice.
    static let maximumSliceLength = 32767

    // MARK: - Sections and palettes

    /// Where the stream starts a new palette: a restart when extending the current palette
    /// would cost an index bit over a long run, or when a palette over the last 32…512 non-zero
    /// values would save bits against the current one (or against none).
    static func paletteSections(_ stream: [Int16]) -> [Int] {
        var restarts = [0]
        var lastRestart = 0, paletteSize = 0, zeroCount = 0, hasPalette = false
        var seen = [Int](repeating: -1, count: 512)
        stream.withUnsafeBufferPointer { weights in
            seen.withUnsafeMutableBufferPointer { lastSeen in
                for i in 0..<weights.count {
                    let value = Int(weights[i]) + 256
                    let excludeZero = zeroCount > (i - lastRestart) / 4 ? 1 : 0
                    if hasPalette, lastSeen[value] < lastRestart {
                        paletteSize += 1
                        let grown = paletteSize - 1 - excludeZero
                        if (grown - 1) & grown == 0, i - lastRestart - zeroCount > 512 || paletteSize - excludeZero > 32 {
                            restarts.append(i)
                            lastRestart = i
                            hasPalette = false
                            zeroCount = 0
                        }
                    }
                    lastSeen[value] = i
                    if weights[i] == 0 { zeroCount += 1 }
                    for window in paletteWindows {
                        let span = window * (hasPalette ? 2 : 1)
                        let nonZero = i - lastRestart - zeroCount
                        guard nonZero > 0, nonZero % span == 0 else { continue }
                        // Back to `span` non-zero values earlier.
                        var start = i, counted = 0
                        while start > lastRestart {
                            if weights[start] != 0 {
                                if counted == span + 1 { break }
                                counted += 1
                            }
                            start -= 1
                        }
                        var newSize = 0
                        for slot in 0..<512 where lastSeen[slot] >= start { newSize += 1 }
                        let create: Bool
                        if hasPalette {
                            let newBits = indexBits(newSize - excludeZero), oldBits = indexBits(paletteSize - excludeZero)
                            create = span * (oldBits * 15 - newBits * 15) / 16 - newSize * 8 - 20 > 0
                        } else if newSize - excludeZero <= 32 {
                            create = span * (90 - indexBits(newSize - excludeZero) * 15) / 16 - newSize * 8 - 20 > 0
                        } else {
                            create = false
                        }
                        guard create else { continue }
                        paletteSize = newSize
                        hasPalette = true
                        lastRestart = start
                        if restarts.last != lastRestart { restarts.append(lastRestart) }
                        zeroCount = 0
                        for j in lastRestart...i where weights[j] == 0 { zeroCount += 1 }
                    }
                }
            }
        }
        return restarts
    }

    /// The spans of non-zero values over which a new palette is tried (doubled once one is in use).
    static let paletteWindows = [32, 64, 128, 256, 512]

    /// Bits of a palette index for a palette of `size` entries.
    static func indexBits(_ size: Int) -> Int {
        for bit in stride(from: 7, through: 0, by: -1) where size > 1 << bit { return bit + 1 }
        return 0
    }

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

        init(_ weights: [Int16]) {
            var frequency = [Int](repeating: 0, count: 512)
            for weight in weights { frequency[Int(weight) + 256] += 1 }
            var top = (count: 0, value: 0), second = (count: 0, value: 0)
            for slot in 0..<512 {
                if frequency[slot] > top.count {
                    second = top
                    top = (frequency[slot], slot - 256)
                } else if frequency[slot] > second.count {
                    second = (frequency[slot], slot - 256)
                }
            }
            zeroRuns = top.value == 0 && top.count > zeroRunThreshold * second.count

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
            // The palette is used when it covers more than half of the weights.
            let bitsFor: Int
            if inPalette > total / 2 {
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
    }

    // MARK: - Golomb–Rice parameter search

    /// Slices of a value stream: each slice's parameter (an index into the parameter table) and
    /// its end (exclusive), by a Viterbi search over the parameters, where a slice boundary the
    /// other stream already has (`freeBoundaries`) costs no extra bits.
    static func searchParameters(_ values: [Int], zeroRuns: Bool, uncompressedBits: Int,
                                 freeBoundaries: [Int] = []) -> (parameters: [Int], ends: [Int]) {
        let table = zeroRuns ? zeroRunParameters : weightParameters
        let count = values.count, width = count + 1
        // bits[p * width + i]: cheapest bits to code values[..<i] ending with parameter p; previous[...] its predecessor.
        var bits = [Int32](repeating: 0, count: table.count * width)
        var previous = [UInt8](repeating: 0, count: table.count * width)
        for parameter in table.indices { previous[parameter * width] = UInt8(parameter) }
        var free = 0
        let divisors = table.map { Int($0 & 15) }, modes = table.map { Int($0 >> 4) }
        bits.withUnsafeMutableBufferPointer { bits in
            previous.withUnsafeMutableBufferPointer { previous in
                for i in 0..<count {
                    var best = Int32.max, bestParameter = 0
                    for parameter in table.indices where bits[parameter * width + i] < best {
                        best = bits[parameter * width + i]
                        bestParameter = parameter
                    }
                    var change = parameterChangeBits
                    if free < freeBoundaries.count, freeBoundaries[free] == i + 1 {
                        change = 0
                        free += 1
                    }
                    let value = values[i]
                    for parameter in table.indices {
                        let divisor = divisors[parameter], mode = modes[parameter]
                        let quotient = value >> divisor
                        var cost = mode == 1 ? min(quotient + 1, 2) + divisor : quotient + 1 + divisor
                        if !zeroRuns, (mode == 1 && quotient > 2) || quotient > 31 { cost = 10000 }
                        if mode == 2 { cost = uncompressedBits }
                        let here = parameter * width + i
                        if best &+ change < bits[here] {
                            previous[here + 1] = UInt8(bestParameter)
                            bits[here + 1] = best &+ change &+ Int32(cost)
                        } else {
                            previous[here + 1] = UInt8(parameter)
                            bits[here + 1] = bits[here] &+ Int32(cost)
                        }
                    }
                }
            }
        }
        var parameter = 0, best = Int32.max
        for candidate in table.indices where bits[candidate * width + count] < best {
            best = bits[candidate * width + count]
            parameter = candidate
        }
        var parameters: [Int] = [], ends: [Int] = [], end = count
        for i in stride(from: count, through: 0, by: -1) {
            let before = Int(previous[parameter * width + i])
            if before != parameter || i == 0 {
                parameters.append(parameter)
                ends.append(end)
                parameter = before
                end = i - 1
            }
        }
        return (parameters.reversed(), ends.reversed())
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

    /// One section: its weight indices and zero runs, parameter-searched, written slice by slice.
    static func encodeSection(_ weights: [Int16], palette: Palette, into writer: inout BitWriter) {
        // Bits of an uncompressed index: only when every value is in the palette, or there is none.
        let uncompressedBits: Int
        if palette.onlyPalette {
            var bits = 0
            while 1 << bits < palette.entries.count { bits += 1 }
            uncompressedBits = bits
        } else if palette.entries.isEmpty {
            uncompressedBits = palette.entryBits
        } else {
            uncompressedBits = 100
        }
        var indices: [Int] = [], runs: [Int] = []
        var i = 0
        while true {
            if palette.zeroRuns {
                // An all-zero section codes its first zero as a weight so that the slice is not empty.
                var run = 0
                if !palette.onlyZeros || i > 0 {
                    while i < weights.count, weights[i] == 0 {
                        run += 1
                        i += 1
                    }
                }
                runs.append(run)
            }
            if i == weights.count { break }
            indices.append(palette.index[Int(weights[i]) + 256])
            i += 1
        }
        var weightSlices = searchParameters(indices, zeroRuns: false, uncompressedBits: uncompressedBits)
        if indices.isEmpty { weightSlices.ends = [] }
        let runSlices = palette.zeroRuns
            ? searchParameters(runs, zeroRuns: true, uncompressedBits: 0, freeBoundaries: weightSlices.ends) : (parameters: [0], ends: [])
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
