import Foundation
import KilnCompiler
import KilnIR

/// The outputs, on one data set, of programs whose outputs depend on their graph alone, by the
/// graph they run: a program that runs every node on the host (each node with the reference
/// semantics, ``KilnCompiler/HostKernel``), and a program of a family whose kernels compute the
/// same codes on each of its targets (``KilnCompiler/Backend/simulatesIndependentlyOfTarget``:
/// the five Ethos-U targets, the Cortex-M targets). A second such program with an equal graph
/// (of the same family, or on the host) reuses the outputs instead of simulating the samples
/// again. Held by ``EvaluationData``, so an entry never outlives its samples.
final class RecordedProgramOutputs: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(family: String?, graph: Graph, outputs: [Tensor])] = []

    /// Whether every kernel of `program` is a ``KilnCompiler/HostKernel`` (transfers aside).
    static func runsEntirelyOnHost(_ program: TargetProgram) -> Bool {
        program.steps.allSatisfy { step in
            guard case .kernel(let kernelStep) = step else { return true }
            return kernelStep.kernel is HostKernel
        }
    }

    /// Under which family a program's outputs are recorded: none for a program that runs
    /// entirely on the host, its family when `independentOfTarget`, nil when they cannot be reused.
    static func key(of program: TargetProgram, independentOfTarget: Bool) -> String?? {
        if runsEntirelyOnHost(program) { return .some(nil) }
        return independentOfTarget ? .some(program.target.family) : nil
    }

    /// The outputs recorded under `family` for a graph equal to `graph`, or nil.
    func outputs(of graph: Graph, family: String? = nil) -> [Tensor]? {
        lock.lock(); defer { lock.unlock() }
        return entries.first { $0.family == family && $0.graph == graph }?.outputs
    }

    /// Records the outputs of a program that runs `graph`, under `family` (nil: on the host).
    func record(_ outputs: [Tensor], of graph: Graph, family: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        guard !entries.contains(where: { $0.family == family && $0.graph == graph }) else { return }
        entries.append((family, graph, outputs))
    }
}
