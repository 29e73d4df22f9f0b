import KilnDiagnostics
import KilnIR
import KilnTargets

/// Turns a quantized graph into a program for one target: numeric adaptation (the family's
/// passes), legalization into accelerator kernels and host nodes, host-link transfers, and
/// memory planning.
public struct Compiler: Sendable {
    /// The backends, by family.
    public let registry: BackendRegistry

    /// Creates a compiler over a registry of backends.
    public init(registry: BackendRegistry) {
        self.registry = registry
    }

    /// The backend for a target's family.
    /// - Throws: ``DiagnosticError`` naming the target file if no backend handles its family.
    public func backend(for target: TargetDescription) throws(DiagnosticError) -> any Backend {
        guard let backend = registry.backend(for: target.family) else {
            throw DiagnosticError(.error("no backend is registered for the family '\(target.family)'", file: target.file, place: "family"))
        }
        return backend
    }

    /// Runs the target's numeric adaptation: the graph whose reference semantics the target's
    /// program must reproduce bit for bit (`kiln run --target T`).
    /// - Parameter observe: called after each pass with its name and result (`--print-ir-after`).
    public func adapt(_ graph: Graph, for target: TargetDescription, options: CompileOptions = CompileOptions(),
                      observe: (any GraphPass, Graph) -> Void = { _, _ in }) throws(DiagnosticError) -> Graph {
        try graph.verify()
        return try backend(for: target).adaptationPasses(for: target, options: options).run(on: graph, observe: observe)
    }

    /// Compiles a graph for a target.
    /// - Throws: ``DiagnosticError`` when the graph cannot be adapted, a node cannot run and host
    ///   fallback is off (every such node is listed), or the model does not fit in memory.
    public func compile(_ graph: Graph, for target: TargetDescription, options: CompileOptions = CompileOptions(),
                        observe: (any GraphPass, Graph) -> Void = { _, _ in }) throws(DiagnosticError) -> TargetProgram {
        let backend = try backend(for: target)
        let adapted = try adapt(graph, for: target, options: options, observe: observe)
        let plan = try backend.plan(for: adapted, target: target, options: options)
        let kernelSteps = try Legalization(patterns: backend.loweringPatterns(for: target), allowHostFallback: options.allowHostFallback)
            .run(LoweringContext(graph: adapted, target: target, plan: plan))
        // A target without a host link is its own host (a CPU or MCU): its fallback nodes run on the
        // same core, in its memory, with nothing to transfer.
        let steps = target.host == nil ? kernelSteps.map { TargetProgram.Step.kernel($0) }
                                       : Self.insertTransfers(kernelSteps, graph: adapted)
        let memory = try MemoryPlanning(target: target, search: backend.arenaSearch(for: target)).run(graph: adapted, steps: steps)
        return TargetProgram(target: target, graph: adapted, steps: steps, buffers: memory.buffers,
                             peakBytesPerLevel: memory.peakBytesPerLevel, weightBytes: memory.weightBytes,
                             peakActivationBytes: memory.peakActivationBytes, notes: options.log.entries, plan: plan)
    }

    /// Adds a transfer over the host link wherever a kernel reads a value produced on the other
    /// side. Graph inputs and constants start on the accelerator.
    static func insertTransfers(_ kernels: [TargetProgram.KernelStep], graph: Graph) -> [TargetProgram.Step] {
        var onAccelerator = Set(graph.inputs).union(graph.constants.keys)
        var onHost = Set(graph.constants.keys)
        var steps: [TargetProgram.Step] = []
        for step in kernels {
            let isHost = step.placement != .accelerator
            for input in step.kernel.inputs {
                if isHost && !onHost.contains(input) {
                    steps.append(.transfer(.init(value: input, bytes: MemoryPlanning.bytes(of: graph.types[input]!), toHost: true)))
                    onHost.insert(input)
                } else if !isHost && !onAccelerator.contains(input) {
                    steps.append(.transfer(.init(value: input, bytes: MemoryPlanning.bytes(of: graph.types[input]!), toHost: false)))
                    onAccelerator.insert(input)
                }
            }
            for output in step.kernel.outputs {
                if isHost { onHost.insert(output) } else { onAccelerator.insert(output) }
            }
            steps.append(.kernel(step))
        }
        return steps
    }
}
