import Foundation
import KilnCLI

// A crash must not leave the backtracer holding the caller's stderr (see BacktraceSettings):
// the runtime reads SWIFT_BACKTRACE at start-up only, so set it and start again, once.
if let settings = BacktraceSettings.value(toSetIn: ProcessInfo.processInfo.environment),
   FileManager.default.isExecutableFile(atPath: "/proc/self/exe") {
    setenv(BacktraceSettings.variable, settings, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only on failure: carry on with the runtime's default settings.
}

let console = Console.standard()
do {
    exit(try KilnTool.builtIn().run(Array(CommandLine.arguments.dropFirst()), console: console).rawValue)
} catch {
    console.printError(error.description)
    exit(ExitCode.inputError.rawValue)
}
