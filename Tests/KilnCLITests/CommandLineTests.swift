import Foundation
import Testing
import KilnJSON
@testable import KilnCLI

/// Runs `kiln` in-process with a capturing console.
func runKiln(_ arguments: [String]) -> (code: ExitCode, output: String, error: String) {
    let console = Console.capturing()
    let code = try! KilnTool.builtIn().run(arguments, console: console)
    return (code, console.output, console.errorOutput)
}

/// Every command path, for tests that must cover them all.
func allCommandPaths() -> [[String]] {
    func paths(_ command: any Command, _ prefix: [String]) -> [[String]] {
        [prefix + [command.name]] + command.subcommands.flatMap { paths($0, prefix + [command.name]) }
    }
    return KilnTool.builtInCommands().flatMap { paths($0, []) }
}

@Suite struct CommandLineTests {
    @Test(arguments: allCommandPaths())
    func everyCommandHasHelp(_ path: [String]) {
        let result = runKiln(path + ["--help"])
        #expect(result.code == .success)
        #expect(result.output.hasPrefix("USAGE: kiln \(path.joined(separator: " "))"))
        #expect(result.output.contains("-h, --help"))
    }

    @Test func overviewListsCommandsAndExitCodes() {
        let result = runKiln([])
        #expect(result.code == .success)
        #expect(result.output.contains("targets"))
        #expect(result.output.contains("Exit codes: 0 success, 1 a finding about the input, 2 a usage error."))
    }

    @Test func unknownCommandIsAUsageErrorWithASuggestion() {
        let result = runKiln(["targts"])
        #expect(result.code == .usageError)
        #expect(result.error == "error: unknown command 'targts' (did you mean 'targets'?); see 'kiln --help'\n")
    }

    @Test func unknownOptionIsAUsageError() {
        let result = runKiln(["targets", "list", "--fromat", "json"])
        #expect(result.code == .usageError)
        #expect(result.error.hasPrefix("error: unknown option '--fromat' (did you mean '--format'?)"))
    }

    @Test func badChoiceIsAUsageError() {
        let result = runKiln(["targets", "list", "--format", "yaml"])
        #expect(result.code == .usageError)
        #expect(result.error.hasPrefix("error: option '--format' must be one of table, json, got 'yaml'"))
    }

    @Test func targetsListJSONHasNameFamilyAndFile() throws {
        let result = runKiln(["targets", "list", "--format", "json"])
        #expect(result.code == .success)
        let document = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue)
        #expect(document["kind"] == .string("kiln.targets") && document["schemaVersion"] == .integer(2))
        let rows = try #require(document["targets"]?.arrayValue)
        #expect(rows.count == 22)
        for row in rows {
            let object = try #require(row.objectValue)
            #expect(object["name"]?.stringValue != nil)
            #expect(["simd", "dsp", "dataflow", "systolic", "xnor", "ethosU"].contains(object["family"]?.stringValue ?? ""))
            #expect(object["file"]?.stringValue?.hasPrefix("targets/") == true)
        }
    }

    @Test func unknownTargetIsAnInputError() {
        let result = runKiln(["targets", "show", "cortex-m77"])
        #expect(result.code == .inputError)
        #expect(result.error.hasPrefix("error: no target named 'cortex-m77'"))
    }

    @Test func validateReportsEveryFindingAndExitsOne() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bad-target-\(UUID()).json")
        try Data(#"{"schemaVersion": 1, "name": "x", "name": "y"}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = runKiln(["targets", "validate", file.path])
        #expect(result.code == .inputError)
        #expect(result.error.contains("duplicate key 'name'"))
    }

    @Test func validateBuiltInsPrintsOnlySuccess() throws {
        let directory = try #require(KilnTargetsDirectory.url)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        let result = runKiln(["targets", "validate", "--require-sources"] + files.map { directory.appendingPathComponent($0).path })
        #expect(result.code == .success)
        #expect(result.error.isEmpty)
        #expect(result.output.split(separator: "\n").count == files.count)
        #expect(result.output.split(separator: "\n").allSatisfy { $0.contains(": ok (") })
    }
}

/// The repository's `targets/` folder.
enum KilnTargetsDirectory {
    static var url: URL? {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("targets")
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
