import KilnJSON
import KilnTargets

extension ScaleSimConfig {
    /// A Kiln target description (family `systolic`) for this array, as
    /// JSON text that `TargetLoader().load(bytes:file:)` accepts.
    ///
    /// Every SCALE-Sim knob is copied into the `systolic` section with a source naming the `.cfg` file
    /// and key. SCALE-Sim counts cycles only, so the clock, energies, DRAM size and host link are
    /// placeholders marked `assumed` (the same values as `targets/scalesim-google-tpu-ws.json`);
    /// replace them to compare energy or time against other targets.
    /// - Parameters:
    ///   - name: the target name (`[a-z0-9-]` words; defaults to `scalesim-<run_name>`).
    ///   - sourceFile: how the `.cfg` is cited in every source (for example
    ///     `SCALE-Sim v3 configs/google.cfg`).
    /// - Returns: pretty-printed JSON text ending with a newline.
    public func targetDescriptionJSON(name: String? = nil, sourceFile: String) -> String {
        let targetName = name ?? "scalesim-" + String(runName.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
        func sourced(_ value: JSONValue, _ source: String) -> JSONValue {
            .object(JSONObject([("value", value), ("source", .string(source))]))
        }
        func int(_ value: Int) -> JSONValue { .integer(Int64(value)) }
        func key(_ key: String) -> String { "\(sourceFile): \(key)" }
        let horowitz = "derived: Horowitz, 'Computing's energy problem', ISSCC 2014, 45 nm table (second-hand: re-quoted consistently, primary slides not reached; not scaled to this part's process)"
        let sramEnergy = sourced(.number(12.5), horowitz + ": 64-bit read from 1 MB SRAM 100 pJ / 8 bytes")
        let dramEnergy = sourced(.number(162.5), horowitz + ": 64-bit DRAM access 1.3-2.6 nJ; lower end 1.3 nJ / 8 bytes")
        let dramWords = interfaceBandwidth == .user ? (bandwidthWordsPerCycle.max() ?? columns) : columns
        let dramSource = interfaceBandwidth == .user
            ? key("Bandwidth \(bandwidthWordsPerCycle.map(String.init).joined(separator: ",")) words per cycle (largest), 1-byte words")
            : "derived: SCALE-Sim CALC mode drains the ofmap at ArrayWidth (\(columns)) words per cycle (scalesim/single_layer_sim.py), 1-byte words"
        func sram(_ name: String, kibibytes: Int, sizeKey: String, port: Int, portKey: String, weights: Bool) -> JSONValue {
            .object(JSONObject([
                ("name", .string(name)),
                ("onChip", .bool(true)),
                ("sizeBytes", sourced(int(kibibytes * 1024), "derived: " + key("\(sizeKey) \(kibibytes) × 1024"))),
                ("readBytesPerCycle", sourced(int(port), "derived: one 1-byte word per array \(portKey) per cycle (" + key("\(portKey == "row" ? "ArrayHeight" : "ArrayWidth") \(port)") + ")")),
                ("writeBytesPerCycle", sourced(int(port), "derived: as read")),
                ("latencyCycles", sourced(int(1), "SCALE-Sim models SRAM hits as single-cycle (scalesim/memory/read_buffer.py)")),
                ("energyPicojoulesPerByte", sramEnergy),
                ("holdsWeights", .bool(weights)),
                ("holdsActivations", .bool(!weights)),
                ("dmaOverlapsCompute", .bool(true)),
            ]))
        }
        let dram: JSONValue = .object(JSONObject([
            ("name", .string("dram")),
            ("onChip", .bool(false)),
            ("sizeBytes", sourced(int(8 << 30), "assumed: SCALE-Sim does not model DRAM capacity; 8 GiB placeholder")),
            ("readBytesPerCycle", sourced(int(dramWords), dramSource)),
            ("writeBytesPerCycle", sourced(int(dramWords), dramSource)),
            ("latencyCycles", sourced(int(100), "assumed: SCALE-Sim without Ramulator charges no DRAM latency; 100 cycles is a placeholder for Kiln's overlap model, unverified")),
            ("energyPicojoulesPerByte", dramEnergy),
            ("holdsWeights", .bool(true)),
            ("holdsActivations", .bool(true)),
            ("dmaOverlapsCompute", .bool(true)),
        ]))
        let formats: JSONValue = .array([.string("i8"), .string("u8")])
        let ops: JSONValue = .array(["conv2d", "dense", "matmul"].map { .object(JSONObject([("op", .string($0)), ("formats", formats)])) })
        let mac = sourced(.number(0.23), horowitz + ": 8-bit int mult 0.2 pJ + 8-bit add 0.03 pJ")
        var systolic: [(String, JSONValue)] = [
            ("rows", sourced(int(rows), key("ArrayHeight \(rows)"))),
            ("columns", sourced(int(columns), key("ArrayWidth \(columns)"))),
            ("dataflow", .string(dataflow.rawValue)),
            ("ifmapSramKibibytes", sourced(int(ifmapSramKibibytes), key("IfmapSramSzkB \(ifmapSramKibibytes)"))),
            ("filterSramKibibytes", sourced(int(filterSramKibibytes), key("FilterSramSzkB \(filterSramKibibytes)"))),
            ("ofmapSramKibibytes", sourced(int(ofmapSramKibibytes), key("OfmapSramSzkB \(ofmapSramKibibytes)"))),
            ("ifmapOffset", int(ifmapOffset)),
            ("filterOffset", int(filterOffset)),
            ("ofmapOffset", int(ofmapOffset)),
            ("interfaceBandwidth", .string(interfaceBandwidth.rawValue)),
        ]
        if !bandwidthWordsPerCycle.isEmpty {
            systolic.append(("bandwidthWordsPerCycle", sourced(.array(bandwidthWordsPerCycle.map(int)),
                                                                key("Bandwidth \(bandwidthWordsPerCycle.map(String.init).joined(separator: ","))"))))
        }
        systolic += [
            ("readRequestBufferEntries", sourced(int(readRequestBufferEntries), key("ReadRequestBuffer \(readRequestBufferEntries)"))),
            ("writeRequestBufferEntries", sourced(int(writeRequestBufferEntries), key("WriteRequestBuffer \(writeRequestBufferEntries)"))),
            ("useRamulatorTrace", .bool(useRamulatorTrace)),
        ]
        if let layout {
            systolic.append(("layout", .object(JSONObject([
                ("ifmapCustomLayout", .bool(layout.ifmapCustomLayout)),
                ("ifmapSramBankBandwidth", sourced(int(layout.ifmapSramBankBandwidth), key("IfmapSRAMBankBandwidth \(layout.ifmapSramBankBandwidth)"))),
                ("ifmapSramBankCount", int(layout.ifmapSramBankCount)),
                ("ifmapSramBankPorts", int(layout.ifmapSramBankPorts)),
                ("filterCustomLayout", .bool(layout.filterCustomLayout)),
                ("filterSramBankBandwidth", sourced(int(layout.filterSramBankBandwidth), key("FilterSRAMBankBandwidth \(layout.filterSramBankBandwidth)"))),
                ("filterSramBankCount", int(layout.filterSramBankCount)),
                ("filterSramBankPorts", int(layout.filterSramBankPorts)),
            ]))))
        }
        if let sparsity {
            systolic.append(("sparsity", .object(JSONObject([
                ("supported", .bool(sparsity.supported)),
                ("representation", .string(sparsity.representation)),
                ("optimizedMapping", .bool(sparsity.optimizedMapping)),
                ("blockSize", int(sparsity.blockSize)),
                ("randomSeed", int(sparsity.randomSeed)),
            ]))))
        }
        let root = JSONObject([
            ("schemaVersion", int(TargetLoader.schemaVersion)),
            ("name", .string(targetName)),
            ("family", .string(SystolicFamily().name)),
            ("description", .string("A \(rows)×\(columns) \(dataflow.rawValue) systolic array read from the SCALE-Sim configuration \(sourceFile) (run_name \(runName)).")),
            ("clockMegahertz", sourced(int(1000), "assumed: SCALE-Sim counts cycles only; 1 GHz placeholder so cycles read as nanoseconds")),
            ("cores", sourced(int(1), "\(sourceFile): one array")),
            ("numerics", .object(JSONObject([
                ("storageFormats", formats),
                ("accumulatorBits", int(32)),
                ("requantization", .array([.string("floatScale"), .string("fixedPointMultiplier")])),
            ]))),
            ("memory", .array([
                sram("ifmap-sram", kibibytes: ifmapSramKibibytes, sizeKey: "IfmapSramSzkB", port: rows, portKey: "row", weights: false),
                sram("filter-sram", kibibytes: filterSramKibibytes, sizeKey: "FilterSramSzkB", port: columns, portKey: "column", weights: true),
                sram("ofmap-sram", kibibytes: ofmapSramKibibytes, sizeKey: "OfmapSramSzkB", port: columns, portKey: "column", weights: false),
                dram,
            ])),
            ("ops", ops),
            ("energy", .object(JSONObject([
                ("multiplyAccumulate", .array([
                    .object(JSONObject([("format", .string("i8")), ("picojoules", mac)])),
                    .object(JSONObject([("format", .string("u8")), ("picojoules", mac)])),
                ])),
                ("aluOperationPicojoules", sourced(.number(0.1), horowitz + ": 32-bit int add 0.1 pJ")),
                ("registerAccessPicojoules", sourced(.number(10), "upper bound, " + horowitz + ": 64-bit read from an 8 KB SRAM 10 pJ (the table has no register-file row)")),
                ("staticPowerMilliwatts", sourced(.number(0), "assumed: SCALE-Sim models no static power")),
            ]))),
            ("host", .object(JSONObject([
                ("target", .string("x86-avx2-haswell-i7-4770")),
                ("bandwidthMegabytesPerSecond", sourced(int(15754), "derived: PCIe 3.0 x16, 8 GT/s × 16 lanes × 128/130 encoding (assumed link; SCALE-Sim models no host)")),
                ("latencyMicroseconds", sourced(int(5), "assumed: typical PCIe DMA round trip")),
                ("energyPicojoulesPerByte", dramEnergy),
            ]))),
            (SystolicFamily().name, .object(JSONObject(systolic))),
        ])
        return JSONWriter().write(.object(root))
    }
}
