import Foundation
import Testing
@testable import KilnCLI

/// The `kiln` executable runs with a backtracer that cannot hold a caller's stderr open after a
/// crash (non-interactive, fast symbolication), unless the user chose settings themselves.
@Suite struct BacktraceSettingsTests {
    @Test func theUsersSettingsWin() {
        #expect(BacktraceSettings.value(toSetIn: [:]) == "interactive=no,symbolicate=fast,color=no")
        #expect(BacktraceSettings.value(toSetIn: ["SWIFT_BACKTRACE": "enable=no"]) == nil)
    }

    /// The environment the running `kiln` process was executed with, read from /proc while it
    /// waits to open its input: a named pipe that has no writer until the environment is read
    /// (opening a FIFO for reading blocks until a writer opens it, so the wait does not depend on
    /// timing).
    func environmentOfRunningKiln(_ environment: [String: String]) throws -> (settings: String?, status: Int32) {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kiln")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build kiln first (swift build)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-backtrace-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("input.npy").path
        try #require(mkfifo(fifo, 0o600) == 0, "mkfifo failed")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", repositoryRoot.appendingPathComponent("examples/tiny-cnn.json").path,
                             "--input", fifo, "--output", directory.appendingPathComponent("output.npy").path]
        process.environment = environment
        process.standardError = Pipe()
        try process.run()
        var settings: String?
        for _ in 0..<1200 where settings == nil && process.isRunning {
            let raw = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(process.processIdentifier)/environ"))) ?? Data()
            let variables = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if let found = variables.first(where: { $0.hasPrefix("SWIFT_BACKTRACE=") }) {
                settings = String(found.dropFirst("SWIFT_BACKTRACE=".count))
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        // Open the pipe for writing and close it (without blocking, for as long as kiln waits on it):
        // kiln reads an empty file and stops with a finding.
        while process.isRunning {
            let descriptor = open(fifo, O_WRONLY | O_NONBLOCK)
            if descriptor >= 0 { close(descriptor) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.waitUntilExit()
        return (settings, process.terminationStatus)
    }

    @Test func kilnStartsAgainWithANonInteractiveBacktracer() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = nil
        let result = try environmentOfRunningKiln(environment)
        #expect(result.settings == "interactive=no,symbolicate=fast,color=no")
        #expect(result.status == 1)  // the empty input is a finding
    }

    @Test func kilnKeepsTheUsersSettings() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let result = try environmentOfRunningKiln(environment)
        #expect(result.settings == "enable=no")
        #expect(result.status == 1)
    }
}
