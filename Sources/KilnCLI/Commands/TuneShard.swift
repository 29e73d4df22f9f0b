import KilnDiagnostics
import KilnEvaluation
import KilnJSON

/// What one shard of a sharded `kiln tune --shard K/N` writes, and how shards read back for
/// `kiln tune --merge`: the islands of the evolutionary search whose number is K − 1 modulo N
/// (``SweepShard``), every configuration each island evaluated in its order, with every number
/// the report prints, and the settings the merge must repeat. The merge joins the islands in
/// order (``KilnEvaluation/PrecisionTuner/conclude(_:calibration:data:explorations:)``), so its
/// model file and report equal the unsharded run's byte for byte.
struct TuneShard {
    /// The `kind` of a shard file.
    static let kind = "kiln.tune.shard"
    /// The version of the shard layout.
    static let schemaVersion: Int64 = 1

    /// Which shard.
    let shard: SweepShard
    /// The search settings the shard ran with, as the merge must repeat them.
    let settings: Settings
    /// What it explored.
    let exploration: PrecisionTuner.Exploration

    /// The settings of a tune that decide which configurations its islands explore: the model's
    /// name, the target's, the search, its seed, islands, population, generations and budget metric.
    struct Settings {
        var model: String
        var target: String
        var search: String
        var seed: UInt64
        var islands: Int
        var population: Int
        var generations: Int
        var budgetMetric: String
    }
}

extension TuneShard.Settings {
    /// The settings of `tuner` tuning model `model`.
    init(model: String, tuner: PrecisionTuner) {
        self.model = model
        target = tuner.target.name
        search = tuner.search.rawValue
        seed = tuner.seed
        islands = tuner.islands
        population = tuner.populationSize
        generations = tuner.generations
        budgetMetric = tuner.budget.metric.rawValue
    }

    /// Each setting's JSON key and value.
    var members: [(String, JSONValue)] {
        [("model", .string(model)), ("target", .string(target)), ("search", .string(search)),
         ("seed", .string(String(seed))), ("islands", .integer(Int64(islands))), ("population", .integer(Int64(population))),
         ("generations", .integer(Int64(generations))), ("budgetMetric", .string(budgetMetric))]
    }
}

extension TuneShard {
    /// A number as the shard stores it: finite ones as JSON numbers (Swift prints the shortest
    /// text that reads back to the same `Double`), ±∞ and NaN as the strings `inf`, `-inf`,
    /// `nan` (an exact SQNR is +∞), nil as null.
    static func number(_ value: Double?) -> JSONValue {
        guard let value else { return .null }
        return value.isFinite ? .number(value) : .string(value.description)
    }

    /// The shard file.
    func json() -> String {
        let islands = exploration.islands.map { island -> JSONValue in
            .object(JSONObject([
                ("island", .integer(Int64(island.number))),
                ("points", .array(island.points.map { point in
                    .object(JSONObject([
                        ("widths", .array(point.widths.map { .array([.integer(Int64($0.weights)), .integer(Int64($0.activations))]) })),
                        ("cost", Self.number(point.cost)), ("latencySeconds", Self.number(point.latencySeconds)),
                        ("energyJoules", Self.number(point.energyJoules)), ("memoryBytes", point.memoryBytes.map { .integer(Int64($0)) } ?? .null),
                        ("hostAndLinkSeconds", Self.number(point.hostAndLinkSeconds)), ("accuracy", Self.number(point.accuracy)),
                        ("failure", point.failure.map { .string($0) } ?? .null),
                    ]))
                })),
            ]))
        }
        return JSONWriter().write(.object(JSONObject([
            ("kind", .string(Self.kind)), ("schemaVersion", .integer(Self.schemaVersion)),
            ("shard", shard.json),
        ] + settings.members + [
            ("layers", .array(exploration.layers.map { .string($0) })),
            ("weightChoices", .array(exploration.weightChoices.map { .integer(Int64($0)) })),
            ("activationChoices", .array(exploration.activationChoices.map { .integer(Int64($0)) })),
            ("accuracyIsTopOne", .bool(exploration.accuracyIsTopOne)), ("limit", Self.number(exploration.limit)),
            ("explored", .array(islands)),
        ])))
    }

    /// Reads shard files for a merge with `settings`: every shard of one split, each once,
    /// each run with those settings.
    /// - Throws: ``DiagnosticError`` naming the file (and JSON path) that does not read, is not
    ///   a tune shard, was run with other settings or belongs to another split, or when a shard is missing.
    static func read(files: [String], settings: Settings) throws(DiagnosticError) -> [PrecisionTuner.Exploration] {
        try SweepShard.readSplit(files) { document, file throws(DiagnosticError) in
            let shard = try TuneShard(decoding: document, file: file)
            for ((key, theirs), (_, ours)) in zip(shard.settings.members, settings.members) where theirs != ours {
                throw DiagnosticError(.error("the shard was run with \(key) \(theirs.stringValue ?? theirs.summary), this merge with \(ours.stringValue ?? ours.summary); "
                                             + "give the shard's command line with --merge in place of --shard", file: file, place: key))
            }
            return (shard.shard, shard.exploration)
        }.map(\.content)
    }

    /// A shard file read back.
    /// - Throws: ``DiagnosticError`` naming the file and the JSON path of the first value that is missing or of the wrong kind.
    init(decoding document: JSONValue, file: String) throws(DiagnosticError) {
        func fail(_ message: String, at place: String? = nil) -> DiagnosticError { DiagnosticError(.error(message, file: file, place: place)) }
        let root = try SweepShard.root(of: document, kind: Self.kind, schemaVersion: Self.schemaVersion, name: "kiln tune shard",
                                       writtenBy: "kiln tune --shard K/N --format json", file: file)
        shard = try SweepShard(in: root, file: file)
        func text(_ value: JSONValue?, at place: String) throws(DiagnosticError) -> String {
            guard let text = value?.stringValue else { throw fail("expected a string, got \(value?.summary ?? "nothing")", at: place) }
            return text
        }
        func whole(_ value: JSONValue?, at place: String, in range: ClosedRange<Int64> = 0...Int64(Int32.max)) throws(DiagnosticError) -> Int {
            guard let number = value?.integerValue, range.contains(number) else {
                throw fail("expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(value?.summary ?? "nothing")", at: place)
            }
            return Int(number)
        }
        func number(_ value: JSONValue?, at place: String) throws(DiagnosticError) -> Double? {
            switch value {
            case .null?: return nil
            case .string(let text)? where ["inf", "-inf", "nan"].contains(text): return Double(text)
            case let value?:
                guard let number = value.doubleValue else { throw fail("expected a number, \"inf\", \"-inf\", \"nan\" or null, got \(value.summary)", at: place) }
                return number
            case nil: throw fail("expected a number or null, got nothing", at: place)
            }
        }
        func list(_ key: String) throws(DiagnosticError) -> [JSONValue] {
            guard let list = root[key]?.arrayValue else { throw fail("expected a list, got \(root[key]?.summary ?? "nothing")", at: key) }
            return list
        }
        let seedText = try text(root["seed"], at: "seed")
        guard let seed = UInt64(seedText) else { throw fail("expected the seed as a decimal string, got \"\(seedText)\"", at: "seed") }
        settings = Settings(model: try text(root["model"], at: "model"), target: try text(root["target"], at: "target"),
                            search: try text(root["search"], at: "search"), seed: seed,
                            islands: try whole(root["islands"], at: "islands", in: 1...1_000_000),
                            population: try whole(root["population"], at: "population"),
                            generations: try whole(root["generations"], at: "generations"),
                            budgetMetric: try text(root["budgetMetric"], at: "budgetMetric"))
        var layers: [String] = []
        for (index, value) in try list("layers").enumerated() { layers.append(try text(value, at: "layers[\(index)]")) }
        var weightChoices: [Int] = [], activationChoices: [Int] = []
        for (index, value) in try list("weightChoices").enumerated() { weightChoices.append(try whole(value, at: "weightChoices[\(index)]", in: 1...64)) }
        for (index, value) in try list("activationChoices").enumerated() { activationChoices.append(try whole(value, at: "activationChoices[\(index)]", in: 1...64)) }
        guard let accuracyIsTopOne = root["accuracyIsTopOne"]?.boolValue else { throw fail("expected true or false", at: "accuracyIsTopOne") }
        guard let limit = try number(root["limit"], at: "limit") else { throw fail("expected the budget's limit", at: "limit") }
        var islands: [PrecisionTuner.Exploration.Island] = []
        for (islandIndex, entry) in try list("explored").enumerated() {
            let place = "explored[\(islandIndex)]"
            guard let object = entry.objectValue, let pointList = object["points"]?.arrayValue else {
                throw fail("expected {\"island\": N, \"points\": [...]}, got \(entry.summary)", at: place)
            }
            var points: [PrecisionTuner.Point] = []
            for (pointIndex, value) in pointList.enumerated() {
                let at = "\(place).points[\(pointIndex)]"
                guard let point = value.objectValue, let widthList = point["widths"]?.arrayValue, widthList.count == layers.count else {
                    throw fail("expected a point with \"widths\": one [weightBits, activationBits] per layer (\(layers.count))", at: at)
                }
                var widths: [PrecisionTuner.LayerWidths] = []
                for (layer, pair) in widthList.enumerated() {
                    guard let bits = pair.arrayValue, bits.count == 2 else { throw fail("expected [weightBits, activationBits]", at: "\(at).widths[\(layer)]") }
                    widths.append(.init(weights: try whole(bits[0], at: "\(at).widths[\(layer)][0]", in: 1...64),
                                        activations: try whole(bits[1], at: "\(at).widths[\(layer)][1]", in: 1...64)))
                }
                var failure: String?
                if let value = point["failure"], value != .null { failure = try text(value, at: "\(at).failure") }
                var memoryBytes: Int?
                if let value = point["memoryBytes"], value != .null { memoryBytes = try whole(value, at: "\(at).memoryBytes", in: 0...Int64.max) }
                points.append(PrecisionTuner.Point(widths: widths, cost: try number(point["cost"], at: "\(at).cost"),
                                                   latencySeconds: try number(point["latencySeconds"], at: "\(at).latencySeconds"),
                                                   energyJoules: try number(point["energyJoules"], at: "\(at).energyJoules"),
                                                   memoryBytes: memoryBytes,
                                                   hostAndLinkSeconds: try number(point["hostAndLinkSeconds"], at: "\(at).hostAndLinkSeconds"),
                                                   accuracy: try number(point["accuracy"], at: "\(at).accuracy"), failure: failure))
            }
            islands.append(.init(number: try whole(object["island"], at: "\(place).island", in: 0...Int64(settings.islands - 1)), points: points))
        }
        exploration = PrecisionTuner.Exploration(layers: layers, weightChoices: weightChoices, activationChoices: activationChoices,
                                                 accuracyIsTopOne: accuracyIsTopOne, limit: limit, islands: islands)
    }
}
