import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnTargets
@testable import KilnBackends

/// The built-in targets, loaded from the repository's `targets/` folder.
enum BuiltInTargets {
    static let catalog: TargetCatalog = {
        // swiftlint-style force try is acceptable here: a broken built-in target fails every test.
        try! TargetCatalog.standard(families: BuiltInBackends.all.map(\.targetSchema))
    }()

    /// Every built-in target whose family has a registered backend.
    static func names(family: String) -> [String] {
        catalog.targets.filter { $0.family == family }.map(\.name).sorted()
    }
}

@Suite struct BuiltInBackendRegistryTests {
    @Test func registryAcceptsEveryBuiltInBackend() throws {
        let registry = try BuiltInBackends.registry()
        #expect(registry.backends.count == BuiltInBackends.all.count)
    }
}
