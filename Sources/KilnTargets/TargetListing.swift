import Foundation
import KilnDiagnostics
import KilnJSON

/// Renders target descriptions for `kiln targets list`, `kiln targets show NAME` and
/// `kiln targets validate FILE...`.
public enum TargetListing {
    /// The `kiln targets list` table: name, family, clock, peak ops/s, on-chip memory.
    public static func table(_ targets: [TargetDescription]) -> String {
        let header = ["NAME", "FAMILY", "CLOCK", "PEAK OPS/S", "ON-CHIP MEMORY"]
        let rows = targets.map { target in
            [target.name, target.family, "\(formatNumber(target.clockMegahertz.value)) MHz",
             formatRate(target.peakOperationsPerSecond), formatBytes(target.onChipMemoryBytes)]
        }
        return renderTable(header: header, rows: rows, rightAligned: [2, 3, 4])
    }

    /// The `kind` of the `kiln targets list --format json` document.
    public static let listKind = "kiln.targets"
    /// The `kind` of the `kiln targets show --format json` document.
    public static let detailsKind = "kiln.target"
    /// The `schemaVersion` of both documents (`docs/schemas/targets.schema.json` and
    /// `target.schema.json`); version 1 of the list was a bare array without `kind`.
    public static let schemaVersion: Int64 = 2

    /// The `kiln targets list --format json` document: `kind`, `schemaVersion` and `targets`, one
    /// object per target with `name`, `family`, `file`, `description`, `clockMegahertz`, `cores`,
    /// `peakOperationsPerSecond`, `onChipMemoryBytes`.
    public static func json(_ targets: [TargetDescription]) -> String {
        JSONWriter().write(.object(JSONObject([
            ("kind", .string(listKind)), ("schemaVersion", .integer(schemaVersion)), ("targets", .array(targets.map(summaryObject))),
        ])))
    }

    /// The `kiln targets show NAME` text: every field with its source.
    public static func details(_ target: TargetDescription) -> String {
        var lines: [String] = []
        lines.append("\(target.name) (\(target.family)): \(target.description)")
        lines.append("file: \(target.file)")
        lines.append("clock: \(formatNumber(target.clockMegahertz.value)) MHz\(cite(target.clockMegahertz.source))")
        lines.append("cores: \(target.cores.value)\(cite(target.cores.source))")
        lines.append("peak: \(formatRate(target.peakOperationsPerSecond)) ops/s (a MAC counts as 2 ops)")
        lines.append("on-chip memory: \(formatBytes(target.onChipMemoryBytes))")
        let numerics = target.numerics
        lines.append("numerics: \(numerics.storageFormats.map(\.name).joined(separator: ", ")); \(numerics.accumulatorBits)-bit accumulator; requantization \(numerics.requantization.map(\.rawValue).joined(separator: ", "))\(cite(numerics.formatsSource))")
        lines.append("memory:")
        let memoryRows = target.memory.map { level in
            [level.name, formatBytes(level.sizeBytes.value), formatNumber(level.readBytesPerCycle.value),
             formatNumber(level.writeBytesPerCycle.value), formatNumber(level.latencyCycles.value),
             formatNumber(level.picojoulesPerByte),
             [level.holdsWeights ? "weights" : nil, level.holdsActivations ? "activations" : nil,
              level.dmaOverlapsCompute ? "dma" : nil, level.onChip ? nil : "off-chip"].compactMap { $0 }.joined(separator: ", ")]
        }
        lines.append(indent(renderTable(header: ["LEVEL", "SIZE", "READ B/CYCLE", "WRITE B/CYCLE", "LATENCY", "PJ/BYTE", "HOLDS"],
                                        rows: memoryRows, rightAligned: [1, 2, 3, 4, 5])))
        lines.append("ops on the accelerator:")
        for operation in target.operations {
            var limits: [String] = []
            if let kernel = operation.maxKernelSize { limits.append("kernel ≤ \(kernel)") }
            if let multiple = operation.channelMultiple { limits.append("channels multiple of \(multiple)") }
            if let elements = operation.maxTensorElements { limits.append("≤ \(elements) elements") }
            lines.append("  \(operation.operation.rawValue): \(operation.formats.map(\.name).joined(separator: ", "))\(limits.isEmpty ? "" : " (" + limits.joined(separator: ", ") + ")")")
        }
        lines.append("energy:")
        for entry in target.energy.multiplyAccumulate {
            lines.append("  MAC \(entry.format.name): \(formatNumber(entry.picojoules.value)) pJ\(cite(entry.picojoules.source))")
        }
        for entry in target.energy.actions {
            lines.append("  \(entry.action): \(formatNumber(entry.picojoules.value)) pJ\(cite(entry.picojoules.source))")
        }
        lines.append("  ALU op: \(formatNumber(target.energy.aluOperationPicojoules.value)) pJ\(cite(target.energy.aluOperationPicojoules.source))")
        lines.append("  register access: \(formatNumber(target.energy.registerAccessPicojoules.value)) pJ\(cite(target.energy.registerAccessPicojoules.source))")
        lines.append("  static power: \(formatNumber(target.energy.staticPowerMilliwatts.value)) mW\(cite(target.energy.staticPowerMilliwatts.source))")
        if let host = target.host {
            lines.append("host: \(host.target), \(formatNumber(host.bandwidthMegabytesPerSecond.value)) MB/s, \(formatNumber(host.latencyMicroseconds.value)) µs, \(formatNumber(host.energyPicojoulesPerByte.value)) pJ/byte")
        } else {
            lines.append("host: none (this target runs every op itself or is a host)")
        }
        if let rates = target.hostCompute {
            lines.append("host compute (per core, fallback nodes):")
            lines.append("  float MACs/cycle: \(formatNumber(rates.floatMultiplyAccumulatesPerCycle.value))\(cite(rates.floatMultiplyAccumulatesPerCycle.source))")
            lines.append("  float ops/cycle: \(formatNumber(rates.floatOperationsPerCycle.value))\(cite(rates.floatOperationsPerCycle.source))")
            lines.append("  integer MACs/cycle: \(formatNumber(rates.integerMultiplyAccumulatesPerCycle.value))\(cite(rates.integerMultiplyAccumulatesPerCycle.source))")
            lines.append("  integer ops/cycle: \(formatNumber(rates.integerOperationsPerCycle.value))\(cite(rates.integerOperationsPerCycle.source))")
            if let dispatch = rates.operatorDispatchCycles {
                lines.append("  operator dispatch: \(formatNumber(dispatch.value)) cycles\(cite(dispatch.source))")
            }
        }
        if !target.stacks.isEmpty {
            lines.append("software stacks (--stack NAME; the first is the default):")
            for stack in target.stacks {
                let mark = stack == target.stack ? " (selected)" : ""
                lines.append("  \(stack.name)\(mark): \(stack.description); kernels \(stack.kernels.rawValue); version: \(stack.version)")
                lines.append("    operator dispatch: \(formatNumber(stack.operatorDispatchCycles.value)) cycles\(cite(stack.operatorDispatchCycles.source))")
                if let row = stack.im2colRowCycles {
                    lines.append("    im2col row copy: \(formatNumber(row.value)) cycles per output pixel and kernel row\(cite(row.source))")
                }
                if let tap = stack.indirectionTapCycles {
                    lines.append("    indirect convolution: \(formatNumber(tap.value)) cycles per output pixel and kernel tap\(cite(tap.source))")
                }
                if let run = stack.runCycles {
                    lines.append("    run call: \(formatNumber(run.value)) cycles per inference\(cite(run.source))")
                }
                if let perThread = stack.multiplyAccumulatesPerThread {
                    lines.append("    GEMM threads: one per \(formatNumber(perThread.value)) MACs, up to the cores\(cite(perThread.source))")
                }
                for entry in stack.operatorCycles {
                    lines.append("    \(entry.op.rawValue) (\(entry.float ? "float" : "quantized")) set-up: \(formatNumber(entry.cycles.value)) cycles\(cite(entry.cycles.source))")
                    if let perChannel = entry.outputChannelCycles {
                        lines.append("      per output channel: \(formatNumber(perChannel.value)) cycles\(cite(perChannel.source))")
                    }
                }
            }
        }
        lines.append("\(target.family):")
        for (label, value) in target.familyDetails.details {
            lines.append("  \(label): \(value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `kiln targets show NAME --format json` document: `kind`, `schemaVersion`, the summary
    /// fields of the list, and the whole validated file under `"target"`.
    public static func detailsJSON(_ target: TargetDescription) -> String {
        guard case .object(let summary) = summaryObject(target) else { return "{}\n" }
        var object = JSONObject([("kind", .string(detailsKind)), ("schemaVersion", .integer(schemaVersion))])
        for key in summary.keys { object[key] = summary[key] }
        object["target"] = target.document
        return JSONWriter().write(.object(object))
    }

    /// Validates files for `kiln targets validate FILE...`.
    /// - Parameters:
    ///   - files: the files with the names to show for them.
    ///   - catalog: targets that host links may name (usually the built-in catalog).
    ///   - loader: the loader (its options decide whether sources are required).
    /// - Returns: the report (every finding, then `FILE: ok (NAME, FAMILY)` per valid file) and
    ///   whether every file is valid.
    public static func validate(files: [(url: URL, displayName: String)], catalog: TargetCatalog,
                                loader: TargetLoader) -> (report: String, allValid: Bool) {
        var lines: [String] = []
        var loaded: [TargetDescription] = []
        var failed: Set<String> = []
        for file in files {
            do {
                loaded.append(try loader.load(contentsOf: file.url, displayName: file.displayName))
            } catch {
                lines.append(contentsOf: error.diagnostics.map(\.description))
                failed.insert(file.displayName)
            }
        }
        var combined = catalog
        for target in loaded { combined.add(target) }
        for finding in combined.checkCrossTargetConsistency() {
            guard let file = finding.location.file, loaded.contains(where: { $0.file == file }) else { continue }
            lines.append(finding.description)
            failed.insert(file)
        }
        for target in loaded where !failed.contains(target.file) {
            lines.append("\(target.file): ok (\(target.name), \(target.family))")
        }
        return (lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"), failed.isEmpty)
    }

    // MARK: helpers

    private static func summaryObject(_ target: TargetDescription) -> JSONValue {
        .object(JSONObject([
            ("name", .string(target.name)),
            ("family", .string(target.family)),
            ("file", .string(target.file)),
            ("description", .string(target.description)),
            ("clockMegahertz", .number(target.clockMegahertz.value)),
            ("cores", .integer(Int64(target.cores.value))),
            ("peakOperationsPerSecond", .number(target.peakOperationsPerSecond)),
            ("onChipMemoryBytes", .integer(Int64(target.onChipMemoryBytes))),
        ]))
    }

    private static func cite(_ source: String?) -> String {
        source.map { "  [\($0)]" } ?? ""
    }

    private static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }

    /// `1.92 G`, `512 G`, `3.28 T`: three significant digits with an SI prefix.
    static func formatRate(_ value: Double) -> String {
        let prefixes = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, prefix) in prefixes where value >= scale {
            return threeDigits(value / scale) + " " + prefix
        }
        return threeDigits(value)
    }

    /// `64 KiB`, `1.5 MiB`, `0 B`.
    static func formatBytes(_ bytes: Int) -> String {
        let units = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (scale, unit) in units where bytes >= scale {
            return threeDigits(Double(bytes) / Double(scale)) + " " + unit
        }
        return "\(bytes) B"
    }

    private static func threeDigits(_ value: Double) -> String {
        if value >= 100 || value.rounded() == value { return String(format: "%.0f", value) }
        let decimals = value >= 10 ? 1 : 2
        var text = String(format: "%.\(decimals)f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    private static func renderTable(header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

/// A number without a needless `.0`, for listings (`400`, `0.25`); family sections use it in
/// their ``TargetFamilySection/details``.
public func formatNumber(_ value: Double) -> String {
    if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
}
