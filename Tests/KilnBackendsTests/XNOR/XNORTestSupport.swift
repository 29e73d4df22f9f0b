import Foundation
import KilnCompiler
import KilnConformance
import KilnIR
import KilnTargets
@testable import KilnBackends

/// The built-in targets loaded with every built-in family schema (independent of which
/// backends are registered in this branch), and a compiler over the registered backends.
enum XNORTestSupport {
    static let catalog: TargetCatalog = {
        // A broken built-in target fails every test.
        try! TargetCatalog.standard(families: BuiltInBackends.targetFamilies)
    }()

    /// The built-in xnor targets, sorted.
    static let targetNames: [String] = catalog.targets.filter { $0.family == "xnor" }.map(\.name).sorted()

    static func target(_ name: String) -> TargetDescription { catalog.target(named: name)! }

    static func compiler() throws -> Compiler { Compiler(registry: try BuiltInBackends.registry()) }

    /// A lowering context for building a kernel directly (its graph and use-def analysis; the
    /// kernel takes its target facts separately).
    static func context(_ graph: Graph) -> LoweringContext { LoweringContext(graph: graph, target: target("bnn-array-45nm")) }

    static func corpusModel(_ name: String) throws -> Graph {
        try ConformanceCorpus.models().first { $0.name == name }!.graph
    }
}
