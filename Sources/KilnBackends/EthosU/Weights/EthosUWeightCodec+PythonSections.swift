/// The Python core's sections and parameter search (`ethosu/mlw_codec/mlw_encode.c`: palette
/// sections by `search_palette_sections`, a Viterbi `search_grc_params` per stream, slices cut
/// at every boundary of either stream by `encode_section`).
extension EthosUWeightCodec {
    /// The Python codec's sections, each with its own palette, written slice by slice.
    static func encodePythonSections(_ weights: [Int16], into writer: inout BitWriter) {
        let restarts = paletteSections(weights)
        for (index, start) in restarts.enumerated() {
            let end = index + 1 < restarts.count ? restarts[index + 1] : weights.count
            let section = weights[start..<end]
            encodeSection(section, palette: Palette(section, core: .python), into: &writer)
        }
    }

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
        bits.withUnsafeMutableBufferPointer { bits in
            previous.withUnsafeMutableBufferPointer { previous in
                for i in 0..<count {
                    var best = Int32.max, bestParameter = 0
                    for parameter in table.indices where bits[parameter * width + i] < best {
                        best = bits[parameter * width + i]
                        bestParameter = parameter
                    }
                    var change = Int32(parameterChangeBits)
                    if free < freeBoundaries.count, freeBoundaries[free] == i + 1 {
                        change = 0
                        free += 1
                    }
                    let value = values[i]
                    for parameter in table.indices {
                        // A parameter that cannot code the value costs 10,000 bits (`mlw_encode.c`).
                        let cost = parameterCost(value, parameter: table[parameter], zeroRuns: zeroRuns,
                                                 uncompressedBits: uncompressedBits) ?? 10000
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

    /// One section: its weight indices and zero runs, parameter-searched (the zero runs with the
    /// weight stream's boundaries free), written slice by slice.
    static func encodeSection(_ weights: ArraySlice<Int16>, palette: Palette, into writer: inout BitWriter) {
        let uncompressedBits = uncompressedBits(palette)
        let (indices, runs) = symbols(weights, palette: palette)
        var weightSlices = searchParameters(indices, zeroRuns: false, uncompressedBits: uncompressedBits)
        if indices.isEmpty { weightSlices.ends = [] }
        let runSlices = palette.zeroRuns
            ? searchParameters(runs, zeroRuns: true, uncompressedBits: 0, freeBoundaries: weightSlices.ends) : (parameters: [0], ends: [])
        writeSlices(indices: indices, runs: runs, palette: palette, uncompressedBits: uncompressedBits,
                    weightSlices: weightSlices, runSlices: runSlices, into: &writer)
    }
}
