import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// Evaluates models on targets the one way every command does: compile with the model's
/// calibration policy (``EvaluationModel``), estimate the cost, and with data simulate the
/// program functionally (``SampleBatch``) and score its first output (``Score``). Nothing is
/// computed that the caller did not ask for.
public struct Evaluation: Sendable {
    /// Something an evaluation built, as it is built.
    public enum Product: Sendable {
        /// A target-numerics graph adapted without a program (`kiln run --target`).
        case adaptedGraph(Graph, target: TargetDescription)
        /// A compiled program (its ``KilnCompiler/TargetProgram/graph`` is the adapted graph).
        case program(TargetProgram)
    }

    /// The compiler.
    public let compiler: Compiler
    /// The cost estimator (host targets come from its catalog).
    public let estimator: CostEstimator
    /// Called with every graph adapted and every program compiled (for tools and tests that
    /// check what a command evaluated); nil for none.
    public let observer: (@Sendable (Product) -> Void)?

    /// Creates an evaluation.
    /// - Parameters:
    ///   - registry: the backends.
    ///   - catalog: the targets (host targets are looked up in it).
    ///   - observer: called with every adapted graph and compiled program.
    public init(registry: BackendRegistry, catalog: TargetCatalog, observer: (@Sendable (Product) -> Void)? = nil) {
        compiler = Compiler(registry: registry)
        estimator = CostEstimator(compiler: compiler, catalog: catalog)
        self.observer = observer
    }

    /// The graph the target's program must reproduce bit for bit: the model's graph after the
    /// target's numeric adaptation, with the model's calibration inputs.
    /// - Throws: ``DiagnosticError`` when adaptation fails.
    public func adapt(_ model: EvaluationModel, for target: TargetDescription) throws(DiagnosticError) -> Graph {
        let adapted = try compiler.adapt(model.graph, for: target, options: model.compileOptions())
        observer?(.adaptedGraph(adapted, target: target))
        return adapted
    }

    /// Compiles the model for a target with the model's calibration inputs.
    /// - Parameters:
    ///   - allowHostFallback: whether nodes the target cannot run may run on the host.
    ///   - observe: called after each adaptation pass with its result (`--print-ir-after`).
    /// - Throws: ``DiagnosticError`` when the model cannot be compiled for the target.
    public func compile(_ model: EvaluationModel, for target: TargetDescription, allowHostFallback: Bool = true,
                        observe: (any GraphPass, Graph) -> Void = { _, _ in }) throws(DiagnosticError) -> TargetProgram {
        let program = try compiler.compile(model.graph, for: target, options: model.compileOptions(allowHostFallback: allowHostFallback),
                                           observe: observe)
        observer?(.program(program))
        return program
    }

    /// Estimates a program's cost and, with data, simulates it and scores its first output. A
    /// program that runs every node on the host, or of a family that simulates independently of
    /// its target, reuses the outputs of an earlier one on the same data that ran an equal graph
    /// the same way (``RecordedProgramOutputs``).
    /// - Parameter progress: with a batch of samples, the simulation runs in chunks of
    ///   ``SampleBatch/progressChunk`` samples and this is called after each with the samples
    ///   done and the total, and returns whether to go on; nil runs the batch at once.
    /// - Throws: ``DiagnosticError`` when the estimate, the simulation or the scoring fails (the
    ///   data does not name exactly the graph's inputs or does not fit them, labels do not match the output).
    public func evaluate(_ program: TargetProgram, data: EvaluationData?,
                         progress: ((_ done: Int, _ total: Int) -> Bool)? = nil) throws(DiagnosticError) -> TargetEvaluation {
        let cost = try estimator.estimate(program)
        guard let data else { return TargetEvaluation(program: program, cost: cost, outputs: nil, score: nil) }
        let batch = try SampleBatch.feeding(data.inputs, to: program.graph)
        let independent = (try? compiler.backend(for: program.target))?.simulatesIndependentlyOfTarget ?? false
        let runner = RecordedProgramOutputs.runner(of: program, independentOfTarget: independent)
        let outputs: [Tensor]
        if let runner, let recorded = data.recordedProgramOutputs.outputs(of: program.graph, by: runner) {
            outputs = recorded
            _ = progress?(1, 1)
        } else {
            let simulator = FunctionalSimulator(program: program)
            if let progress { outputs = try batch.run(simulator, progress: progress) } else { outputs = try batch.run(simulator) }
            if let runner { data.recordedProgramOutputs.record(outputs, of: program.graph, by: runner) }
        }
        let score: Score?
        switch data.scoring {
        case .none: score = nil
        case .labels(let labels): score = try Score.topOne(outputs[0], labels: labels)
        case .reference(let reference):
            do {
                var against = try Score.against(reference: reference, outputs[0])
                if let float = data.floatReference {
                    let floatScore = try Score.against(reference: float, outputs[0])
                    against.sqnrAgainstFloatDecibels = floatScore.sqnrDecibels
                    against.floatSqnrEnergies = floatScore.sqnrEnergies
                }
                score = against
            } catch {
                throw DiagnosticError(.error("on \(program.target.name): \(error.diagnostics.map(\.message).joined(separator: "; "))"))
            }
        }
        return TargetEvaluation(program: program, cost: cost, outputs: outputs, score: score)
    }

    /// Compiles the model for a target, estimates the cost and, with data, simulates and scores it.
    /// - Throws: ``DiagnosticError`` when any of these fails.
    public func run(model: EvaluationModel, target: TargetDescription, data: EvaluationData?,
                    allowHostFallback: Bool = true) throws(DiagnosticError) -> TargetEvaluation {
        try evaluate(try compile(model, for: target, allowHostFallback: allowHostFallback), data: data)
    }
}
