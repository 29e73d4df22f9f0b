import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets

/// The public conformance kit every backend runs, built-in or plugin: compile a model for a
/// target, run the reference interpreter on the target-numerics graph and the functional
/// simulator on the program, on seeded random inputs, and compare element for element.
public enum ConformanceKit {
    /// The outcome of checking one model on one target.
    public struct Outcome: Sendable, CustomStringConvertible {
        /// The model's name.
        public var model: String
        /// The target's name.
        public var target: String
        /// Elements compared.
        public var compared: Int
        /// Elements that differ (0 for a conforming backend).
        public var mismatches: Int
        /// The first difference, described, if any.
        public var firstMismatch: String?
        /// Nodes on the accelerator and on the host.
        public var acceleratorKernels: Int, hostNodes: Int
        /// Kernels whose cost-only counts (`countActions()`) differ from what the simulator
        /// counted for their step: a kernel that tallies while executing and arrives at other
        /// counts, or one that counts in `execute` without declaring `countsWhileExecuting` (and
        /// so is counted twice). Empty for a conforming backend.
        public var countMismatches: [String] = []

        /// `model on target: N elements, M mismatches`.
        public var description: String {
            "\(model) on \(target): \(compared) elements compared, \(mismatches) mismatches"
                + (firstMismatch.map { " (first: \($0))" } ?? "")
                + ", \(acceleratorKernels) accelerator kernels, \(hostNodes) host nodes"
                + (countMismatches.isEmpty ? "" : ", counts differ from cost-only counts in \(countMismatches.joined(separator: ", "))")
        }
    }

    /// Seeded random inputs for every graph input: floats in [0, 1], integer codes over their range.
    public static func randomInputs(for graph: Graph, seed: UInt64) -> [String: Tensor] {
        var random = SeededGenerator(seed: seed)
        var inputs: [String: Tensor] = [:]
        for name in graph.inputs {
            let type = graph.types[name]!
            let count = Shape.elementCount(type.shape) ?? 0
            switch type.elementType.storage {
            case .float32:
                inputs[name] = Tensor(type: type, storage: .float32((0..<count).map { _ in random.float(in: 0...1) }))
            case .int32:
                let low = type.elementType.minimumCode, high = type.elementType.maximumCode
                inputs[name] = Tensor(type: type, storage: .int32((0..<count).map { _ in
                    type.elementType == .binary ? (Bool.random(using: &random) ? 1 : -1) : Int32(Int64.random(in: low...high, using: &random))
                }))
            case .int64:
                inputs[name] = Tensor(type: type, storage: .int64((0..<count).map { _ in Int64.random(in: -100...100, using: &random) }))
            }
        }
        return inputs
    }

    /// Compiles `graph` for `target` and compares simulation with the reference on `samples`
    /// seeded inputs.
    /// - Throws: ``DiagnosticError`` if the model does not compile or a run fails.
    public static func check(model: String, graph: Graph, target: TargetDescription, compiler: Compiler,
                             samples: Int = 3, seed: UInt64 = 2024) throws(DiagnosticError) -> Outcome {
        let program = try compiler.compile(graph, for: target)
        let reference = try ReferenceInterpreter(graph: program.graph)
        let simulator = FunctionalSimulator(program: program)
        var outcome = Outcome(model: model, target: target.name, compared: 0, mismatches: 0, firstMismatch: nil,
                              acceleratorKernels: program.kernelSteps.filter { $0.placement == .accelerator }.count,
                              hostNodes: program.hostNodeCount)
        for sample in 0..<samples {
            let inputs = randomInputs(for: program.graph, seed: seed &+ UInt64(sample))
            let expected = try reference.run(inputs)
            let run = try simulator.run(inputs)
            let actual = run.outputs
            for (step, counts) in zip(program.steps, run.stepCounts) {
                guard case .kernel(let kernelStep) = step, kernelStep.kernel.countActions() != counts,
                      !outcome.countMismatches.contains(kernelStep.kernel.name) else { continue }
                outcome.countMismatches.append(kernelStep.kernel.name)
            }
            for (index, (want, got)) in zip(expected, actual).enumerated() {
                let wanted = want.doubles, gotten = got.doubles
                outcome.compared += wanted.count
                guard want.shape == got.shape, wanted.count == gotten.count else {
                    outcome.mismatches += wanted.count
                    outcome.firstMismatch = outcome.firstMismatch ?? "output \(index): shape \(got.shape), expected \(want.shape)"
                    continue
                }
                for element in wanted.indices where wanted[element].bitPattern != gotten[element].bitPattern {
                    outcome.mismatches += 1
                    if outcome.firstMismatch == nil {
                        outcome.firstMismatch = "sample \(sample), output \(program.graph.outputs[index]) element \(element): \(gotten[element]), expected \(wanted[element])"
                    }
                }
            }
        }
        return outcome
    }
}
