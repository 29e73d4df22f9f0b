import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnDiagnostics
import KilnIR
import KilnJSON
import KilnTargets
@testable import KilnBackends

/// The built-in targets, loaded from the repository's `targets/` folder.
enum BuiltInTargets {
    static let catalog: TargetCatalog = {
        // swiftlint-style force try is acceptable here: a broken built-in target fails every test.
        try! TargetCatalog.standard(families: BuiltInBackends.targetFamilies)
    }()

    /// Every built-in target whose family has a registered backend.
    static func names(family: String) -> [String] {
        catalog.targets.filter { $0.family == family }.map(\.name).sorted()
    }
}

@Suite struct BuiltInBackendRegistryTests {
    @Test func registryAcceptsEveryBuiltInBackend() throws {
        let registry = try BuiltInBackends.registry()
        #expect(registry.backends.map(\.family) == ["simd", "dsp", "dataflow", "systolic", "xnor", "ethosU"])
    }

    /// Every `targets/*.json` names a family that has a registered backend, read from the files
    /// themselves (not through the loader, which would only accept registered families anyway).
    @Test func everyBuiltInTargetFileNamesARegisteredFamily() throws {
        let registry = try BuiltInBackends.registry()
        let directory = try #require(TargetCatalog.builtInDirectory())
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 8)
        for file in files {
            let document = try JSONParser().parse([UInt8](try Data(contentsOf: directory.appendingPathComponent(file))), file: file)
            let family = try #require(document.objectValue?["family"]?.stringValue, "\(file) has no family")
            #expect(registry.backend(for: family) != nil, "\(file) names the family '\(family)', which has no registered backend")
        }
    }

    /// A registry refuses a backend written for another API version, and a family registered twice.
    @Test func registryChecksVersionsAndDuplicates() throws {
        struct FutureBackend: Backend {
            var apiVersion: Int { BackendAPI.version + 1 }
            var family: String { "future" }
            var targetSchema: any TargetFamilySchema { SIMDFamily() }
            func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] { [] }
            func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] { [] }
        }
        #expect(throws: DiagnosticError.self) { try BackendRegistry([FutureBackend()]) }
        #expect(throws: DiagnosticError.self) { try BackendRegistry([SIMDBackend(), SIMDBackend()]) }
    }
}
