import Foundation
import KilnCompiler
import KilnConformance
import KilnIR
import KilnTargets
@testable import KilnBackends

/// The simd targets and a compiler for the simd tests. The catalog is loaded with every
/// built-in family schema (not only registered backends), so these tests run on the simd
/// branch alone.
enum SIMDTestSupport {
    static let catalog: TargetCatalog = {
        try! TargetCatalog.standard(families: BuiltInBackends.targetFamilies)
    }()

    /// The built-in simd targets, by name.
    static let targetNames: [String] = catalog.targets.filter { $0.family == "simd" }.map(\.name).sorted()

    static func target(_ name: String) -> TargetDescription {
        catalog.targets.first { $0.name == name }!
    }

    static func compiler() throws -> Compiler {
        Compiler(registry: try BackendRegistry([SIMDBackend()]))
    }

    static func model(_ name: String) throws -> Graph {
        try ConformanceCorpus.models().first { $0.name == name }!.graph
    }
}
