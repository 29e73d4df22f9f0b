import Testing
import KilnConformance
import KilnIR
import KilnTargets
@testable import KilnCompiler

/// The conformance kit's count check compares what the simulator counted for each step with the
/// kernel's cost-only `countActions()`; these kernels differ only in how they count while running.
@Suite struct ConformanceCountCheckTests {
    /// x[1, 6] → dense (w[6, 3]) → relu: two accelerator kernels.
    static func graph() throws -> Graph {
        var builder = GraphBuilder(name: "dense-relu")
        let x = builder.input("x", .float32([1, 6]))
        let w = builder.constant("w", Tensor(shape: [6, 3], floats: (0..<18).map { Float($0 % 5) - 2 }))
        let d = try builder.node(.dense, [x, w], name: "fc", outputs: ["d"])
        builder.output(try builder.node(.relu, [d], name: "relu", outputs: ["r"]))
        return try builder.build()
    }

    static func check(_ tally: TestTally) throws -> ConformanceKit.Outcome {
        try ConformanceKit.check(model: "dense-relu", graph: try graph(), target: try TestArray.target(),
                                 compiler: try TestArray.compiler(tally: tally))
    }

    /// Kernels that count nothing while running: the simulator takes their static counts once
    /// (3 ALU operations for each kernel's 3 outputs, not 6).
    @Test func staticCountsAreTakenOnce() throws {
        let program = try TestArray.compiler().compile(try Self.graph(), for: try TestArray.target())
        let run = try FunctionalSimulator(program: program).run(ConformanceKit.randomInputs(for: program.graph, seed: 1))
        #expect(run.stepCounts.map(\.aluOperations) == [3, 3])
        #expect(try Self.check(.none).countMismatches.isEmpty)
    }

    /// A tally taken while running that arrives at the static counts passes.
    @Test func anExactTallyPasses() throws {
        let outcome = try Self.check(.exact)
        #expect(outcome.mismatches == 0)
        #expect(outcome.countMismatches.isEmpty)
    }

    /// A tally one ALU operation short fails, naming both kernels.
    @Test func aMiscountingKernelFails() throws {
        let outcome = try Self.check(.missingOne)
        #expect(outcome.mismatches == 0)
        #expect(outcome.countMismatches == ["test-dense", "test-relu"])
    }

    /// A kernel that counts in `execute` without declaring it is counted twice, and fails.
    @Test func anUndeclaredTallyFails() throws {
        #expect(try Self.check(.undeclared).countMismatches == ["test-dense", "test-relu"])
    }
}
