import KilnDiagnostics
import KilnJSON

extension SweepResult {
    /// Reads a result written by ``json()`` (a shard's output, for `kiln sweep merge`).
    /// - Parameters:
    ///   - document: the parsed JSON.
    ///   - file: the file name used in findings.
    /// - Throws: ``DiagnosticError`` naming the file and the JSON path of the first problem.
    init(decoding document: JSONValue, file: String) throws(DiagnosticError) {
        func fail(_ message: String, at place: String? = nil) -> DiagnosticError {
            DiagnosticError(.error(message, file: file, place: place))
        }
        let root = try SweepShard.root(of: document, kind: Self.kind, schemaVersion: Self.schemaVersion, name: "kiln sweep result",
                                       writtenBy: "kiln sweep --format json", file: file)
        func string(_ key: String, in object: JSONObject, at place: String) throws(DiagnosticError) -> String {
            guard let text = object[key]?.stringValue else { throw fail("expected a string, got \(object[key]?.summary ?? "nothing")", at: place) }
            return text
        }
        func integer(_ key: String, in object: JSONObject, at place: String, range: ClosedRange<Int64>) throws(DiagnosticError) -> Int {
            guard let value = object[key]?.integerValue, range.contains(value) else {
                throw fail("expected an integer from \(range.lowerBound) to \(range.upperBound), got \(object[key]?.summary ?? "nothing")", at: place)
            }
            return Int(value)
        }
        func optionalNumber(_ key: String, in object: JSONObject, at place: String) throws(DiagnosticError) -> Double? {
            switch object[key] {
            case nil, .null?: return nil
            case let value?:
                guard let number = value.doubleValue else { throw fail("expected a number or null, got \(value.summary)", at: place) }
                return number
            }
        }
        func optionalString(_ key: String, in object: JSONObject, at place: String) throws(DiagnosticError) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case let value?:
                guard let text = value.stringValue else { throw fail("expected a string or null, got \(value.summary)", at: place) }
                return text
            }
        }

        let model = try string("model", in: root, at: "model")
        let target = try string("target", in: root, at: "target")
        let resourceName = try string("resource", in: root, at: "resource")
        let resourceUnit = try string("resourceUnit", in: root, at: "resourceUnit")
        let gridSize = try integer("gridSize", in: root, at: "gridSize", range: 0...Int64(SweepGrid.maximumPointCount))
        guard let parameterList = root["parameters"]?.arrayValue else { throw fail("expected a list of parameters", at: "parameters") }
        var axes: [Axis] = []
        for (position, entry) in parameterList.enumerated() {
            let place = "parameters[\(position)]"
            guard let object = entry.objectValue, let values = object["values"]?.arrayValue else {
                throw fail("expected {\"path\", \"values\"}", at: place)
            }
            axes.append(Axis(path: try string("path", in: object, at: "\(place).path"), values: values))
        }
        var shard: SweepShard?
        if let shardObject = root["shard"]?.objectValue {
            let count = try integer("count", in: shardObject, at: "shard.count", range: 1...1_000_000)
            let number = try integer("number", in: shardObject, at: "shard.number", range: 1...Int64(count))
            shard = SweepShard(number: number, count: count)
        }
        guard let rowList = root["rows"]?.arrayValue else { throw fail("expected a list of rows", at: "rows") }
        var rows: [SweepRow] = []
        for (position, entry) in rowList.enumerated() {
            let place = "rows[\(position)]"
            guard let object = entry.objectValue else { throw fail("expected a row object, got \(entry.summary)", at: place) }
            let index = try integer("index", in: object, at: "\(place).index", range: 0...Int64(max(gridSize - 1, 0)))
            guard let valueObject = object["values"]?.objectValue else { throw fail("expected an object of values", at: "\(place).values") }
            var values: [JSONValue] = []
            for axis in axes {
                guard let value = valueObject[axis.path] else { throw fail("missing the value of '\(axis.path)'", at: "\(place).values") }
                values.append(value)
            }
            var row = SweepRow(index: index, values: values)
            row.latencySeconds = try optionalNumber("latencySeconds", in: object, at: "\(place).latencySeconds")
            row.inferencesPerSecond = try optionalNumber("inferencesPerSecond", in: object, at: "\(place).inferencesPerSecond")
            row.energyJoules = try optionalNumber("energyJoules", in: object, at: "\(place).energyJoules")
            row.utilization = try optionalNumber("utilization", in: object, at: "\(place).utilization")
            row.bound = try optionalString("bound", in: object, at: "\(place).bound")
            row.resource = try optionalNumber(resourceName, in: object, at: "\(place).\(resourceName)")
            row.top1 = try optionalNumber("top1", in: object, at: "\(place).top1")
            row.failure = try optionalString("error", in: object, at: "\(place).error")
            row.pareto = object["pareto"]?.boolValue ?? false
            rows.append(row)
        }
        self.init(model: model, target: target, axes: axes, gridSize: gridSize, shard: shard, resourceName: resourceName,
                  resourceUnit: resourceUnit, rows: rows)
    }
}
