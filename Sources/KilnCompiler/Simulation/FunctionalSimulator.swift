import KilnDiagnostics
import KilnIR
import KilnInterpreter

/// Executes a target program with each kernel's own arithmetic and counts the actions of every
/// step. Its outputs must equal the reference interpreter's on ``TargetProgram/graph``.
public struct FunctionalSimulator: Sendable {
    /// The result of one run.
    public struct Run: Sendable {
        /// The graph outputs, in order.
        public var outputs: [Tensor]
        /// The actions of each step, in step order (transfers count host-link bytes).
        public var stepCounts: [ActionCounts]
    }

    /// The program.
    public let program: TargetProgram

    /// Creates a simulator for a program.
    public init(program: TargetProgram) {
        self.program = program
    }

    /// Runs the program once on inputs of exactly the graph inputs' shapes.
    /// - Throws: ``DiagnosticError`` naming the kernel's first node when a kernel fails.
    public func run(_ inputs: [String: Tensor]) throws(DiagnosticError) -> Run {
        let graph = program.graph
        var values = graph.constants
        for name in graph.inputs {
            guard let tensor = inputs[name], let type = graph.types[name] else {
                throw DiagnosticError(.error("no data given for this input", place: "tensor '\(name)'"))
            }
            values[name] = try ReferenceInterpreter.conform(tensor, to: type, name: name)
        }
        var stepCounts: [ActionCounts] = []
        for step in program.steps {
            var counts = ActionCounts()
            switch step {
            case .transfer(let transfer):
                counts.hostLinkBytes = transfer.bytes
            case .kernel(let kernelStep):
                let kernel = kernelStep.kernel
                var operands: [Tensor] = []
                for name in kernel.inputs {
                    guard let value = values[name] else {
                        throw DiagnosticError(.error("kernel \(kernel.name) reads '\(name)' before it is computed",
                                                     place: kernel.nodes.first?.place))
                    }
                    operands.append(value)
                }
                let results = try kernel.execute(operands, counts: &counts)
                try Self.check(results, of: kernel, graph: graph)
                if !kernel.countsWhileExecuting { counts.add(kernel.countActions()) }
                for (name, tensor) in zip(kernel.outputs, results) { values[name] = tensor }
            }
            stepCounts.append(counts)
        }
        var outputs: [Tensor] = []
        for name in graph.outputs {
            guard let value = values[name] else { throw DiagnosticError(.error("the program never computes this output", place: "tensor '\(name)'")) }
            outputs.append(value)
        }
        return Run(outputs: outputs, stepCounts: stepCounts)
    }

    /// Checks that a kernel (built in or from a plugin) returned one tensor of the declared type
    /// per output, so a wrong kernel is reported where it went wrong instead of trapping later.
    /// - Throws: ``DiagnosticError`` naming the kernel's first node.
    static func check(_ results: [Tensor], of kernel: any TargetKernel, graph: Graph) throws(DiagnosticError) {
        guard results.count == kernel.outputs.count else {
            throw DiagnosticError(.error("kernel \(kernel.name) returned \(results.count) tensors for its \(kernel.outputs.count) outputs",
                                         place: kernel.nodes.first?.place))
        }
        for (name, result) in zip(kernel.outputs, results) where graph.types[name].map({ $0 != result.type }) ?? false {
            throw DiagnosticError(.error("kernel \(kernel.name) returned \(result.type) for '\(name)', declared \(graph.types[name]!)",
                                         place: kernel.nodes.first?.place))
        }
    }

    /// Runs every sample of a batch (leading dimension) in parallel; graph inputs must have a
    /// leading dimension of 1. Returns the stacked outputs and the counts of one sample.
    public func runBatch(_ inputs: [String: Tensor], threads: Int? = nil) throws(DiagnosticError) -> (outputs: [Tensor], stepCounts: [ActionCounts]) {
        let graph = program.graph
        guard let first = graph.inputs.first, let batch = inputs[first]?.shape.first else {
            throw DiagnosticError(.error("no input data"))
        }
        var samples: [[String: Tensor]] = Array(repeating: [:], count: batch)
        for name in graph.inputs {
            guard let tensor = inputs[name], let type = graph.types[name], type.shape.first == 1,
                  tensor.shape.first == batch, Array(tensor.shape.dropFirst()) == Array(type.shape.dropFirst()) else {
                throw DiagnosticError(.error("expected shape [\(batch), \(graph.types[name]?.shape.dropFirst().map(String.init).joined(separator: ", ") ?? "")]",
                                             place: "tensor '\(name)'"))
            }
            for (index, sample) in try tensor.samples(batch, of: type.shape, place: "tensor '\(name)'").enumerated() { samples[index][name] = sample }
        }
        let feeds = samples
        let runs = try ParallelSamples.map(batch, threads: threads) { index throws(DiagnosticError) -> Run in try run(feeds[index]) }
        let outputs = try graph.outputs.enumerated().map { output, name throws(DiagnosticError) in
            try Tensor.stacked(runs.map { $0.outputs[output] }, place: "tensor '\(name)'")
        }
        return (outputs, runs.first?.stepCounts ?? [])
    }
}
