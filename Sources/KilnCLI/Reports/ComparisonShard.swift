import KilnDiagnostics
import KilnEvaluation
import KilnJSON

/// What one shard of a sharded `kiln compare --shard K/N` writes, and how shards merge
/// (`kiln compare --merge`): every row of the comparison over the shard's samples (those whose
/// index is K − 1 modulo N), with the top-1 counts behind its accuracy. Cost, memory and the
/// other columns do not depend on the samples, so every shard has the same; merging sums the
/// counts and recomputes top-1 as the unsharded run computes it (correct ÷ scored), and puts
/// the per-sample signal and noise energies behind each SQNR back in sample order before
/// summing them (``SampleEnergies``), so the merged report equals the unsharded one exactly,
/// in every format.
struct ComparisonShard {
    /// The `kind` of a shard file.
    static let kind = "kiln.compare.shard"
    /// The version of the shard layout.
    static let schemaVersion: Int64 = 1
    /// The keys a shard row adds to a compare row: the top-1 counts.
    static let countKeys = ["topOneCorrect", "topOneScored"]
    /// Each SQNR column, the key of its "exact" companion and the keys of the per-sample
    /// signal and noise energies a shard row adds for it.
    static let energyColumns: [(decibels: String, exact: String, signal: String, noise: String)] = [
        ("sqnrVsReferenceDecibels", "sqnrVsReferenceExact", "sqnrVsReferenceSignalEnergies", "sqnrVsReferenceNoiseEnergies"),
        ("sqnrVsFloatDecibels", "sqnrVsFloatExact", "sqnrVsFloatSignalEnergies", "sqnrVsFloatNoiseEnergies"),
    ]
    /// The keys that differ between the shards of one comparison.
    static let sampleKeys: Set<String> = Set(["top1"] + countKeys + energyColumns.flatMap { [$0.signal, $0.noise] })

    /// Which shard.
    let shard: SweepShard
    /// The samples of the whole data set (the shards' scored samples add up to it).
    let totalSamples: Int
    /// The shard's rows (their top-1 is over the shard's samples only).
    let rows: [ComparisonRow]

    /// The shard file: `{"kind", "schemaVersion", "shard": {"number", "count"}, "totalSamples",
    /// "rows": [compare row + "topOneCorrect", "topOneScored"]}`.
    func json() -> String {
        let objects = rows.map { row -> JSONValue in
            var members = ComparisonReport.members(of: row)
            members.append(("topOneCorrect", row.topOneCounts.map { .integer(Int64($0.correct)) } ?? .null))
            members.append(("topOneScored", row.topOneCounts.map { .integer(Int64($0.scored)) } ?? .null))
            for (column, energies) in zip(Self.energyColumns, [row.sqnrEnergies.reference, row.sqnrEnergies.float]) {
                members.append((column.signal, energies.map { .array($0.signal.map(JSONValue.number)) } ?? .null))
                members.append((column.noise, energies.map { .array($0.noise.map(JSONValue.number)) } ?? .null))
            }
            return .object(JSONObject(members))
        }
        return JSONWriter().write(.object(JSONObject([
            ("kind", .string(Self.kind)), ("schemaVersion", .integer(Self.schemaVersion)),
            ("shard", shard.json),
            ("totalSamples", .integer(Int64(totalSamples))), ("rows", .array(objects)),
        ])))
    }

    /// Merges shard files into the report of the unsharded run.
    /// - Throws: ``DiagnosticError`` naming the file (and JSON path) that does not read, is not a
    ///   shard, belongs to another split or another comparison, or when a shard is missing.
    static func merge(files: [String]) throws(DiagnosticError) -> ComparisonReport {
        let shards = try SweepShard.readSplit(files, decode: decode) { content, first in
            content.total == first.content.total ? nil
                : ("the shard is of \(content.total) samples, \(first.file) of \(first.content.total): the shards come from different comparisons", "totalSamples")
        }.map { (file: $0.file, shard: $0.shard, total: $0.content.total, rows: $0.content.rows) }
        let first = shards[0]
        var merged: [ComparisonRow] = []
        for (index, firstRow) in first.rows.enumerated() {
            var correct = 0, scored = 0
            for shard in shards {
                guard index < shard.rows.count, shard.rows.count == first.rows.count else {
                    throw DiagnosticError(.error("\(shard.rows.count) rows, \(first.file) has \(first.rows.count): the shards come from different comparisons",
                                                 file: shard.file, place: "rows"))
                }
                let row = shard.rows[index]
                // An SQNR with per-sample energies is recomputed below; without them it must agree.
                let recomputed = Set(energyColumns.filter { row[$0.signal]?.arrayValue != nil }.flatMap { [$0.decibels, $0.exact] })
                for key in firstRow.keys where !sampleKeys.contains(key) && !recomputed.contains(key) && row[key] != firstRow[key] {
                    throw DiagnosticError(.error("\(key) is \(row[key]?.summary ?? "missing"), \(first.file) has \(firstRow[key]?.summary ?? "nothing"): "
                                                 + "the shards come from different comparisons", file: shard.file, place: "rows[\(index)].\(key)"))
                }
                if let rowCorrect = row["topOneCorrect"]?.integerValue, let rowScored = row["topOneScored"]?.integerValue {
                    correct += Int(rowCorrect)
                    scored += Int(rowScored)
                }
            }
            var row = try ComparisonRow(decoding: firstRow, file: first.file, place: "rows[\(index)]")
            row.sqnrVsReferenceDecibels = try mergedDecibels(energyColumns[0], row: index, shards: shards) ?? row.sqnrVsReferenceDecibels
            row.sqnrVsFloatDecibels = try mergedDecibels(energyColumns[1], row: index, shards: shards) ?? row.sqnrVsFloatDecibels
            if firstRow["topOneScored"]?.integerValue != nil {
                guard scored == first.total else {
                    throw DiagnosticError(.error("the shards scored \(scored) of \(first.total) samples", file: first.file, place: "rows[\(index)]"))
                }
                // As Score.topOne computes it on the whole data set.
                row.top1 = scored == 0 ? 0 : Double(correct) / Double(scored)
                row.topOneCounts = (correct, scored)
            }
            merged.append(row)
        }
        return ComparisonReport(rows: merged)
    }

    /// The SQNR of one column over every sample: the shards' per-sample energies in sample order
    /// (sample `s` is shard `s mod N + 1`'s `s ÷ N`-th), summed as the unsharded run sums them;
    /// nil when the shards have none for it.
    private static func mergedDecibels(_ column: (decibels: String, exact: String, signal: String, noise: String), row index: Int,
                                       shards: [(file: String, shard: SweepShard, total: Int, rows: [JSONObject])]) throws(DiagnosticError) -> Double? {
        var perShard: [Int: (signal: [Double], noise: [Double])] = [:]
        for shard in shards {
            let row = shard.rows[index]
            guard let signal = row[column.signal]?.arrayValue, let noise = row[column.noise]?.arrayValue else { return nil }
            let signalValues = signal.compactMap(\.doubleValue), noiseValues = noise.compactMap(\.doubleValue)
            let expected = (shard.total - shard.shard.number + shard.shard.count) / shard.shard.count
            guard signalValues.count == signal.count, noiseValues.count == noise.count, signal.count == expected, noise.count == expected else {
                throw DiagnosticError(.error("expected \(expected) per-sample energies (the shard's samples), got \(signal.count) and \(noise.count)",
                                             file: shard.file, place: "rows[\(index)].\(column.signal)"))
            }
            perShard[shard.shard.number] = (signalValues, noiseValues)
        }
        guard let count = shards.first?.shard.count, let total = shards.first?.total else { return nil }
        var energies = SampleEnergies(signal: [], noise: [])
        for sample in 0..<total {
            guard let values = perShard[sample % count + 1] else { return nil }
            energies.signal.append(values.signal[sample / count])
            energies.noise.append(values.noise[sample / count])
        }
        return energies.decibels
    }

    /// The shard, the data set's size and the row objects of a shard file.
    private static func decode(_ document: JSONValue, file: String) throws(DiagnosticError) -> (shard: SweepShard, content: (total: Int, rows: [JSONObject])) {
        func fail(_ message: String, at place: String? = nil) -> DiagnosticError { DiagnosticError(.error(message, file: file, place: place)) }
        let root = try SweepShard.root(of: document, kind: kind, schemaVersion: schemaVersion, name: "kiln compare shard",
                                       writtenBy: "kiln compare --shard K/N --format json", file: file)
        let shard = try SweepShard(in: root, file: file)
        guard let total = root["totalSamples"]?.integerValue, total >= shard.count, total <= Int64(Int32.max) else {
            throw fail("expected the data set's sample count, at least the shard count \(shard.count)", at: "totalSamples")
        }
        guard let list = root["rows"]?.arrayValue else { throw fail("expected a list of rows", at: "rows") }
        var rows: [JSONObject] = []
        for (index, entry) in list.enumerated() {
            guard let object = entry.objectValue else { throw fail("expected a row object, got \(entry.summary)", at: "rows[\(index)]") }
            for key in countKeys {
                guard let value = object[key], value == .null || (value.integerValue.map { $0 >= 0 && $0 <= total } ?? false) else {
                    throw fail("expected a count from 0 to \(total) or null", at: "rows[\(index)].\(key)")
                }
            }
            rows.append(object)
        }
        return (shard, (Int(total), rows))
    }
}

extension ComparisonRow {
    /// A row read back from its JSON object (``ComparisonReport/members(of:)``), without the
    /// target description, program or cost: what the table, CSV and JSON print.
    /// - Throws: ``DiagnosticError`` naming the file and the JSON path of a value of the wrong kind.
    init(decoding object: JSONObject, file: String, place: String) throws(DiagnosticError) {
        func fail(_ key: String, _ expected: String) -> DiagnosticError {
            DiagnosticError(.error("expected \(expected), got \(object[key]?.summary ?? "nothing")", file: file, place: "\(place).\(key)"))
        }
        func text(_ key: String) throws(DiagnosticError) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case let value?:
                guard let text = value.stringValue else { throw fail(key, "a string or null") }
                return text
            }
        }
        func number(_ key: String) throws(DiagnosticError) -> Double? {
            switch object[key] {
            case nil, .null?: return nil
            case let value?:
                guard let number = value.doubleValue else { throw fail(key, "a number or null") }
                return number
            }
        }
        func integer(_ key: String) throws(DiagnosticError) -> Int? {
            switch object[key] {
            case nil, .null?: return nil
            case let value?:
                guard let number = value.integerValue, number >= 0 else { throw fail(key, "a whole number or null") }
                return Int(number)
            }
        }
        /// An SQNR: null with its `…Exact` companion true is +∞ (exact).
        func decibels(_ key: String, exact: String) throws(DiagnosticError) -> Double? {
            if object[exact]?.boolValue == true { return .infinity }
            return try number(key)
        }
        guard let targetName = try text("target") else { throw fail("target", "the target's name") }
        self.targetName = targetName
        family = try text("family") ?? ""
        model = try text("model") ?? ""
        format = try text("format") ?? ""
        failure = try text("error")
        top1 = try number("top1")
        sqnrVsReferenceDecibels = try decibels("sqnrVsReferenceDecibels", exact: "sqnrVsReferenceExact")
        sqnrVsFloatDecibels = try decibels("sqnrVsFloatDecibels", exact: "sqnrVsFloatExact")
        latencySeconds = try number("latencySeconds")
        inferencesPerSecond = try number("inferencesPerSecond")
        acceleratorInferencesPerSecond = try number("acceleratorInferencesPerSecond")
        energyJoules = try number("energyJoules")
        weightBytes = try integer("weightBytes")
        peakActivationBytes = try integer("peakActivationBytes")
        onChipBytes = try integer("onChipBytes")
        offChipBytes = try integer("offChipBytes")
        memoryByLevel = try text("memoryByLevel")
        utilization = try number("utilization")
        bound = try text("bound")
        hostOps = try integer("hostOps")
    }
}
