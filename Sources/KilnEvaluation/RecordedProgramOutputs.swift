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
    private var entries: [(runner: Runner, graph: Graph, outputs: [Tensor])] = []

    /// What computed recorded outputs: the host's reference semantics, or the kernels of a
    /// family that simulates independently of its target.
    enum Runner: Hashable {
        /// Every node on the host.
        case host
        /// The named family's kernels.
        case family(String)
    }

    /// Whether every kernel of `program` is a ``KilnCompiler/HostKernel`` (transfers aside).
    static func runsEntirelyOnHost(_ program: TargetProgram) -> Bool {
        program.steps.allSatisfy { step in
            guard case .kernel(let kernelStep) = step else { return true }
            return kernelStep.kernel is HostKernel
        }
    }

    /// What computes a program's outputs when they can be reused: the host for a program that
    /// runs entirely on the host, its family when `independentOfTarget`; nil otherwise.
    static func runner(of program: TargetProgram, independentOfTarget: Bool) -> Runner? {
        if runsEntirelyOnHost(program) { return .host }
        return independentOfTarget ? .family(program.target.family) : nil
    }

    /// The outputs `runner` recorded for a graph equal to `graph`, or nil.
    func outputs(of graph: Graph, by runner: Runner = .host) -> [Tensor]? {
        lock.lock(); defer { lock.unlock() }
        return entries.first { $0.runner == runner && $0.graph == graph }?.outputs
    }

    /// Records the outputs `runner` computed for `graph`.
    func record(_ outputs: [Tensor], of graph: Graph, by runner: Runner = .host) {
        lock.lock(); defer { lock.unlock() }
        guard !entries.contains(where: { $0.runner == runner && $0.graph == graph }) else { return }
        entries.append((runner, graph, outputs))
    }
}
