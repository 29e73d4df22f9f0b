import Foundation
import KilnCompiler
import KilnIR

/// The outputs, on one data set, of the programs that run every node on the host, by the graph
/// they run. Such a program executes each node of its graph with the reference semantics
/// (``KilnCompiler/HostKernel``), so its outputs depend on that graph and the samples alone: a
/// second target whose program runs an equal graph entirely on the host (the Ethos-U targets
/// on a model none of them can run) reuses them instead of simulating the samples again.
/// Held by ``EvaluationData``, so an entry never outlives its samples.
final class HostProgramOutputs: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(graph: Graph, outputs: [Tensor])] = []

    /// Whether every kernel of `program` is a ``KilnCompiler/HostKernel`` (transfers aside).
    static func runsEntirelyOnHost(_ program: TargetProgram) -> Bool {
        program.steps.allSatisfy { step in
            guard case .kernel(let kernelStep) = step else { return true }
            return kernelStep.kernel is HostKernel
        }
    }

    /// The outputs recorded for a graph equal to `graph`, or nil.
    func outputs(of graph: Graph) -> [Tensor]? {
        lock.lock(); defer { lock.unlock() }
        return entries.first { $0.graph == graph }?.outputs
    }

    /// Records the outputs of a program that runs `graph` entirely on the host.
    func record(_ outputs: [Tensor], of graph: Graph) {
        lock.lock(); defer { lock.unlock() }
        guard !entries.contains(where: { $0.graph == graph }) else { return }
        entries.append((graph, outputs))
    }
}
