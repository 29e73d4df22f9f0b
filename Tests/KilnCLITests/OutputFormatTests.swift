import Foundation
import Testing
import KilnJSON
import KilnReports
@testable import KilnCLI

/// Machine-readable outputs of `compare`, `simulate` and `sweep`: JSON valid against the
/// schemas in `docs/schemas/`, CSV whose numeric columns parse as numbers.
@Suite struct OutputFormatTests {
    static func schema(_ name: String) throws -> JSONValue {
        let path = repositoryRoot.appendingPathComponent("docs/schemas/\(name).schema.json").path
        return try JSONParser().parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
    }

    static func digits(_ name: String) -> String { SimulateAndCompareTests.path(name) }

    func expectValid(_ output: String, schema name: String) throws {
        let document = try JSONParser().parse(output, file: "stdout")
        let problems = JSONSchemaValidator.violations(of: document, against: try Self.schema(name))
        #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
    }

    /// The checker itself rejects what the schemas forbid (so a passing check means something).
    @Test func theSchemaCheckerRejectsViolations() throws {
        let schema = try Self.schema("compare")
        let bad = try JSONParser().parse(#"{"kind": "kiln.compare", "schemaVersion": 1, "partial": false, "rows": [{"model": "m", "latencySeconds": "10 ms"}]}"#)
        let problems = JSONSchemaValidator.violations(of: bad, against: schema)
        #expect(problems.contains("$.rows[0].latencySeconds: the string \"10 ms\" is not of type [\"number\", \"null\"]"))
        #expect(problems.contains("$.rows[0]: lacks 'energyJoules'"))
        let extra = try JSONParser().parse(#"{"kind": "kiln.compare", "schemaVersion": 1, "partial": false, "rows": [], "version": 1}"#)
        #expect(JSONSchemaValidator.violations(of: extra, against: schema) == ["$: unexpected key 'version'"])
    }

    /// Labels-free compare of a float model Kiln quantizes: both SQNR columns, an exact one
    /// (null with its Exact flag) on the int8 CPU, every value a raw number.
    @Test func compareJSONAndCSVAreRawNumbersMatchingTheSchema() throws {
        let images = try SimulateAndCompareTests.firstImages(8)
        let arguments = ["compare", Self.digits("cnn_qdq.onnx"), "--data", images, "--targets", "cortex-a55-rk3568,stm32l4r5-cortex-m4"]
        let json = runKiln(arguments + ["--format", "json"])
        #expect(json.code == .success, "\(json.error)")
        try expectValid(json.output, schema: "compare")
        let rows = try #require(try JSONParser().parse(json.output).objectValue?["rows"]?.arrayValue).compactMap(\.objectValue)
        let a55 = try #require(rows.first { $0["target"]?.stringValue == "cortex-a55-rk3568" })
        // ONNX Runtime's int8 arithmetic on the A55 equals the reference: SQNR +∞, written as null + exact.
        #expect(a55["sqnrVsReferenceDecibels"] == .null && a55["sqnrVsReferenceExact"] == .bool(true))
        #expect(a55["sqnrVsFloatDecibels"] == .null && a55["sqnrVsFloatExact"] == .null)
        let energy = try #require(a55["energyJoules"]?.doubleValue), latency = try #require(a55["latencySeconds"]?.doubleValue)
        #expect(a55["averagePowerWatts"]?.doubleValue == energy / latency)

        let csv = runKiln(arguments + ["--format", "csv"])
        #expect(csv.code == .success, "\(csv.error)")
        let table = CSVReader.rows(csv.output)
        let header = try #require(table.first)
        #expect(header == ComparisonColumn.all.map(\.key))
        for row in table.dropFirst() {
            #expect(row.count == header.count)
            for (key, field) in zip(header, row) where key.hasSuffix("Seconds") || key.hasSuffix("Joules") || key.hasSuffix("Watts")
                || key.hasSuffix("Bytes") || key == "utilization" || key == "inferencesPerSecond" || key == "hostOps" {
                #expect(Double(field) != nil, "\(key) = '\(field)' is not a number")
            }
        }
        // The CSV and the JSON carry the same numbers.
        let csvA55 = try #require(table.first { $0.count > 1 && $0[1] == "cortex-a55-rk3568" })
        #expect(Double(csvA55[header.firstIndex(of: "latencySeconds")!]) == latency)
        #expect(csvA55[header.firstIndex(of: "sqnrVsReferenceExact")!] == "true")
    }

    /// A float model quantized by Kiln is scored against the float model and the quantized
    /// reference, in separate columns.
    @Test func compareSeparatesSQNRAgainstFloatAndAgainstTheReference() throws {
        let images = try SimulateAndCompareTests.firstImages(8)
        let result = runKiln(["compare", Self.digits("bnn.onnx"), "--data", images, "--calibration", images,
                              "--targets", "cortex-a55-rk3568", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        try expectValid(result.output, schema: "compare")
        let row = try #require(try JSONParser().parse(result.output).objectValue?["rows"]?.arrayValue?.first?.objectValue)
        #expect(row["model"]?.stringValue == "bnn (Kiln PTQ)")
        let float = try #require(row["sqnrVsFloatDecibels"]?.doubleValue)
        #expect(float.isFinite && float > 0 && row["sqnrVsFloatExact"] == .bool(false))
        #expect(row["sqnrVsReferenceExact"]?.boolValue != nil)
    }

    @Test func simulateJSONAndPerLayerCSV() throws {
        let arguments = ["simulate", Self.digits("cnn_qdq.onnx"), "--target", "stm32h743-cortex-m7"]
        let json = runKiln(arguments + ["--format", "json"])
        #expect(json.code == .success, "\(json.error)")
        try expectValid(json.output, schema: "simulate")
        let document = try #require(try JSONParser().parse(json.output).objectValue)
        let layers = try #require(document["layers"]?.arrayValue).compactMap(\.objectValue)

        let csv = runKiln(arguments + ["--format", "csv"])
        #expect(csv.code == .success, "\(csv.error)")
        let table = CSVReader.rows(csv.output)
        let header = try #require(table.first)
        #expect(header.contains("readBytes[dtcm]") && header.contains("writtenBytes[flash]") && header.contains("seconds"))
        #expect(table.count == layers.count + 1)
        for (row, layer) in zip(table.dropFirst(), layers) {
            for (key, field) in zip(header, row) where !["layer", "kernel", "placement", "bound"].contains(key) {
                #expect(Double(field) != nil, "\(key) = '\(field)'")
            }
            // Per-level bytes and seconds agree with the JSON.
            #expect(Double(row[header.firstIndex(of: "seconds")!]) == layer["seconds"]?.doubleValue)
            #expect(Int64(row[header.firstIndex(of: "readBytes[dtcm]")!]) == layer["readBytes"]?.objectValue?["dtcm"]?.integerValue)
        }
        // Shares add up to the whole.
        let shares = table.dropFirst().compactMap { Double($0[header.firstIndex(of: "timeShare")!]) }
        #expect(abs(shares.reduce(0, +) - 1) < 1e-9)
    }

    /// `targets list`, `targets show` and `quantize` print documents with `kind` and
    /// `schemaVersion` that match their schemas; quantize's CSV SQNR is named by its reference.
    @Test func targetsAndQuantizeJSONMatchTheirSchemas() throws {
        let list = runKiln(["targets", "list", "--format", "json"])
        #expect(list.code == .success, "\(list.error)")
        try expectValid(list.output, schema: "targets")
        let show = runKiln(["targets", "show", "stm32h743-cortex-m7", "--format", "json"])
        #expect(show.code == .success, "\(show.error)")
        try expectValid(show.output, schema: "target")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(UUID())-mlp.json").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let quantize = runKiln(["quantize", Self.digits("mlp.onnx"), "--calibration", Self.digits("calibration_x_flat.npy"),
                                "-o", output, "--format", "json"])
        #expect(quantize.code == .success, "\(quantize.error)")
        try expectValid(quantize.output, schema: "quantize")
        let csv = runKiln(["quantize", Self.digits("mlp.onnx"), "--calibration", Self.digits("calibration_x_flat.npy"),
                           "-o", output, "--format", "csv"])
        let table = CSVReader.rows(csv.output)
        let header = try #require(table.first)
        #expect(header.contains("sqnrVsFloatDecibels") && header.contains("sqnrVsFloatExact") && !header.contains("sqnrDecibels"))
        for row in table.dropFirst() {
            #expect(row.count == header.count)
            for (key, field) in zip(header, row) where key.hasSuffix("Error") || key.hasSuffix("Decibels") || key == "cosineSimilarity" {
                #expect(field.isEmpty || Double(field) != nil, "\(key) = '\(field)' is not a number")
            }
            #expect(["true", "false", ""].contains(row[header.firstIndex(of: "sqnrVsFloatExact")!]))
        }
    }

    @Test func sweepJSONMatchesTheSchema() throws {
        let result = runKiln(["sweep", Self.digits("cnn_qdq.onnx"), "--target", "scalesim-scale-32x32-os",
                              "--vary", "systolic.rows=8,32", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        try expectValid(result.output, schema: "sweep")
        let csv = runKiln(["sweep", Self.digits("cnn_qdq.onnx"), "--target", "scalesim-scale-32x32-os", "--vary", "systolic.rows=8,32", "--format", "csv"])
        let table = CSVReader.rows(csv.output)
        let header = try #require(table.first)
        for row in table.dropFirst() {
            for key in ["latencySeconds", "energyJoules", "utilization", "processingElements"] {
                #expect(Double(row[header.firstIndex(of: key)!]) != nil, "\(key)")
            }
        }
    }
}

/// The readable table: units in the titles, one scale per column, best values marked.
@Suite struct ComparisonTableTests {
    @Test func columnScaleChoosesOnePrefixPerColumn() {
        let latency = ColumnScale(unit: .seconds, values: [81.5e-9, 90.4e-6, 384e-6, 59.9e-3])
        #expect(latency.title("LATENCY") == "LATENCY (µs)")
        #expect(latency.format(.number(81.5e-9)) == "0.0815")
        #expect(latency.format(.number(59.9e-3)) == "59900")
        #expect(latency.format(.missing) == "—")
        let bytes = ColumnScale(unit: .bytes, values: [2048, 10444, 288])
        #expect(bytes.title("WEIGHTS") == "WEIGHTS (KiB)")
        #expect(bytes.format(.integer(10444)) == "10.2")
        let utilization = ColumnScale(unit: .fraction, values: [])
        #expect(utilization.format(.number(0.0000485)) == "0.00485")
        #expect(utilization.format(.number(0.3742)) == "37.42")
        #expect(ColumnScale(unit: .decibels, values: []).format(.number(.infinity)) == "exact")
    }

    @Test func compareTableHasUnitsLegendAndSorts() throws {
        let result = runKiln(["compare", SimulateAndCompareTests.path("cnn_qdq.onnx"),
                              "--targets", "stm32h743-cortex-m7,cortex-a72-rpi4,scalesim-google-tpu-ws", "--sort", "energy"])
        #expect(result.code == .success, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines[0].contains("LATENCY (") && lines[0].contains("ENERGY/INF (") && lines[0].contains("POWER (") && lines[0].contains("UTIL (%)"))
        #expect(result.output.contains("  BOUND: what dominates the latency"))
        #expect(result.output.contains("  UTIL: useful accelerator operations"))
        #expect(result.output.contains("  HOST OPS: graph nodes the target cannot run"))
        // Sorted by energy per inference, lowest first.
        let json = runKiln(["compare", SimulateAndCompareTests.path("cnn_qdq.onnx"),
                            "--targets", "stm32h743-cortex-m7,cortex-a72-rpi4,scalesim-google-tpu-ws", "--sort", "energy", "--format", "json"])
        let energies = try #require(try JSONParser().parse(json.output).objectValue?["rows"]?.arrayValue).compactMap { $0.objectValue?["energyJoules"]?.doubleValue }
        #expect(energies.count == 3 && energies == energies.sorted())
        #expect(runKiln(["compare", "--sort", "speed"]).code == .usageError)
    }

    @Test func bestValuesAreMarkedPerColumnOnATerminal() throws {
        let targets = try CompareCommand.selectTargets(["stm32h743-cortex-m7", "cortex-a72-rpi4"], catalog: try CommandContext(
            console: .capturing(), registry: try KilnTool.builtIn().registry).targetCatalog(ParsedArguments([], options: [])))
        var rows = targets.map { ComparisonRow(target: $0, failure: "x") }
        rows[0] = ComparisonRow(target: targets[0], failure: "")
        rows[0].failure = nil
        rows[0].latencySeconds = 2e-3
        rows[0].energyJoules = 1e-6
        rows[1].failure = nil
        rows[1].latencySeconds = 1e-3
        rows[1].energyJoules = 4e-6
        let report = ComparisonReport(rows: rows)
        let table = report.table()
        let latency = try #require(table.titles.firstIndex { $0.hasPrefix("LATENCY") })
        let energy = try #require(table.titles.firstIndex { $0.hasPrefix("ENERGY/INF") })
        #expect(table.marked.contains(TextTable.Cell(row: 1, column: latency)))
        #expect(table.marked.contains(TextTable.Cell(row: 0, column: energy)))
        #expect(!table.marked.contains(TextTable.Cell(row: 0, column: latency)))
        #expect(table.rendered(emphasizing: true).contains("\u{1B}[1m1.00\u{1B}[0m"))
        #expect(!table.rendered().contains("\u{1B}"))
    }

    @Test func progressLineCountsAndEstimates() {
        let start = Date(timeIntervalSince1970: 0)
        let meter = ProgressMeter(total: 4, start: start)
        #expect(meter.line(unit: 1, label: "cnn on m7", fraction: 0.5, detail: "samples 270/540", now: start.addingTimeInterval(30))
                == "[2/4] cnn on m7 · samples 270/540 · 30 s elapsed, about 50 s left")
        #expect(meter.line(unit: 0, label: "cnn on m7", fraction: 0, now: start) == "[1/4] cnn on m7 · 0 s elapsed")
        #expect(ProgressMeter.duration(185) == "3 min 05 s")
    }

    /// Ctrl-C before the run: nothing is computed, the JSON says partial, the HTML report is
    /// written and marked partial, and the exit code is 130.
    @Test func interruptedRunPrintsWhatItHasMarkedPartial() throws {
        let html = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-partial-\(UUID()).html").path
        defer { try? FileManager.default.removeItem(atPath: html) }
        let console = Console.capturing()
        let tool = try KilnTool.builtIn()
        let context = CommandContext(console: console, registry: tool.registry)
        let command = CompareCommand()
        let arguments = try ParsedArguments([SimulateAndCompareTests.path("cnn_qdq.onnx"), "--targets", "cortex-a55-rk3568",
                                             "--format", "json", "--html", html], options: command.options)
        let interrupt = InterruptSignal(enabled: false)
        interrupt.raise()
        let code = try command.run(arguments, context: context, interrupt: interrupt)
        #expect(code == .interrupted)
        let document = try #require(try JSONParser().parse(console.output).objectValue)
        #expect(document["partial"] == .bool(true) && document["rows"]?.arrayValue?.isEmpty == true)
        #expect(console.errorOutput.contains("interrupted: 0 of 1 rows computed"))
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("Partial report"))
    }
}

/// Target files given to `compare --targets`, and names that shadow built-ins.
@Suite struct TargetFileOptionTests {
    static func boardFile(name: String) throws -> String {
        let builtIn = repositoryRoot.appendingPathComponent("targets/stm32h743-cortex-m7.json")
        var text = try String(contentsOf: builtIn, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"name\": \"stm32h743-cortex-m7\"", with: "\"name\": \"\(name)\"")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(UUID())-my-board.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func compareTakesATargetFile() throws {
        let file = try Self.boardFile(name: "my-board")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = runKiln(["compare", SimulateAndCompareTests.path("cnn_qdq.onnx"), "--targets", "\(file),cortex-a55-rk3568", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let targets = try #require(try JSONParser().parse(result.output).objectValue?["rows"]?.arrayValue).compactMap { $0.objectValue?["target"]?.stringValue }
        #expect(targets == ["my-board", "cortex-a55-rk3568"])
    }

    @Test func aFileShadowingABuiltInNeedsOverride() throws {
        let file = try Self.boardFile(name: "stm32h743-cortex-m7")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let refused = runKiln(["compare", SimulateAndCompareTests.path("cnn_qdq.onnx"), "--targets", file])
        #expect(refused.code == .inputError)
        #expect(refused.error == "\(file): error: at name: target 'stm32h743-cortex-m7' has the name of the built-in target in "
                + "targets/stm32h743-cortex-m7.json; rename it, or give --override to use it instead of the built-in one\n")
        let validate = runKiln(["targets", "validate", file])
        #expect(validate.code == .success)
        #expect(validate.error == "\(file): warning: target 'stm32h743-cortex-m7' has the name of the built-in target in "
                + "targets/stm32h743-cortex-m7.json; commands refuse the file unless --override is given\n")
        let builtIn = runKiln(["targets", "validate", repositoryRoot.appendingPathComponent("targets/stm32h743-cortex-m7.json").path])
        #expect(builtIn.code == .success && builtIn.error.isEmpty, "\(builtIn.error)")
        let simulate = runKiln(["simulate", SimulateAndCompareTests.path("cnn_qdq.onnx"), "--target", file])
        #expect(simulate.code == .inputError)
        let allowed = runKiln(["compare", SimulateAndCompareTests.path("cnn_qdq.onnx"), "--targets", file, "--override", "--format", "json"])
        #expect(allowed.code == .success, "\(allowed.error)")
        #expect(allowed.error.contains("\(file): note: target 'stm32h743-cortex-m7' replaces the built-in one in targets/stm32h743-cortex-m7.json (--override)"))
    }

    @Test func implausibleClockAndUnknownKeyAreReported() throws {
        let file = try Self.boardFile(name: "my-board")
        defer { try? FileManager.default.removeItem(atPath: file) }
        var text = try String(contentsOfFile: file, encoding: .utf8)
        let clock = try #require(text.range(of: #""clockMegahertz": \{\s*"value": [0-9.]+"#, options: .regularExpression))
        text.replaceSubrange(clock, with: "\"clockMegahertz\": {\"value\": 480000000")
        text = text.replacingOccurrences(of: "\"cores\":", with: "\"coress\":")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = runKiln(["targets", "validate", file])
        #expect(result.code == .inputError)
        #expect(result.error.contains("480000000 is outside the plausible range of clockMegahertz (0.001–100000)"), "\(result.error)")
        #expect(result.error.contains("unknown key 'coress'; did you mean 'cores'?"), "\(result.error)")
    }
}

extension TargetFileOptionTests {
    /// A SIMD vector register that is not a power of two bits wide is refused with the value.
    @Test func vectorWidthMustBeAPowerOfTwo() throws {
        var text = try String(contentsOf: repositoryRoot.appendingPathComponent("targets/cortex-a72-rpi4.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"name\": \"cortex-a72-rpi4\"", with: "\"name\": \"odd-width\"")
        let width = try #require(text.range(of: #""vectorWidthBits": \{\s*"value": 128"#, options: .regularExpression))
        text.replaceSubrange(width, with: "\"vectorWidthBits\": {\"value\": 96")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(UUID())-odd.json").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = runKiln(["targets", "validate", file])
        #expect(result.code == .inputError)
        #expect(result.error.contains("96 is not a power of two; a vector register is 64, 128, 256, 512… bits wide"), "\(result.error)")
    }
}

/// Messages about files a command writes, and a calibration file a quantized model does not need.
@Suite struct OutputMessageTests {
    @Test func anUnwritableReportPathFailsBeforeTheRun() throws {
        let missing = "/nonexistent-kiln-folder/report.html"
        let result = runKiln(["compare", SimulateAndCompareTests.path("cnn_qdq.onnx"), "--targets", "cortex-a55-rk3568", "--html", missing])
        #expect(result.code == .inputError)
        #expect(result.error == "\(missing): error: --html: the folder /nonexistent-kiln-folder does not exist\n")
        #expect(result.output.isEmpty)
        let trace = runKiln(["simulate", SimulateAndCompareTests.path("cnn_qdq.onnx"), "--target", "cortex-a55-rk3568", "--trace", "/"])
        #expect(trace.code == .inputError)
        #expect(trace.error == "/: error: --trace: is a directory, not a file\n")
    }

    @Test func calibrationOfAQuantizedModelIsStated() throws {
        let images = try SimulateAndCompareTests.firstImages(8)
        let result = runKiln(["compare", SimulateAndCompareTests.path("cnn_qdq.onnx"), "--calibration", images,
                              "--targets", "cortex-a55-rk3568", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        #expect(result.error == "\(SimulateAndCompareTests.path("cnn_qdq.onnx")): note: the model is already quantized and is not re-quantized; "
                + "--calibration only lets targets with narrower formats choose their ranges\n")
    }
}
