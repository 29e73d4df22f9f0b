import Foundation
import KilnBackends
import KilnCLI
import KilnCompiler
import KilnTargets
import KilnTernary

// `kiln` with the built-in families plus `ternary`, and this package's targets/ folder.
let backends = BuiltInBackends.all + [TernaryBackend()]
let targets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../targets").standardized
let console = Console.standard()
do {
    let tool = KilnTool(registry: try BackendRegistry(backends), packagedTargetDirectories: [targets])
    exit(tool.run(Array(CommandLine.arguments.dropFirst()), console: console).rawValue)
} catch {
    console.printError("\(error)")
    exit(ExitCode.inputError.rawValue)
}
