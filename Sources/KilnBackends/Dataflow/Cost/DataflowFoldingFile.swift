import KilnCompiler
import KilnDiagnostics
import KilnJSON

/// A user's folding of a dataflow design, read from FINN's folding-configuration JSON
/// (`folding_config_file` of FINN's builder, applied by its `ApplyConfig`):
///
/// ```
/// {"Defaults": {"resType": ["lut", ["MVAU_hls"]]},
///  "MVAU_hls_0": {"PE": 16, "SIMD": 49, "ram_style": "block", "resType": "lut"}, ...}
/// ```
///
/// A key names one engine as FINN names its nodes — an op type, an optional `_hls`/`_rtl`
/// suffix and the engine's index among the nodes of that op type in stream order
/// (`MVAU_hls_3`, `MatrixVectorActivation_3`, `Thresholding_rtl_0`) — or a stage by Kiln's
/// layer name (the stage's first node, as the compile notes show). `Defaults` maps an attribute
/// to `[value, ["OpType", ...]]` or `[value, "all"]` pairs, as FINN's does.
///
/// Attributes: `PE`, `SIMD` (matrix engines), `ram_style` (`auto`, `block`, `distributed`,
/// `ultra`), `resType` (`lut`, `dsp`), `mem_mode` (only `internal_decoupled`, the memory FINN's
/// estimates and Kiln model); `runtime_writeable_weights` and `preferred_impl_style` change no
/// estimate and are accepted; `inFIFODepths` / `outFIFODepths` give the depth in words of the
/// FIFO at the engine's input / output (``StreamFIFODepths``; an entry with only these keeps
/// Kiln's folding search for the engine). An attribute a configured engine leaves out takes FINN's node
/// default (PE 1, SIMD 1, LUT multipliers, the engine's default `ram_style`); a stage the file
/// does not configure keeps Kiln's search.
///
/// Engines Kiln's design does not have (FINN's `LabelSelect`, FIFOs, width converters, or an
/// input quantizer Kiln runs on the host) are listed in the compile notes and ignored. Kiln builds
/// each sliding window at its matrix engine's SIMD in LUTRAM, so a `ConvolutionInputGenerator`
/// entry must agree with that.
struct DataflowFoldingFile {
    /// The stages of the design, in stream order.
    let stages: [DataflowStage]
    /// The file.
    let settings: LayerSettingsFile

    /// FINN's op types per Kiln engine (every spelling FINN versions used, without `_hls`/`_rtl`).
    static let engineNames: [(engine: Engine, names: [String])] = [
        (.matrixVector, ["MVAU", "MatrixVectorActivation", "StreamingFCLayer_Batch"]),
        (.vectorVector, ["VVAU", "VectorVectorActivation", "Vector_Vector_Activate_Batch"]),
        (.thresholding, ["Thresholding", "Thresholding_Batch"]),
        (.maxPool, ["StreamingMaxPool", "StreamingMaxPool_Batch", "Pool", "Pool_Batch"]),
        (.globalPool, ["GlobalAccPool", "GlobalAccPool_Batch"]),
        (.addStreams, ["AddStreams", "AddStreams_Batch"]),
        (.slidingWindow, ["ConvolutionInputGenerator", "ConvolutionInputGenerator1D"]),
    ]
    /// FINN engines Kiln's design has no counterpart for (their entries are ignored with a note).
    static let absentEngines: Set<String> = [
        "LabelSelect", "LabelSelect_Batch", "StreamingFIFO", "StreamingDataWidthConverter",
        "StreamingDataWidthConverter_Batch", "DuplicateStreams", "DuplicateStreams_Batch", "FMPadding", "FMPadding_Batch",
        "FMPadding_Pixel", "ChannelwiseOp", "ChannelwiseOp_Batch", "TLastMarker", "IODMA", "DownSampler", "Lookup",
        "UpsampleNearestNeighbour", "StreamingConcat", "StreamingSplit", "StreamingEltwise", "CheckSum",
    ]
    /// FINN's FIFO-depth attributes: `inFIFODepths` / `outFIFODepths` (one depth per stream, the
    /// form FINN's `set_fifo_depths` writes back into a folding configuration) and the single
    /// `inFIFODepth` / `outFIFODepth` of FINN before 0.8.
    static let fifoAttributes: Set<String> = ["inFIFODepths", "outFIFODepths", "inFIFODepth", "outFIFODepth"]
    /// Attributes that change no estimate.
    static let inertAttributes: Set<String> = ["runtime_writeable_weights", "preferred_impl_style"]

    /// The kind of FINN engine a key names.
    enum Engine: Equatable {
        case matrixVector, vectorVector, thresholding, maxPool, globalPool, addStreams, slidingWindow
    }

    /// The engine kind of a stage (nil for stages FINN has no engine for, such as views).
    static func engine(of stage: DataflowStage) -> Engine? {
        switch stage.shape {
        case .matrix(_, _, _, _, _, _, let depthwise, _): return depthwise ? .vectorVector : .matrixVector
        case .thresholding: return .thresholding
        case .maxPool: return .maxPool
        case .globalPool: return .globalPool
        case .addStreams: return .addStreams
        case .none: return nil
        }
    }

    /// The foldings the file gives, by stage index, with the notes to log.
    /// - Throws: ``DiagnosticError`` located at the file and JSON path of every entry that names
    ///   no engine, has an unknown attribute or value, or a PE / SIMD that does not divide the layer.
    func foldings() throws(DiagnosticError) -> (fixed: [Int: DataflowFolding], fifos: [Int: StreamFIFODepths], notes: [String]) {
        var findings = DiagnosticCollector(file: settings.file)
        guard let root = settings.document.objectValue else {
            throw DiagnosticError(.error("a folding file is a JSON object of engine names (FINN's folding configuration)", file: settings.file))
        }
        var notes: [String] = []
        var attributes: [Int: [(key: String, value: JSONValue, path: JSONPath)]] = [:]
        var windows: [(stage: Int, object: JSONObject, path: JSONPath)] = []
        if let defaults = root["Defaults"] {
            applyDefaults(defaults, into: &attributes, findings: &findings)
        }
        for (key, value) in root.members where key != "Defaults" {
            let path = JSONPath.root.appending(key: key)
            guard let object = value.objectValue else {
                findings.error("expected an object of attributes (\"PE\", \"SIMD\", \"ram_style\", ...)", at: path.description)
                continue
            }
            switch resolve(key) {
            case .stage(let index):
                for (name, attribute) in object.members { attributes[index, default: []].append((name, attribute, path.appending(key: name))) }
            case .window(let index):
                windows.append((index, object, path))
            case .absent(let reason):
                notes.append("'\(key)' ignored: \(reason)")
            case .unknown(let message):
                findings.error(message, at: path.description)
            }
        }
        var fixed: [Int: DataflowFolding] = [:]
        var fifos: [Int: StreamFIFODepths] = [:]
        for (index, all) in attributes.sorted(by: { $0.key < $1.key }) {
            let entries = all.filter { !Self.fifoAttributes.contains($0.key) }
            let depths = all.filter { Self.fifoAttributes.contains($0.key) }
            if !depths.isEmpty { fifos[index] = fifoDepths(depths, findings: &findings) }
            if !entries.isEmpty, let folding = folding(of: index, entries, findings: &findings) { fixed[index] = folding }
        }
        for window in windows { check(window: window, fixed: fixed, findings: &findings) }
        try findings.throwIfErrors()
        return (fixed, fifos, notes)
    }

    /// Where a key points.
    enum Resolution {
        case stage(Int), window(Int), absent(String), unknown(String)
    }

    /// Resolves a key: a Kiln layer name, or a FINN node name `OpType[_hls|_rtl]_N`.
    func resolve(_ key: String) -> Resolution {
        if let index = stages.firstIndex(where: { $0.layer == key && Self.engine(of: $0) != nil }) { return .stage(index) }
        guard let (opType, ordinal) = Self.split(key) else { return .unknown(unknownMessage(key)) }
        if Self.absentEngines.contains(opType) { return .absent("Kiln's dataflow design has no \(opType) engine") }
        guard let engine = Self.engineNames.first(where: { $0.names.contains(opType) })?.engine else {
            return .unknown(unknownMessage(key))
        }
        let matching = engine == .slidingWindow
            ? stages.indices.filter { stages[$0].slidingWindow != nil }
            : stages.indices.filter { Self.engine(of: stages[$0]) == engine }
        guard ordinal < matching.count else {
            // FINN's graph can hold engines Kiln places on the host (an input quantizer, a last
            // layer with float outputs): a note, not an error.
            let count = matching.count
            let layers = count > 0 ? " (" + matching.map { "'\(stages[$0].layer)'" }.joined(separator: ", ") + ")" : ""
            return .absent("Kiln's design has \(count) \(opType) engine\(count == 1 ? "" : "s")\(layers); the layer FINN numbers \(ordinal) runs on the host or does not exist")
        }
        return engine == .slidingWindow ? .window(matching[ordinal]) : .stage(matching[ordinal])
    }

    private func unknownMessage(_ key: String) -> String {
        let names = stages.filter { Self.engine(of: $0) != nil }.map(\.layer)
        let known = Self.engineNames.flatMap(\.names) + names
        let hint = closestMatch(to: key, among: known).map { " (did you mean '\($0)'?)" } ?? ""
        return "'\(key)' names no engine of the design\(hint): use FINN's node names (MVAU_hls_0, VVAU_hls_0, Thresholding_rtl_0, StreamingMaxPool_hls_0, ConvolutionInputGenerator_rtl_0, ...) or the layers \(names.map { "'\($0)'" }.joined(separator: ", "))"
    }

    /// `MVAU_hls_3` → (`MVAU`, 3); `Thresholding_Batch_0` → (`Thresholding_Batch`, 0).
    static func split(_ key: String) -> (String, Int)? {
        guard let underscore = key.lastIndex(of: "_"), let ordinal = Int(key[key.index(after: underscore)...]), ordinal >= 0 else { return nil }
        var opType = String(key[..<underscore])
        for suffix in ["_hls", "_rtl"] where opType.hasSuffix(suffix) { opType.removeLast(suffix.count) }
        return opType.isEmpty ? nil : (opType, ordinal)
    }

    /// FINN's `Defaults`: `{"attr": [value, ["OpType", ...] | "all", ...]}`.
    private func applyDefaults(_ defaults: JSONValue, into attributes: inout [Int: [(key: String, value: JSONValue, path: JSONPath)]],
                               findings: inout DiagnosticCollector) {
        let path = JSONPath.root.appending(key: "Defaults")
        guard let object = defaults.objectValue else { findings.error("expected an object", at: path.description); return }
        for (name, value) in object.members {
            let at = path.appending(key: name)
            guard let pairs = value.arrayValue, pairs.count % 2 == 0, !pairs.isEmpty else {
                findings.error("expected [value, [\"OpType\", ...]] or [value, \"all\"] pairs (FINN's Defaults)", at: at.description)
                continue
            }
            for pair in stride(from: 0, to: pairs.count, by: 2) {
                let opTypes: [String]?
                if pairs[pair + 1].stringValue == "all" { opTypes = nil }
                else if let list = pairs[pair + 1].arrayValue?.compactMap(\.stringValue) { opTypes = list }
                else { findings.error("expected a list of op types or \"all\"", at: at.appending(index: pair + 1).description); continue }
                for (index, stage) in stages.enumerated() {
                    guard let engine = Self.engine(of: stage) else { continue }
                    let names = Self.engineNames.first { $0.engine == engine }?.names ?? []
                    let applies = opTypes.map { list in list.contains { type in names.contains(Self.split(type + "_0")?.0 ?? type) } } ?? true
                    if applies { attributes[index, default: []].append((name, pairs[pair], at.appending(index: pair))) }
                }
            }
        }
    }

    /// The folding of one stage from its attributes (later entries override earlier ones).
    private func folding(of index: Int, _ entries: [(key: String, value: JSONValue, path: JSONPath)],
                         findings: inout DiagnosticCollector) -> DataflowFolding? {
        let stage = stages[index]
        let engine = Self.engine(of: stage)
        let isMatrix = engine == .matrixVector || engine == .vectorVector
        var pe = 1, simd = 1, multipliers = MultiplierStyle.lookupTables, memory: FabricMemoryStyle? = nil
        var pePath: JSONPath?, simdPath: JSONPath?
        let before = findings.diagnostics.count
        for (key, value, path) in entries {
            switch key {
            case "PE":
                guard let v = value.integerValue, v >= 1, v <= Int64(Int32.max) else { findings.error("PE must be an integer ≥ 1", at: path.description); continue }
                pe = Int(v); pePath = path
            case "SIMD" where isMatrix:
                guard let v = value.integerValue, v >= 1, v <= Int64(Int32.max) else { findings.error("SIMD must be an integer ≥ 1", at: path.description); continue }
                simd = Int(v); simdPath = path
            case "ram_style" where isMatrix || engine == .thresholding:
                guard let style = value.stringValue.flatMap(FabricMemoryStyle.init(rawValue:)) else {
                    findings.error("ram_style must be one of \(FabricMemoryStyle.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))", at: path.description); continue
                }
                memory = style
            case "resType" where isMatrix:
                guard let style = value.stringValue.flatMap(MultiplierStyle.init(rawValue:)) else {
                    findings.error("resType must be \"lut\" or \"dsp\"", at: path.description); continue
                }
                multipliers = style
            case "mem_mode" where isMatrix || engine == .thresholding:
                if value.stringValue != "internal_decoupled" {
                    findings.error("mem_mode \(value.stringValue.map { "\"\($0)\"" } ?? "?"): Kiln models FINN's \"internal_decoupled\" weight memory only", at: path.description)
                }
            case let key where Self.inertAttributes.contains(key):
                continue
            default:
                findings.error("'\(key)' is not an attribute Kiln models for '\(stage.layer)' (\(stage.kernel)): it takes \(isMatrix ? "PE, SIMD, ram_style, resType, mem_mode" : engine == .thresholding ? "PE, ram_style, mem_mode" : "PE"), inFIFODepths, outFIFODepths", at: path.description)
            }
        }
        guard findings.diagnostics.count == before else { return nil }
        let (peLimit, simdChoices, simdRule) = stage.foldingLimits
        if stage.channels % pe != 0 {
            findings.error("PE \(pe) does not divide \(peLimit) of '\(stage.layer)' (\(stage.kernel))", at: (pePath ?? JSONPath.root).description)
        }
        if isMatrix && !simdChoices.contains(simd) {
            findings.error("SIMD \(simd) does not fit '\(stage.layer)' (\(stage.kernel)): \(simdRule)", at: (simdPath ?? JSONPath.root).description)
        }
        guard findings.diagnostics.count == before else { return nil }
        return DataflowFolding(processingElements: pe, simdLanes: simd, multipliers: multipliers, memory: memory)
    }

    /// The FIFO depths of one engine's entry: a depth in words ≥ 1 (FINN's lists take one depth per
    /// stream; Kiln's engines have one input and one output stream, so a list has one element).
    private func fifoDepths(_ entries: [(key: String, value: JSONValue, path: JSONPath)], findings: inout DiagnosticCollector) -> StreamFIFODepths {
        var depths = StreamFIFODepths()
        for (key, value, path) in entries {
            let list = key.hasSuffix("s")
            let element: JSONValue?
            if list {
                guard let items = value.arrayValue, items.count == 1 else {
                    findings.error("\(key) must be a list of one depth (Kiln's engines have one \(key.hasPrefix("in") ? "input" : "output") stream)", at: path.description)
                    continue
                }
                element = items.first
            } else {
                element = value
            }
            guard let depth = element?.integerValue, depth >= 1, depth <= 1 << 30 else {
                findings.error("a FIFO depth must be an integer number of words from 1 to \(1 << 30)", at: (list ? path.appending(index: 0) : path).description)
                continue
            }
            if key.hasPrefix("in") { depths.input = Int(depth) } else { depths.output = Int(depth) }
        }
        return depths
    }

    /// A sliding-window entry agrees with the folding of its matrix engine.
    private func check(window: (stage: Int, object: JSONObject, path: JSONPath), fixed: [Int: DataflowFolding],
                       findings: inout DiagnosticCollector) {
        let stage = stages[window.stage]
        for (key, value) in window.object.members {
            let path = window.path.appending(key: key)
            switch key {
            case "SIMD":
                guard let folding = fixed[window.stage] else {
                    findings.error("Kiln derives the sliding window's SIMD of '\(stage.layer)' from its \(stage.kernel) engine: configure that engine's PE and SIMD too", at: path.description)
                    continue
                }
                let simd = stage.windowSimd(folding)
                if value.integerValue != Int64(simd) {
                    findings.error("the sliding window of '\(stage.layer)' reads \(simd) channel\(simd == 1 ? "" : "s") per cycle at its engine's folding (PE \(folding.processingElements), SIMD \(folding.simdLanes)); this file says \(value.integerValue.map(String.init) ?? "?")", at: path.description)
                }
            case "ram_style":
                if value.stringValue != FabricMemoryStyle.distributed.rawValue {
                    findings.error("Kiln builds sliding-window buffers in LUTRAM (ram_style \"distributed\", FINN's default)", at: path.description)
                }
            case let key where Self.inertAttributes.contains(key):
                continue
            default:
                findings.error("'\(key)' is not an attribute Kiln models for a sliding window (it takes SIMD, ram_style)", at: path.description)
            }
        }
    }
}
