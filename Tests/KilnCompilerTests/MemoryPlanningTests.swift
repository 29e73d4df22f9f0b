import Testing
import KilnDiagnostics
import KilnIR
import KilnNumerics
@testable import KilnCompiler

@Suite struct MemoryPlanningTests {
    @Test func packedTypesTakeTheirBitWidth() {
        #expect(MemoryPlanning.bytes(of: TensorType(shape: [1, 64, 3, 3], elementType: .binary)) == 72)
        #expect(MemoryPlanning.bytes(of: TensorType(shape: [5], elementType: .int4)) == 3)
        #expect(MemoryPlanning.bytes(of: TensorType(shape: [2, 3], elementType: .q15)) == 12)
        #expect(MemoryPlanning.bytes(of: .float32([10])) == 40)
    }
}

/// x f32[1,16] → relu → a → dense (w f32[16,8], 512 B) → y f32[1,8] → relu → r (output): three
/// accelerator steps. Lifetimes in steps: x 0…0, a 0…1, y 1…2, r 2…3 (an output lives to the end).
func memoryGraph() throws -> Graph {
    var builder = GraphBuilder(name: "memory")
    let x = builder.input("x", .float32([1, 16]))
    let a = try builder.node(.relu, [x], name: "relu1", outputs: ["a"])
    let w = builder.constant("w", Tensor(shape: [16, 8], floats: [Float](repeating: 0.25, count: 128)))
    let y = try builder.node(.dense, [a, w], name: "fc", outputs: ["y"])
    builder.output(try builder.node(.relu, [y], name: "relu2", outputs: ["r"]))
    return try builder.build()
}

@Suite struct MemoryArenaTests {
    /// Vela's allocation order (most urgent, then longest lived): a (64 B, 128 B live at step 0)
    /// at 0; x (64 B, live with a) at 64; y (32 B, live with a at step 1) at 64, where x was; r
    /// (32 B, live only with y) at 0. Peak 128 B, the most live at one step. Weights first in the level, so activations start after w's 512 bytes.
    @Test func arenaOffsetsFollowLiveness() throws {
        let program = try TestArray.compiler().compile(try memoryGraph(), for: try TestArray.target())
        let buffers = program.buffers.map { "\($0.value) \($0.level)@\($0.offset) \($0.bytes)\($0.isConstant ? " constant" : "")" }
        #expect(buffers == ["w sram@0 512 constant", "a sram@512 64", "r sram@512 32", "x sram@576 64", "y sram@576 32"])
        #expect(program.weightBytes == 512)
        #expect(program.peakActivationBytes == 128)
        #expect(program.peakBytesPerLevel == ["sram": 640])
    }

    /// When the weights' level has no room left for the activation peak, activations go to the
    /// next level that holds them, from offset 0.
    @Test func activationsSpillToTheNextLevel() throws {
        let target = try TestArray.target(levels: [("sram", 600, true, true), ("dram", 1 << 20, true, true)])
        let program = try TestArray.compiler().compile(try memoryGraph(), for: target)
        let buffers = program.buffers.map { "\($0.value) \($0.level)@\($0.offset)" }
        #expect(buffers == ["w sram@0", "a dram@0", "r dram@0", "x dram@64", "y dram@64"])
        #expect(program.peakBytesPerLevel == ["sram": 512, "dram": 128])
    }

    /// A model that does not fit says so with the numbers: 600 − 512 = 88 bytes left for a
    /// 128-byte activation peak; and 500 bytes cannot hold 512 bytes of weights.
    @Test func doesNotFitNamesTheNumbers() throws {
        for (size, what) in [(600, "activations need 128 bytes at their peak"), (500, "weights need 512 bytes")] {
            let target = try TestArray.target(levels: [("sram", size, true, true)])
            do {
                _ = try TestArray.compiler().compile(try memoryGraph(), for: target)
                Issue.record("expected \(size) bytes not to fit")
            } catch let error as DiagnosticError {
                #expect(error.diagnostics.map(\.message) == [
                    "the model does not fit on testarray-1: \(what) (weights 512 bytes, activation peak 128 bytes); "
                        + "memory levels: sram \(size) bytes (weights, activations)",
                ])
                #expect(error.diagnostics.first?.location.file == "testarray-1.json")
            }
        }
    }
}

/// A kernel with the memory plan's hooks set by a test (`workingBuffers` in the activation memory
/// around its step, an output sharing an input's buffer), and otherwise the kernel it wraps.
struct MemoryHookKernel: TargetKernel {
    let wrapped: any TargetKernel
    var workingBuffers: [WorkingBuffer] = []
    var outputBufferReuse: OutputBufferReuse?
    var addedConstantBytes: [String: Int] = [:]
    var name: String { wrapped.name }
    var nodes: [Node] { wrapped.nodes }
    var inputs: [String] { wrapped.inputs }
    var outputs: [String] { wrapped.outputs }
    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try wrapped.execute(inputs, counts: &counts)
    }
    func countActions() -> ActionCounts { wrapped.countActions() }
    func listing() -> [String] { wrapped.listing() }
}

@Suite struct MemoryAddedConstantTests {
    /// Constants a kernel adds (``TargetKernel/addedConstantBytes``: 48 bytes the dense step's
    /// target stores beside its weights) are weights: placed in the weights' level by name with
    /// the graph's (`fc/table` at 0, `w` after it), counted in the weight bytes, and the arena
    /// starts after them.
    @Test func addedConstantsArePlacedWithTheWeights() throws {
        let (plan, _) = try MemoryWorkingBufferTests.planWithDenseKernel { MemoryHookKernel(wrapped: $0, addedConstantBytes: ["fc/table": 48]) }
        let constants = plan.buffers.filter(\.isConstant).map { "\($0.value)@\($0.offset) \($0.bytes)" }
        #expect(constants == ["fc/table@0 48", "w@48 512"])
        #expect(plan.weightBytes == 560)
        #expect(plan.buffers.filter { !$0.isConstant }.map(\.offset).min() == 560)
    }
}

@Suite struct MemoryWorkingBufferTests {
    /// The memory graph's plan with `buffers` on its dense step (step 1), and the name the plan
    /// gives the first of them.
    static func planWithDenseBuffers(_ buffers: [WorkingBuffer]) throws -> (plan: MemoryPlanning.Plan, name: String) {
        try planWithDenseKernel { MemoryHookKernel(wrapped: $0, workingBuffers: buffers) }
    }

    /// The memory graph's plan with its dense step's kernel replaced by `hook(kernel)`, and the
    /// name the plan gives that step's first working buffer.
    static func planWithDenseKernel(_ hook: (any TargetKernel) -> MemoryHookKernel) throws -> (plan: MemoryPlanning.Plan, name: String) {
        let program = try TestArray.compiler().compile(try memoryGraph(), for: try TestArray.target())
        var steps = program.steps
        let dense = try #require(steps.firstIndex { step in
            if case .kernel(let kernel) = step { return kernel.kernel.nodes.contains { $0.kind == .dense } }
            return false
        })
        guard case .kernel(var step) = steps[dense] else { throw DiagnosticError(.error("no dense step")) }
        step.kernel = hook(step.kernel)
        steps[dense] = .kernel(step)
        let plan = try MemoryPlanning(target: program.target).run(graph: program.graph, steps: steps)
        return (plan, "\(step.kernel.name) working buffer #\(dense)")
    }

    /// A kernel's working buffer (``TargetKernel/workingBuffers``) is an arena value live during
    /// its step only: with 100 bytes at the dense step (step 1), 196 bytes are live there (a,
    /// y and the buffer). Vela's order takes those three first, longest lived first: a (0…1) at
    /// 0, y (1…2) at 64, the buffer at 96; then x (0…0) at 64 and r (2…3) at 0. Peak 196 bytes
    /// instead of 128.
    @Test func workingBuffersTakeArenaSpaceDuringTheirStep() throws {
        let (plan, name) = try Self.planWithDenseBuffers([WorkingBuffer(bytes: 100)])
        let buffers = plan.buffers.filter { !$0.isConstant }.map { "\($0.value)@\($0.offset - 512) \($0.bytes)" }
        #expect(buffers.contains("\(name)@96 100"), "\(buffers)")
        #expect(plan.peakActivationBytes == 196, "\(buffers)")
    }

    /// Times: relu1 runs at 0 (hand-over 1), the dense at 2 (3), relu2 at 4 (5), so x lives 0…1,
    /// a 0…3, y 2…5, r 4…7. A 100-byte buffer the dense fills during relu1's hand-over lives 1…3
    /// (held through its own hand-over) or 1…2 (freed before it): either way it meets x and a at
    /// time 1, 228 bytes. In Vela's order x, a and the buffer are the most urgent and a lives
    /// longest: a goes at 0. Held, the buffer (1…3) outlives x (0…1): the buffer at 64, x at
    /// 164, y beside a and the buffer at 164. Freed, it lives as long as x, which starts
    /// earlier: x at 64, the buffer at 128, y (beside a and the buffer, not x) at 64. r at 0.
    @Test func prebufferedBuffersMeetThePreviousStep() throws {
        for held in [true, false] {
            let buffer = WorkingBuffer(bytes: 100, fillsDuringPreviousStep: true, heldThroughHandOver: held)
            let (plan, name) = try Self.planWithDenseBuffers([buffer])
            let buffers = plan.buffers.filter { !$0.isConstant }.map { "\($0.value)@\($0.offset - 512)" }
            #expect(buffers == (held ? ["a@0", "r@0", "\(name)@64", "x@164", "y@164"] : ["a@0", "r@0", "x@64", "y@64", "\(name)@128"]))
            #expect(plan.peakActivationBytes == 228)
        }
    }
}

@Suite struct MemoryBufferReuseTests {
    /// relu1 writes a over x in place (x is last read there, both 64 B) and r is a view of y
    /// (both 32 B), a step that takes no time: two buffers, x–a live at times 0…3 (relu1 at 0, the
    /// dense at 2) and y–r at 2…5 (the view at 4, with the network output to the hand-over after
    /// the last step). Equally urgent and long-lived, x–a starts first and goes at 0, y–r at 64;
    /// each sharing value is listed after its holder, at its offset. Peak 96 B instead of 128. A
    /// dense step asking to write y (32 B) over a (64 B) keeps its own buffer.
    @Test func outputsShareTheirInputsBuffers() throws {
        let program = try TestArray.compiler().compile(try memoryGraph(), for: try TestArray.target())
        var steps = program.steps
        for (index, step) in steps.enumerated() {
            guard case .kernel(var kernelStep) = step, let node = kernelStep.kernel.nodes.first else { continue }
            let reuse: OutputBufferReuse = switch node.name {
            case "relu1": .inPlace(over: ["x"])
            case "fc": .inPlace(over: ["a"])
            default: .view(of: "y")
            }
            kernelStep.kernel = MemoryHookKernel(wrapped: kernelStep.kernel, outputBufferReuse: reuse)
            steps[index] = .kernel(kernelStep)
        }
        let plan = try MemoryPlanning(target: program.target).run(graph: program.graph, steps: steps)
        let buffers = plan.buffers.filter { !$0.isConstant }.map { "\($0.value)@\($0.offset - 512) \($0.bytes)" }
        #expect(buffers == ["x@0 64", "a@0 64", "y@64 32", "r@64 32"])
        #expect(plan.peakActivationBytes == 96)
    }
}

@Suite struct ArenaAllocationTests {
    /// Four values (bytes, first…last step): p 1 B 0…1, q 1 B 1…1, s 2 B 1…2, t 2 B 2…2; 4 B
    /// are live at steps 1 and 2. Vela's first solution (p, s, q, t) puts p at 0, s at 1, q at 3,
    /// and t, live beside s, at 3: 5 B. The search swaps p and s, the first pair of the values
    /// that placed t (t, s, p): s at 0, p at 2, q at 3, t at 2, 4 B.
    @Test func searchReachesTheMostLiveAtOneStep() {
        let ranges = [(1, 0, 1), (1, 1, 1), (2, 1, 2), (2, 2, 2)].map { ArenaAllocation.LiveRange(bytes: $0.0, first: $0.1, last: $0.2) }
        #expect(ArenaAllocation.allocate(ranges, attemptLimit: 0).end == 5)
        let (offsets, end) = ArenaAllocation.allocate(ranges)
        #expect(offsets == [2, 3, 0, 2])
        #expect(end == 4)
    }
}
