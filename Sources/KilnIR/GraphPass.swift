import KilnDiagnostics

/// A named transformation of a graph: canonicalization after import, numeric adaptation and
/// legalization in the compiler.
///
/// A pass is small and stateless apart from its configuration (a target description, options),
/// which it takes at initialization. Pipelines are ordered arrays of passes; `--print-ir-after
/// PASS` prints the graph after the pass with that ``name``.
public protocol GraphPass: Sendable {
    /// The pass's name as used on the command line (`fold-batch-norm`).
    var name: String { get }
    /// One line saying what the pass does.
    var summary: String { get }
    /// Returns the transformed graph.
    /// - Throws: ``DiagnosticError`` naming the node that cannot be transformed.
    func run(on graph: Graph) throws(DiagnosticError) -> Graph
}

extension Array where Element == any GraphPass {
    /// Runs the passes in order, verifying the graph after each one.
    /// - Parameter observe: called with each pass and the graph it produced (for `--print-ir-after`).
    public func run(on graph: Graph, observe: (any GraphPass, Graph) -> Void = { _, _ in }) throws(DiagnosticError) -> Graph {
        var current = graph
        for pass in self {
            current = try pass.run(on: current)
            do {
                try current.verify()
            } catch {
                throw DiagnosticError(error.diagnostics.map { finding in
                    var copy = finding
                    copy.message += " (after pass '\(pass.name)')"
                    return copy
                })
            }
            observe(pass, current)
        }
        return current
    }
}
