import Foundation
import Testing
import KilnJSON
import KilnModelIO
@testable import KilnCLI

/// Runs `kiln ARGUMENTS` as its own process (the binary next to the test bundle) with
/// `variables` added to the environment and standard output to `file`; returns the exit status
/// and standard error.
func runKilnProcess(_ arguments: [String], variables: [String: String], output file: String) throws -> (status: Int32, error: String) {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kiln")
    try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build kiln first (swift build)")
    _ = FileManager.default.createFile(atPath: file, contents: nil)
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(variables) { $1 }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, message)
}

/// `kiln compare --shard K/N` and `--merge`: the scale-out doc's commands, run as separate
/// processes with the array-job variables set, merge to exactly the unsharded report.
@Suite struct CompareShardTests {
    static let digits = repositoryRoot.appendingPathComponent("examples/digits")
    static let model = digits.appendingPathComponent("cnn_qdq.onnx").path
    /// Three families (CPU SIMD, FPGA dataflow, Ethos-U), so the shards carry different rows.
    static let targets = "cortex-a55-rk3568,pynq-z1-zynq7020-finn,ethos-u55-128-corstone300"

    /// The first 40 test images and their labels in temporary .npy files.
    static let dataFiles: (images: String, labels: String) = {
        let directory = FileManager.default.temporaryDirectory
        let images = directory.appendingPathComponent("kiln-shard-images-\(ProcessInfo.processInfo.processIdentifier).npy").path
        let labels = directory.appendingPathComponent("kiln-shard-labels-\(ProcessInfo.processInfo.processIdentifier).npy").path
        do {
            let allImages = try NumPyReader.read(contentsOf: digits.appendingPathComponent("test_x_nchw.npy").path)
            try NumPyWriter.write(try NumPyArray(shape: [40] + Array(allImages.shape.dropFirst()),
                                                 storage: .float32(Array(try allImages.floatValues()[0 ..< 40 * 64]))), to: images)
            let allLabels = try NumPyReader.read(contentsOf: digits.appendingPathComponent("test_y.npy").path)
            try NumPyWriter.write(try NumPyArray(shape: [40], storage: .int64(Array(try allLabels.doubleValues()[0 ..< 40].map { Int64($0) }))), to: labels)
        } catch {
            Issue.record("cannot write the test data: \(error)")
        }
        return (images, labels)
    }()

    static func compare(_ extra: [String], targets: String = targets) -> [String] {
        ["compare", model, "--targets", targets, "--data", dataFiles.images, "--labels", dataFiles.labels] + extra
    }

    static func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiln-compare-shard-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
    }

    /// The environment and arguments of shard `index` (from 0) of 3 for the three ways
    /// docs/scale-out.md starts shards: a Slurm job array and a Kubernetes Indexed Job (through
    /// the environment), and GNU Parallel (`--shard {}/3`).
    static func launch(_ launcher: String, shard index: Int) -> (variables: [String: String], arguments: [String]) {
        switch launcher {
        case "slurm": (["SLURM_ARRAY_TASK_ID": "\(index + 4)", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "3"], [])
        case "kubernetes": (["JOB_COMPLETION_INDEX": "\(index)", "JOB_COMPLETIONS": "3"], [])
        default: ([:], ["--shard", "\(index + 1)/3"])
        }
    }

    @Test(arguments: ["slurm", "kubernetes", "parallel"])
    func shardsInSeparateProcessesMergeToTheUnshardedRun(_ launcher: String) throws {
        var files: [String] = []
        defer { for file in files { try? FileManager.default.removeItem(atPath: file) } }
        for index in 0..<3 {
            let file = Self.temporaryFile("\(launcher)-\(index).json")
            files.append(file)
            let (variables, arguments) = Self.launch(launcher, shard: index)
            let run = try runKilnProcess(Self.compare(["--format", "json"] + arguments), variables: variables, output: file)
            #expect(run.status == 0, "\(run.error)")
            if !variables.isEmpty { #expect(run.error.contains("note: shard \(index + 1)/3 from "), "\(run.error)") }
            let shard = try JSONParser().parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))), file: file)
            #expect(shard.objectValue?["kind"]?.stringValue == "kiln.compare.shard")
            // Round-robin: shard K of 3 over 40 samples scores 14, 13, 13.
            let scored = shard.objectValue?["rows"]?.arrayValue?.compactMap { $0.objectValue?["topOneScored"]?.integerValue }
            #expect(scored?.contains(Int64(index == 0 ? 14 : 13)) == true)
        }
        for format in ["json", "csv", "table"] {
            let whole = runKiln(Self.compare(["--format", format]))
            #expect(whole.code == .success, "\(whole.error)")
            // The shard files in another order: the merge does not depend on it.
            let merged = runKiln(["compare", "--merge"] + files.reversed() + ["--format", format])
            #expect(merged.code == .success, "\(merged.error)")
            #expect(merged.output == whole.output, "\(format)")
        }
    }

    /// Without labels the rows carry SQNRs (against the reference and the float model), which
    /// differ per shard: the shards write each sample's signal and noise energies, and the merge
    /// sums them in sample order, so the merged SQNRs equal the unsharded run's to the last bit.
    @Test func shardsWithoutLabelsMergeTheirSQNRExactly() throws {
        let floatModel = Self.digits.appendingPathComponent("cnn.onnx").path
        let run = ["compare", Self.model, "--targets", "stm32l4r5-cortex-m4,cortex-a55-rk3568", "--data", Self.dataFiles.images, "--float-model", floatModel]
        var files: [String] = []
        defer { for file in files { try? FileManager.default.removeItem(atPath: file) } }
        for number in 1...3 {
            let shard = runKiln(run + ["--shard", "\(number)/3", "--format", "json"])
            #expect(shard.code == .success, "\(shard.error)")
            let file = Self.temporaryFile("sqnr-\(number).json")
            try shard.output.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        for format in ["json", "csv", "table"] {
            let whole = runKiln(run + ["--format", format])
            #expect(whole.code == .success, "\(whole.error)")
            let merged = runKiln(["compare", "--merge"] + files + ["--format", format])
            #expect(merged.code == .success, "\(merged.error)")
            #expect(merged.output == whole.output, "\(format)")
        }
        // The Cortex-M4 computes TFLite's arithmetic: its SQNR against the reference is finite, so
        // the shards really differ and the merge recomputes it.
        let whole = try JSONParser().parse(runKiln(run + ["--format", "json"]).output).objectValue?["rows"]?.arrayValue ?? []
        let m4 = whole.compactMap(\.objectValue).first { $0["target"]?.stringValue == "stm32l4r5-cortex-m4" }
        #expect(m4?["sqnrVsReferenceDecibels"]?.doubleValue?.isFinite == true)
        #expect(m4?["sqnrVsFloatDecibels"]?.doubleValue?.isFinite == true)
    }

    @Test func shardAndMergeMistakesAreUsageOrInputErrors() throws {
        #expect(runKiln(["compare", Self.model, "--targets", "cortex-a55-rk3568", "--shard", "1/2", "--format", "json"]).error
            .contains("give --data"))
        #expect(runKiln(Self.compare(["--shard", "1/2"])).error.contains("give --format json"))
        #expect(runKiln(Self.compare(["--shard", "1/41", "--format", "json"])).error.contains("fewer than the 41 shards"))
        #expect(runKiln(Self.compare(["--shard", "3/2", "--format", "json"])).code == .usageError)

        let first = Self.temporaryFile("mistake-1.json"), second = Self.temporaryFile("mistake-2.json")
        defer { for file in [first, second] { try? FileManager.default.removeItem(atPath: file) } }
        let one = runKiln(Self.compare(["--shard", "1/2", "--format", "json"], targets: "cortex-a55-rk3568"))
        #expect(one.code == .success, "\(one.error)")
        try one.output.write(toFile: first, atomically: true, encoding: .utf8)
        let missing = runKiln(["compare", "--merge", first])
        #expect(missing.code == .inputError)
        #expect(missing.error.contains("shards 2 of 2 are missing"), "\(missing.error)")
        #expect(runKiln(["compare", "--merge", first, first]).error.contains("is given twice"))
        let other = runKiln(Self.compare(["--shard", "2/2", "--format", "json"], targets: "ethos-u55-128-corstone300"))
        try other.output.write(toFile: second, atomically: true, encoding: .utf8)
        let mixed = runKiln(["compare", "--merge", first, second])
        #expect(mixed.code == .inputError)
        #expect(mixed.error.contains("the shards come from different comparisons"), "\(mixed.error)")
        try "{\"kind\": \"kiln.compare\"}".write(toFile: second, atomically: true, encoding: .utf8)
        #expect(runKiln(["compare", "--merge", first, second]).error.contains("at kind: not a kiln compare shard"))
        #expect(runKiln(["compare", "--merge"]).code == .usageError)
        #expect(runKiln(["compare", "--merge", first, "--data", "x.npy"]).code == .usageError)
    }
}
