import Foundation
import KilnCLI

let console = Console.standard()
do {
    exit(try KilnTool.builtIn().run(Array(CommandLine.arguments.dropFirst()), console: console).rawValue)
} catch {
    console.printError(error.description)
    exit(ExitCode.inputError.rawValue)
}
