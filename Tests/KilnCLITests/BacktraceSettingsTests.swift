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
    /// waits for its input on a pipe.
    func environmentOfRunningKiln(_ environment: [String: String]) throws -> (settings: String?, status: Int32) {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kiln")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build kiln first (swift build)")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", repositoryRoot.appendingPathComponent("examples/tiny-cnn.json").path,
                             "--input", "/dev/stdin", "--output", FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(UUID()).npy").path]
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        process.standardError = Pipe()
        try process.run()
        // Until its input is closed, kiln waits in its .npy reader: poll its environment meanwhile.
        var settings: String?
        for _ in 0..<600 where settings == nil {
            let raw = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(process.processIdentifier)/environ"))) ?? Data()
            let variables = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if let found = variables.first(where: { $0.hasPrefix("SWIFT_BACKTRACE=") }) {
                settings = String(found.dropFirst("SWIFT_BACKTRACE=".count))
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        try input.fileHandleForWriting.close()
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
