/// The default core's sections and parameter search (`ethosu/regor/dependencies/mlw_codec/source/`:
/// `ml_encode_ethosu_stream` in `ml_ethosu_encode.cpp`, `ml_encode_section` and `search_grc_params`
/// in `mlw_encode.cpp`).
extension EthosUWeightCodec {
    /// Values per section: `EthosU55WeightEncoder::EncodeWeights` asks the source for 128 Ki
    /// values at a time (`mle_encode_proxy(source, 128 * 1024, …)`), and `ml_encode_ethosu_stream`
    /// encodes every buffer it receives as a section with a new palette.
    static let regorSectionLength = 128 * 1024

    /// The default core's sections, each with its own palette, written slice by slice.
    static func encodeRegorSections(_ weights: [Int16], into writer: inout BitWriter) {
        for start in stride(from: 0, to: weights.count, by: regorSectionLength) {
            let section = weights[start..<min(start + regorSectionLength, weights.count)]
            encodeRegorSection(section, into: &writer)
        }
    }

    /// One section: both symbol streams searched apart, then written slice by slice
    /// (`ml_encode_section`). The zero-run stream is always one slice: every zero-run parameter
    /// codes every run, so whenever the search would switch, the cheaper parameter has been codable
    /// as long as the active one and takes its slice over. (`ml_encode_section` codes a slice up
    /// to the weight stream's next boundary but advances only to the nearer of the two streams'
    /// boundaries; with one zero-run slice, ending past the last weight, the two agree.)
    static func encodeRegorSection(_ weights: ArraySlice<Int16>, into writer: inout BitWriter) {
        let palette = Palette(weights, core: .regor)
        let uncompressedBits = uncompressedBits(palette)
        let (indices, runs) = symbols(weights, palette: palette)
        let weightSlices = greedyParameters(indices, zeroRuns: false, uncompressedBits: uncompressedBits)
        let runSlices = palette.zeroRuns ? greedyParameters(runs, zeroRuns: true, uncompressedBits: 0) : (parameters: [0], ends: [])
        writeSlices(indices: indices, runs: runs, palette: palette, uncompressedBits: uncompressedBits,
                    weightSlices: weightSlices, runSlices: runSlices, into: &writer)
    }

    /// Slices of a value stream by the default core's greedy forward search: each slice's
    /// parameter (an index into the parameter table) and its end (exclusive).
    ///
    /// Every parameter keeps a running bit count; one that could not code the previous value
    /// restarts from the active parameter's count, and one that cannot code this value is
    /// charged the 40-bit change instead. The search switches to the cheapest parameter when the
    /// active one cannot code the value or the cheapest plus the change is below the active one's
    /// count; the switch ends the active slice there, unless the cheapest parameter has been
    /// codable since before the active one and is cheaper, in which case it takes over the active
    /// slice. The last slice runs to the end.
    static func greedyParameters(_ values: [Int], zeroRuns: Bool, uncompressedBits: Int) -> (parameters: [Int], ends: [Int]) {
        guard !values.isEmpty else { return ([], []) }
        let table = zeroRuns ? zeroRunParameters : weightParameters
        var bits = [Int](repeating: 0, count: table.count), codableFrom = [Int](repeating: 0, count: table.count)
        var coded = [Bool](repeating: false, count: table.count)
        var active = -1, activeBits = 0
        var parameters: [Int] = [], ends: [Int] = []
        for (i, value) in values.enumerated() {
            var best = Int.max, bestParameter = 0
            for parameter in table.indices {
                let cost = parameterCost(value, parameter: table[parameter], zeroRuns: zeroRuns, uncompressedBits: uncompressedBits)
                if let cost {
                    if !coded[parameter] { bits[parameter] = activeBits }
                    bits[parameter] += cost
                    if bits[parameter] < best {
                        best = bits[parameter]
                        bestParameter = parameter
                    }
                } else {
                    codableFrom[parameter] = i + 1
                    bits[parameter] += parameterChangeBits
                }
                coded[parameter] = cost != nil
            }
            if active == -1 || !coded[active] || (bestParameter != active && best + parameterChangeBits < activeBits) {
                if active != -1, !(bits[bestParameter] < bits[active] && codableFrom[bestParameter] <= codableFrom[active]) {
                    parameters.append(active)
                    ends.append(i)
                }
                active = bestParameter
            }
            activeBits = bits[active]
        }
        if parameters.last != active {
            parameters.append(active)
            ends.append(values.count)
        } else {
            ends[ends.count - 1] = values.count
        }
        return (parameters, ends)
    }
}
