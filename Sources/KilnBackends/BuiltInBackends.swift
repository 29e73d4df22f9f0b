import KilnCompiler
import KilnDiagnostics
import KilnTargets

/// The built-in families, each a ``Backend`` exactly as a plugin would write one. This list is
/// the only list of built-in families: target schemas, workload formats and resource figures
/// all come from the registry made of it.
public enum BuiltInBackends {
    /// One instance of each built-in backend.
    public static var all: [any Backend] { [SIMDBackend(), DSPBackend(), DataflowBackend(), SystolicBackend(), XNORBackend(), EthosUBackend()] }

    /// The built-in backends' target-description schemas (for loaders and catalogs of built-in targets).
    public static var targetFamilies: [any TargetFamilySchema] { all.map(\.targetSchema) }

    /// A registry with the built-in backends (a plugin registers its own on top).
    public static func registry() throws(DiagnosticError) -> BackendRegistry {
        try BackendRegistry(all)
    }
}
