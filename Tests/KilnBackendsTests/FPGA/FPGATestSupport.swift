import Foundation
@testable import KilnBackends
import KilnCompiler
import KilnConformance
import KilnIR
import KilnTargets

/// Targets and a compiler for the FPGA tests.
enum FPGATestSupport {
    /// Every built-in target (all families' schemas, so the catalog loads whatever else is registered).
    static let catalog: TargetCatalog = {
        try! TargetCatalog.standard(families: BuiltInBackends.targetFamilies)
    }()

    /// The built-in dataflow and systolic targets.
    static var targetNames: [String] { catalog.targets.filter { ["dataflow", "systolic"].contains($0.family) }.map(\.name).sorted() }

    static func target(_ name: String) -> TargetDescription { catalog.target(named: name)! }

    static let compiler = Compiler(registry: try! BackendRegistry([DataflowBackend(), SystolicBackend()]))

    static func model(_ name: String) -> Graph {
        try! ConformanceCorpus.models().first { $0.name == name }!.graph
    }

    static let modelNames = ["mlp", "cnn-padded-strided", "depthwise-separable", "residual", "binary-friendly", "attention"]

    /// Every (model, target) pair.
    static var pairs: [(String, String)] {
        modelNames.flatMap { model in targetNames.map { (model, $0) } }
    }
}
