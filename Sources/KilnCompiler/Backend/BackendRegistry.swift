import KilnDiagnostics
import KilnTargets

/// The backends a tool knows, by family: an explicit value passed to whatever needs it (no
/// global registry).
public struct BackendRegistry: Sendable {
    /// The backends, in registration order.
    public private(set) var backends: [any Backend] = []

    /// Creates a registry with the given backends.
    /// - Throws: ``DiagnosticError`` if a backend was written against another API version or two
    ///   backends claim the same family.
    public init(_ backends: [any Backend]) throws(DiagnosticError) {
        for backend in backends { try register(backend) }
    }

    /// Adds a backend.
    /// - Throws: ``DiagnosticError`` for an API version mismatch or a family registered twice.
    public mutating func register(_ backend: any Backend) throws(DiagnosticError) {
        guard backend.apiVersion == BackendAPI.version else {
            throw DiagnosticError(.error("backend '\(backend.family)' was written for backend API version \(backend.apiVersion); this Kiln has version \(BackendAPI.version)"))
        }
        guard self.backend(for: backend.family) == nil else {
            throw DiagnosticError(.error("two backends claim the family '\(backend.family)'"))
        }
        backends.append(backend)
    }

    /// The backend of a family, or nil.
    public func backend(for family: String) -> (any Backend)? {
        backends.first { $0.family == family }
    }

    /// The target-description schemas of every registered family (for the target loader).
    public var targetFamilies: [any TargetFamilySchema] { backends.map(\.targetSchema) }

    /// Every registered family's workload formats, in registration order.
    public var workloadFormats: [any WorkloadFormat] { backends.flatMap(\.workloadFormats) }

    /// A target loader accepting every registered family.
    /// - Parameter options: what the loader enforces.
    public func targetLoader(options: TargetLoader.Options = .init()) -> TargetLoader {
        TargetLoader(families: targetFamilies, options: options)
    }

    /// The resource figure sweeps minimize for `target`: its family's, or on-chip memory bytes.
    public func resourceFigure(for target: TargetDescription) -> ResourceFigure {
        backend(for: target.family)?.resourceFigure(for: target)
            ?? ResourceFigure(name: "onChipMemoryBytes", unit: "B", value: Double(target.onChipMemoryBytes))
    }
}
