import KilnCompiler
import KilnDiagnostics

/// The four built-in families, each a ``Backend`` exactly as a plugin would write one.
public enum BuiltInBackends {
    /// One instance of each built-in backend.
    public static var all: [any Backend] { [SIMDBackend(), DSPBackend(), FPGABackend(), XNORBackend()] }

    /// A registry with the built-in backends (a plugin registers its own on top).
    public static func registry() throws(DiagnosticError) -> BackendRegistry {
        try BackendRegistry(all)
    }
}
