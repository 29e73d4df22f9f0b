import Foundation
import Testing
import KilnJSON
@testable import KilnCLI

/// The shipped example model (`examples/digits/cnn_qdq.onnx`).
private let exampleModel: String = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
        directory = directory.deletingLastPathComponent()
    }
    return directory.appendingPathComponent("examples/digits/cnn_qdq.onnx").path
}()

/// A small target document for parser and grid tests.
private let document = try! JSONParser().parse("""
{"clockMegahertz": {"value": 100, "source": "datasheet"}, "cores": 2, "name": "t",
 "memory": [{"name": "sram", "sizeBytes": {"value": 1024, "source": "s"}, "onChip": true}],
 "systolic": {"rows": {"value": 8, "source": "s"}, "dataflow": "ws", "bandwidthWordsPerCycle": {"value": [10], "source": "s"}}}
""")

private func temporaryFile(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("kiln-sweep-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
}

@Suite struct SweepGridTests {
    @Test func parameterReadsPathsKindsAndValues() throws {
        let clock = try SweepParameter(parsing: "clockMegahertz=100, 250.5", in: document)
        #expect(clock.kind == .sourcedNumber)
        #expect(clock.values == [.integer(100), .number(250.5)])
        let byName = try SweepParameter(parsing: "memory[sram].sizeBytes=1,2", in: document)
        #expect(byName.path.components == [.key("memory"), .named("sram"), .key("sizeBytes")])
        let byIndex = try SweepParameter(parsing: "memory[0].sizeBytes=4", in: document)
        #expect(byIndex.path.components == [.key("memory"), .index(0), .key("sizeBytes")])
        #expect(try SweepParameter(parsing: "cores=1,4", in: document).kind == .number)
        #expect(try SweepParameter(parsing: "systolic.dataflow=os,ws,is", in: document).values == [.string("os"), .string("ws"), .string("is")])
    }

    /// Row-major expansion (the last --vary fastest); sourced numbers keep their object form with
    /// the source "sweep"; bare numbers stay bare.
    @Test func gridExpandsEveryCombinationInOrder() throws {
        let grid = try SweepGrid([try SweepParameter(parsing: "clockMegahertz=100,200,300", in: document),
                                  try SweepParameter(parsing: "cores=1,2", in: document)])
        #expect(grid.count == 6)
        #expect((0..<6).map { grid.values(at: $0) } == [
            [.integer(100), .integer(1)], [.integer(100), .integer(2)], [.integer(200), .integer(1)],
            [.integer(200), .integer(2)], [.integer(300), .integer(1)], [.integer(300), .integer(2)],
        ])
        let modified = grid.document(at: 3, base: document).objectValue!
        #expect(modified["clockMegahertz"] == .object(JSONObject([("value", .integer(200)), ("source", .string("sweep"))])))
        #expect(modified["cores"] == .integer(2))
        #expect(modified["name"] == .string("t"))
    }

    /// Every grid point is in exactly one shard, and shard sizes differ by at most one.
    @Test(arguments: [1, 2, 3, 7, 10, 13])
    func shardsPartitionTheGrid(_ count: Int) {
        let size = 10
        var owners = [Int](repeating: 0, count: size)
        var sizes: [Int] = []
        for number in 1...count {
            let shard = SweepShard(number: number, count: count)
            let indices = Array(shard.indices(inGridOf: size))
            #expect(indices.allSatisfy(shard.contains))
            sizes.append(indices.count)
            for index in indices { owners[index] += 1 }
        }
        #expect(owners == [Int](repeating: 1, count: size))
        #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
    }

    @Test func shardParsing() throws {
        #expect(try SweepShard(parsing: "2/8") == SweepShard(number: 2, count: 8))
        for bad in ["0/3", "4/3", "x/y", "1/0", "3", "1/2/3", "-1/3", ""] {
            #expect(throws: UsageError.self, "\(bad)") { try SweepShard(parsing: bad) }
        }
    }

    /// Hand-made rows: the front over (latency, energy, resource); failed rows are never on it.
    @Test func paretoFrontOverLatencyEnergyAndResource() {
        func row(_ index: Int, _ latency: Double, _ energy: Double, _ resource: Double) -> SweepRow {
            var row = SweepRow(index: index, values: [.integer(Int64(index))])
            row.latencySeconds = latency
            row.energyJoules = energy
            row.resource = resource
            return row
        }
        var failed = SweepRow(index: 5, values: [.integer(5)])
        failed.failure = "at clockMegahertz: expected a positive number, got 0"
        var result = SweepResult(model: "m", target: "t", axes: [.init(path: "p", values: [])], gridSize: 6, shard: nil,
                                 resourceName: "processingElements", resourceUnit: "PE",
                                 rows: [row(0, 1, 5, 64), row(1, 2, 4, 64), row(2, 2, 5, 64), row(3, 3, 6, 16), row(4, 3, 6, 32), failed])
        result.markParetoFront()
        #expect(result.rows.map(\.pareto) == [true, true, false, true, false, false])
    }
}

@Suite struct SweepCommandTests {
    /// Malformed --vary and --shard values are usage errors (exit 2) that say what is wrong.
    @Test(arguments: [
        (["--vary", "clockMegahertz"], "needs PATH=V1,V2,..."),
        (["--vary", "clockMegahertz="], "has no values"),
        (["--vary", "clockMegahertz=1,,2"], "has an empty value"),
        (["--vary", "clockMegaherz=100"], "no field 'clockMegaherz' (did you mean 'clockMegahertz'?)"),
        (["--vary", "simd.vectorBits=128"], "'simd' has no field 'vectorBits'; fields: vectorWidthBits"),
        (["--vary", "clockMegahertz=fast"], "'fast' is not a number, and clockMegahertz is a numeric field"),
        (["--vary", "memory[7].sizeBytes=1"], "index 7 is out of range"),
        (["--vary", "memory[l3].sizeBytes=1"], "no element named 'l3' (did you mean 'l2'?)"),
        (["--vary", "simd=1"], "the field is an object"),
        (["--vary", "clockMegahertz=1", "--vary", "clockMegahertz=2"], "is given twice"),
        (["--vary", "clockMegahertz=1", "--shard", "0/3"], "K must be from 1 to 3"),
        (["--vary", "clockMegahertz=1", "--shard", "4/3"], "K must be from 1 to 3"),
        (["--vary", "clockMegahertz=1", "--shard", "x/y"], "--shard must be K/N"),
        ([], "missing --vary"),
    ])
    func malformedArgumentsAreUsageErrors(_ extra: [String], _ message: String) {
        let result = runKiln(["sweep", exampleModel, "--target", "cortex-a72-rpi4"] + extra)
        #expect(result.code == .usageError)
        #expect(result.error.contains(message), "\(result.error)")
    }

    /// More clock → lower latency, on a built-in SIMD target, cost only; the fastest point is
    /// the only one on the front (the resource figure does not change).
    @Test func clockSweepLowersLatency() throws {
        let result = runKiln(["sweep", exampleModel, "--target", "cortex-a72-rpi4", "--vary", "clockMegahertz=300,600,1200", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let rows = try #require(try JSONParser().parse(result.output).objectValue?["rows"]?.arrayValue)
        let latencies = rows.compactMap { $0.objectValue?["latencySeconds"]?.doubleValue }
        #expect(latencies.count == 3)
        #expect(latencies[0] > latencies[1] && latencies[1] > latencies[2])
        #expect(rows.map { $0.objectValue?["pareto"]?.boolValue } == [false, false, true])
        #expect(rows.allSatisfy { $0.objectValue?["onChipMemoryBytes"]?.doubleValue != nil })
    }

    /// A bigger systolic array is more processing elements, never slower.
    @Test func systolicRowsSweepReportsProcessingElements() throws {
        let result = runKiln(["sweep", exampleModel, "--target", "scalesim-google-tpu-ws", "--vary", "systolic.rows=4,32", "--format", "csv"])
        #expect(result.code == .success, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "index,systolic.rows,latencySeconds,inferencesPerSecond,energyJoules,utilization,bound,processingElements,top1,pareto,error")
        let cells = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(cells.count == 2)
        let columns = Double(cells[0][7])! / 4
        #expect(Double(cells[1][7]) == 32 * columns)
        #expect(Double(cells[1][2])! <= Double(cells[0][2])!)
    }

    /// An invalid value makes that row report the finding; exit 1 only when every point fails.
    @Test func invalidPointsReportFindings() throws {
        let some = runKiln(["sweep", exampleModel, "--target", "cortex-a72-rpi4", "--vary", "clockMegahertz=-5,800", "--format", "json"])
        #expect(some.code == .success)
        let rows = try #require(try JSONParser().parse(some.output).objectValue?["rows"]?.arrayValue)
        #expect(rows[0].objectValue?["error"]?.stringValue == "at clockMegahertz: expected a positive number, got -5")
        #expect(rows[0].objectValue?["pareto"]?.boolValue == false)
        #expect(rows[1].objectValue?["error"] == .null)
        #expect(some.error.contains("1 of 2 grid points have no estimate"))
        let all = runKiln(["sweep", exampleModel, "--target", "cortex-a72-rpi4", "--vary", "clockMegahertz=-5,0"])
        #expect(all.code == .inputError)
    }

    /// Shards 1/3, 2/3, 3/3 merged equal the unsharded run, byte for byte.
    @Test func mergedShardsEqualTheUnshardedRun() throws {
        let sweep = ["sweep", exampleModel, "--target", "scalesim-google-tpu-ws", "--vary", "systolic.rows=8,16",
                     "--vary", "clockMegahertz=100,200,400", "--format", "json"]
        let whole = runKiln(sweep)
        #expect(whole.code == .success)
        var files: [String] = []
        for number in 1...3 {
            let shard = runKiln(sweep + ["--shard", "\(number)/3"])
            #expect(shard.code == .success)
            let file = temporaryFile("shard\(number).json")
            try shard.output.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        defer { for file in files { try? FileManager.default.removeItem(atPath: file) } }
        let merged = runKiln(["sweep", "merge"] + files.reversed() + ["--format", "json"])
        #expect(merged.code == .success, "\(merged.error)")
        #expect(merged.output == whole.output)
        #expect(merged.error.isEmpty)

        let partial = runKiln(["sweep", "merge", files[0], files[2]])
        #expect(partial.code == .success)
        #expect(partial.error.contains("warning: the shards hold 4 of 6 grid points; missing: 1, 4"))
        let twice = runKiln(["sweep", "merge", files[0], files[0]])
        #expect(twice.code == .inputError)
        #expect(twice.error.contains("each point must come from one shard"))
    }

    /// The docs/scale-out.md recipes: N shards as separate `kiln` processes that take their shard
    /// from a Slurm job array's or a Kubernetes Indexed Job's environment, merged, equal the
    /// unsharded run byte for byte.
    @Test(arguments: [
        (0..<3).map { ["SLURM_ARRAY_TASK_ID": "\($0 + 1)", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "1"] },
        (0..<3).map { ["JOB_COMPLETION_INDEX": "\($0)", "JOB_COMPLETIONS": "3"] },
    ])
    func arrayJobShardsInSeparateProcessesMergeToTheUnshardedRun(_ environments: [[String: String]]) throws {
        let sweep = ["sweep", exampleModel, "--target", "scalesim-google-tpu-ws", "--vary", "systolic.rows=8,16",
                     "--vary", "clockMegahertz=100,200,400", "--format", "json"]
        let whole = runKiln(sweep)
        #expect(whole.code == .success)
        var files: [String] = []
        defer { for file in files { try? FileManager.default.removeItem(atPath: file) } }
        for (index, variables) in environments.enumerated() {
            let file = temporaryFile("array-\(variables.keys.sorted().first!)-\(index).json")
            files.append(file)
            let run = try runKilnProcess(sweep, variables: variables, output: file)
            #expect(run.status == 0, "\(run.error)")
            #expect(run.error.contains("note: shard \(index + 1)/3 from "), "\(run.error)")
        }
        let merged = runKiln(["sweep", "merge"] + files + ["--format", "json"])
        #expect(merged.code == .success, "\(merged.error)")
        #expect(merged.output == whole.output)
    }

    @Test func arrayJobEnvironmentErrorsNameTheVariable() throws {
        #expect(try SweepShard.fromEnvironment([:]) == nil)
        #expect(try SweepShard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"])?.shard
                == SweepShard(number: 1, count: 4))
        let cases: [([String: String], String)] = [
            (["SLURM_ARRAY_TASK_ID": "2"], "SLURM_ARRAY_TASK_COUNT is not"),
            (["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"], "SLURM_ARRAY_TASK_ID=x is not a whole number"),
            (["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"], "gives shard 5 of 4"),
            (["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_STEP": "2"], "must be contiguous"),
            (["JOB_COMPLETION_INDEX": "1"], "set it to the Job's spec.completions"),
        ]
        for (environment, message) in cases {
            do {
                _ = try SweepShard.fromEnvironment(environment)
                Issue.record("\(environment) was accepted")
            } catch {
                #expect(error.message.contains(message), "\(environment): \(error.message)")
            }
        }
    }

    @Test func mergeRefusesOtherFilesAndOptions() throws {
        let file = temporaryFile("not-a-sweep.json")
        try "{\"kind\": \"something\"}".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let wrong = runKiln(["sweep", "merge", file])
        #expect(wrong.code == .inputError)
        #expect(wrong.error.contains("at kind: not a kiln sweep result"))
        #expect(runKiln(["sweep", "merge"]).code == .usageError)
        #expect(runKiln(["sweep", "merge", file, "--vary", "cores=1"]).code == .usageError)
    }

    @Test func htmlReportHasTheFrontCharts() throws {
        let file = temporaryFile("sweep.html")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = runKiln(["sweep", exampleModel, "--target", "scalesim-google-tpu-ws", "--vary", "systolic.rows=8,16,32", "--html", file])
        #expect(result.code == .success)
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.contains("class=\"chart sweep-energy\""))
        #expect(html.contains("class=\"chart sweep-resource\""))
        let circles = html.components(separatedBy: "class=\"point\"").count - 1 + html.components(separatedBy: "class=\"point front\"").count - 1
        #expect(circles == 6)
        #expect(!html.contains("<script"))
    }
}

@Suite struct CompareHTMLTests {
    /// `kiln compare --html` writes a page with the four kinds of chart and the table.
    @Test func compareWritesTheHTMLReport() throws {
        let file = temporaryFile("compare.html")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = runKiln(["compare", "--targets", "cortex-a72-rpi4,stm32h743-cortex-m7", "--html", file])
        #expect(result.code == .success, "\(result.error)")
        let html = try String(contentsOfFile: file, encoding: .utf8)
        for chart in ["chart latency", "chart energy", "chart accuracy-energy", "chart layers", "chart roofline"] {
            #expect(html.contains("class=\"\(chart)\""), "missing \(chart)")
        }
        #expect(html.contains("<table>"))
        #expect(html.contains("stm32h743-cortex-m7"))
    }
}
