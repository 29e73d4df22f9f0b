import Foundation
import KilnCLI

exit(KilnTool().run(Array(CommandLine.arguments.dropFirst()), console: .standard()).rawValue)
