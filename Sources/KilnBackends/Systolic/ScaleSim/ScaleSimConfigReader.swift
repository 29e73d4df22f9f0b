import KilnDiagnostics

/// Reads SCALE-Sim v3 `.cfg` files (Python `configparser` syntax) into ``ScaleSimConfig``.
///
/// Syntax as `configparser` reads it: `[section]` headers, `key = value` or `key: value`
/// lines, keys case-insensitive, `#` and `;` comment lines. The keys are the ones
/// `scalesim/scale_config.py` (`read_conf_file`) reads: `[general] run_name`,
/// `[architecture_presets]` (array, SRAM sizes, offsets, dataflow, `Bandwidth`, request
/// buffers), `[run_presets]` (`InterfaceBandwidth` USER/CALC, `UseRamulatorTrace`), and the
/// optional `[layout]`, `[sparsity]` and `[network_presets]` sections. Unknown sections and keys,
/// duplicate keys, missing keys and bad values are errors naming the file, line and key.
public struct ScaleSimConfigReader: Sendable {
    /// Creates a reader.
    public init() {}

    private struct Entry {
        var value: String
        var line: Int
    }

    private static let knownKeys: [String: Set<String>] = [
        "general": ["run_name"],
        "architecture_presets": ["arrayheight", "arraywidth", "ifmapsramszkb", "filtersramszkb", "ofmapsramszkb",
                                 "ifmapoffset", "filteroffset", "ofmapoffset", "dataflow", "bandwidth",
                                 "readrequestbuffer", "writerequestbuffer", "memorybanks"],
        "layout": ["ifmapcustomlayout", "ifmapsrambankbandwidth", "ifmapsrambanknum", "ifmapsrambankport",
                   "filtercustomlayout", "filtersrambankbandwidth", "filtersrambanknum", "filtersrambankport"],
        "sparsity": ["sparsitysupport", "sparserep", "optimizedmapping", "blocksize", "randomnumbergeneratorseed", "nonzeroelems"],
        "run_presets": ["interfacebandwidth", "useramulatortrace"],
        "network_presets": ["topologycsvloc", "layoutcsvloc"],
    ]

    /// Reads a configuration from its text.
    /// - Parameters:
    ///   - text: the `.cfg` text.
    ///   - file: the file name used in diagnostics.
    /// - Throws: ``DiagnosticError`` naming the line and key of the first problem.
    /// - Complexity: O(n) in the text.
    public func read(text: String, file: String) throws(DiagnosticError) -> ScaleSimConfig {
        var sections: [String: [String: Entry]] = [:]
        var sectionLines: [String: Int] = [:]
        var current: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.scaleSimTrimmed(" \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw DiagnosticError(.error("a section header must end with ']'", file: file, place: "line \(lineNumber)"))
                }
                let name = String(line.dropFirst().dropLast()).scaleSimTrimmed(" ")
                guard Self.knownKeys[name] != nil else {
                    throw DiagnosticError(.error("unknown section '[\(name)]'; expected one of \(Self.knownKeys.keys.sorted().map { "[\($0)]" }.joined(separator: ", "))",
                                                 file: file, place: "line \(lineNumber)"))
                }
                guard sections[name] == nil else {
                    throw DiagnosticError(.error("section '[\(name)]' appears twice (first on line \(sectionLines[name] ?? 0))", file: file, place: "line \(lineNumber)"))
                }
                sections[name] = [:]
                sectionLines[name] = lineNumber
                current = name
                continue
            }
            guard let section = current else {
                throw DiagnosticError(.error("a key before any [section] header", file: file, place: "line \(lineNumber)"))
            }
            let separator = line.firstIndex { $0 == "=" || $0 == ":" }
            guard let separator else {
                throw DiagnosticError(.error("expected 'key = value' or 'key: value'", file: file, place: "line \(lineNumber)"))
            }
            let key = String(line[..<separator]).scaleSimTrimmed(" \t").lowercased()
            let value = String(line[line.index(after: separator)...]).scaleSimTrimmed(" \t")
            guard Self.knownKeys[section, default: []].contains(key) else {
                throw DiagnosticError(.error("unknown key '\(key)' in [\(section)]", file: file, place: "line \(lineNumber)"))
            }
            if let previous = sections[section]?[key] {
                throw DiagnosticError(.error("key '\(key)' appears twice in [\(section)] (first on line \(previous.line))", file: file, place: "line \(lineNumber)"))
            }
            sections[section]?[key] = Entry(value: value, line: lineNumber)
        }
        var fields = Fields(sections: sections, sectionLines: sectionLines, file: file)
        return try fields.config()
    }

    /// Reads a `.cfg` file.
    /// - Parameters:
    ///   - path: the file to read.
    ///   - displayName: the name used in diagnostics (defaults to `path`).
    /// - Throws: ``DiagnosticError`` if the file cannot be read or is malformed.
    public func read(contentsOf path: String, displayName: String? = nil) throws(DiagnosticError) -> ScaleSimConfig {
        let name = displayName ?? path
        return try read(text: ScaleSimFile.text(at: path, name: name), file: name)
    }

    private struct Fields {
        var sections: [String: [String: Entry]]
        var sectionLines: [String: Int]
        var file: String

        func entry(_ section: String, _ key: String, displayKey: String) throws(DiagnosticError) -> Entry {
            guard let keys = sections[section] else {
                throw DiagnosticError(.error("missing section [\(section)] (needed for \(displayKey))", file: file))
            }
            guard let entry = keys[key.lowercased()] else {
                throw DiagnosticError(.error("missing key '\(displayKey)' in [\(section)]", file: file, place: "line \(sectionLines[section] ?? 0)"))
            }
            return entry
        }

        func integer(_ section: String, _ key: String, in range: ClosedRange<Int>) throws(DiagnosticError) -> Int {
            let entry = try entry(section, key, displayKey: key)
            guard let value = Int(entry.value), range.contains(value) else {
                throw DiagnosticError(.error("'\(key)' must be an integer in \(range.lowerBound)...\(range.upperBound), found '\(entry.value)'",
                                             file: file, place: "line \(entry.line), key \(key)"))
            }
            return value
        }

        func boolean(_ section: String, _ key: String) throws(DiagnosticError) -> Bool {
            let entry = try entry(section, key, displayKey: key)
            // configparser.getboolean's spellings.
            switch entry.value.lowercased() {
            case "1", "yes", "true", "on": return true
            case "0", "no", "false", "off": return false
            default:
                throw DiagnosticError(.error("'\(key)' must be True or False, found '\(entry.value)'", file: file, place: "line \(entry.line), key \(key)"))
            }
        }

        func string(_ section: String, _ key: String) throws(DiagnosticError) -> String {
            try entry(section, key, displayKey: key).value
        }

        mutating func config() throws(DiagnosticError) -> ScaleSimConfig {
            let big = Int(Int32.max)
            let arch = "architecture_presets"
            let runName = try string("general", "run_name")
            let rows = try integer(arch, "ArrayHeight", in: 1...65536)
            let columns = try integer(arch, "ArrayWidth", in: 1...65536)
            let ifmapSram = try integer(arch, "IfmapSramSzkB", in: 1...big)
            let filterSram = try integer(arch, "FilterSramSzkB", in: 1...big)
            let ofmapSram = try integer(arch, "OfmapSramSzkB", in: 1...big)
            let ifmapOffset = try integer(arch, "IfmapOffset", in: 0...Int(Int64.max))
            let filterOffset = try integer(arch, "FilterOffset", in: 0...Int(Int64.max))
            let ofmapOffset = try integer(arch, "OfmapOffset", in: 0...Int(Int64.max))
            let dataflowEntry = try entry(arch, "Dataflow", displayKey: "Dataflow")
            guard let dataflow = ScaleSimConfig.Dataflow(rawValue: dataflowEntry.value) else {
                throw DiagnosticError(.error("'Dataflow' must be os, ws or is, found '\(dataflowEntry.value)'", file: file, place: "line \(dataflowEntry.line), key Dataflow"))
            }
            let readBuffer = try integer(arch, "ReadRequestBuffer", in: 1...big)
            let writeBuffer = try integer(arch, "WriteRequestBuffer", in: 1...big)
            let modeEntry = try entry("run_presets", "InterfaceBandwidth", displayKey: "InterfaceBandwidth")
            let mode: ScaleSimConfig.InterfaceBandwidth
            switch modeEntry.value {
            case "USER": mode = .user
            case "CALC": mode = .calc
            default:
                throw DiagnosticError(.error("'InterfaceBandwidth' must be USER or CALC, found '\(modeEntry.value)'", file: file, place: "line \(modeEntry.line), key InterfaceBandwidth"))
            }
            let ramulator = sections["run_presets"]?["useramulatortrace"] == nil ? false : try boolean("run_presets", "UseRamulatorTrace")
            var bandwidths: [Int] = []
            if let entry = sections[arch]?["bandwidth"] {
                for part in entry.value.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let value = Int(part.scaleSimTrimmed(" ")), value >= 1, value <= big else {
                        throw DiagnosticError(.error("'Bandwidth' must be a comma-separated list of integers ≥ 1, found '\(entry.value)'", file: file, place: "line \(entry.line), key Bandwidth"))
                    }
                    bandwidths.append(value)
                }
            } else if mode == .user {
                throw DiagnosticError(.error("missing key 'Bandwidth' in [\(arch)]: InterfaceBandwidth USER needs it", file: file, place: "line \(modeEntry.line)"))
            }
            var layout: ScaleSimConfig.Layout?
            if sections["layout"] != nil {
                layout = ScaleSimConfig.Layout(
                    ifmapCustomLayout: try boolean("layout", "IfmapCustomLayout"),
                    ifmapSramBankBandwidth: try integer("layout", "IfmapSRAMBankBandwidth", in: 1...big),
                    ifmapSramBankCount: try integer("layout", "IfmapSRAMBankNum", in: 1...big),
                    ifmapSramBankPorts: try integer("layout", "IfmapSRAMBankPort", in: 1...big),
                    filterCustomLayout: try boolean("layout", "FilterCustomLayout"),
                    filterSramBankBandwidth: try integer("layout", "FilterSRAMBankBandwidth", in: 1...big),
                    filterSramBankCount: try integer("layout", "FilterSRAMBankNum", in: 1...big),
                    filterSramBankPorts: try integer("layout", "FilterSRAMBankPort", in: 1...big))
            }
            var sparsity: ScaleSimConfig.Sparsity?
            if sections["sparsity"] != nil {
                sparsity = ScaleSimConfig.Sparsity(
                    supported: try boolean("sparsity", "SparsitySupport"),
                    representation: try string("sparsity", "SparseRep"),
                    optimizedMapping: try boolean("sparsity", "OptimizedMapping"),
                    blockSize: try integer("sparsity", "BlockSize", in: 1...big),
                    randomSeed: try integer("sparsity", "RandomNumberGeneratorSeed", in: Int(Int32.min)...big))
            }
            return ScaleSimConfig(runName: runName, rows: rows, columns: columns, ifmapSramKibibytes: ifmapSram,
                                  filterSramKibibytes: filterSram, ofmapSramKibibytes: ofmapSram, ifmapOffset: ifmapOffset,
                                  filterOffset: filterOffset, ofmapOffset: ofmapOffset, dataflow: dataflow,
                                  bandwidthWordsPerCycle: bandwidths, readRequestBufferEntries: readBuffer,
                                  writeRequestBufferEntries: writeBuffer, interfaceBandwidth: mode, useRamulatorTrace: ramulator,
                                  layout: layout, sparsity: sparsity)
        }
    }
}
