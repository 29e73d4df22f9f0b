import Testing
import KilnDiagnostics
import KilnIR
import KilnTargets
@testable import KilnCompiler

/// x f32[1,2,4,4] → relu → 2×2 max-pool → flatten → dense (8→4) → sigmoid → tanh → relu, so
/// that each way a node can fail to reach the test array happens once: a pattern that refuses
/// (max-pool), an op outside the op set (flatten), an op with no pattern (sigmoid), an op the
/// target runs at another format (tanh at f32, declared at i8).
func legalizationGraph() throws -> Graph {
    var builder = GraphBuilder(name: "legalization")
    let x = builder.input("x", .float32([1, 2, 4, 4]))
    let a = try builder.node(.relu, [x], name: "relu1", outputs: ["a"])
    let p = try builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [2, 2])), [a], name: "pool", outputs: ["p"])
    let f = try builder.node(.flatten(axis: 1), [p], name: "flatten", outputs: ["f"])
    let w = builder.constant("w", Tensor(shape: [8, 4], floats: [Float](repeating: 0.5, count: 32)))
    let d = try builder.node(.dense, [f, w], name: "fc", outputs: ["d"])
    let s = try builder.node(.sigmoid, [d], name: "sigmoid", outputs: ["s"])
    let t = try builder.node(.tanh, [s], name: "tanh", outputs: ["t"])
    builder.output(try builder.node(.relu, [t], name: "relu2", outputs: ["r"]))
    return try builder.build()
}

@Suite struct LegalizationTests {
    static let hostReasons: [String: String] = [
        "pool": "test-maxPool: window larger than the line buffer",
        "flatten": "flatten is not in the target's op set",
        "sigmoid": "no lowering pattern of the testarray backend handles sigmoid",
        "tanh": "tanh at f32: the target runs it at i8",
    ]

    /// Every node is on the accelerator (lowered by its pattern) or on the host with the reason.
    @Test func everyNodeIsPlacedWithItsReason() throws {
        let program = try TestArray.compiler().compile(try legalizationGraph(), for: try TestArray.target())
        let placements = program.kernelSteps.map { step -> (String, String?) in
            switch step.placement {
            case .accelerator: (step.kernel.nodes.map(\.name).joined(separator: "+"), nil)
            case .host(let reason): (step.kernel.nodes.map(\.name).joined(separator: "+"), reason)
            }
        }
        #expect(placements.map(\.0) == ["relu1", "pool", "flatten", "fc", "sigmoid", "tanh", "relu2"])
        for (node, reason) in placements {
            #expect(reason == Self.hostReasons[node], "\(node)")
        }
        #expect(program.kernelSteps.filter { $0.placement == .accelerator }.map(\.kernel.name) == ["test-relu", "test-dense", "test-relu"])
        #expect(program.hostNodeCount == 4)
    }

    /// Without host fallback (a full conversion) compiling fails with one finding per illegal
    /// node, in graph order, each naming the node.
    @Test func fullConversionListsEveryIllegalNode() throws {
        do {
            _ = try TestArray.compiler().compile(try legalizationGraph(), for: try TestArray.target(),
                                                 options: CompileOptions(allowHostFallback: false))
            Issue.record("expected the compile to fail")
        } catch let error as DiagnosticError {
            #expect(error.diagnostics.map(\.location.place) == ["node 'pool' (maxPool)", "node 'flatten' (flatten)",
                                                                 "node 'sigmoid' (sigmoid)", "node 'tanh' (tanh)"])
            #expect(error.diagnostics.map(\.message) == ["pool", "flatten", "sigmoid", "tanh"].map {
                "cannot run on testarray-1: \(Self.hostReasons[$0]!)"
            })
            #expect(error.diagnostics.allSatisfy { $0.severity == .error })
        }
    }

    /// With a host link, a transfer goes over it wherever a step reads a value last produced on
    /// the other side; graph inputs and constants start on the accelerator, constants also on
    /// the host. Sizes: a f32[1,2,4,4] 128 B, f f32[1,8] 32 B, d and t f32[1,4] 16 B.
    @Test func transfersCrossTheHostLinkOnlyWhereAValueChangesSides() throws {
        let program = try TestArray.compiler().compile(try legalizationGraph(), for: try TestArray.target(host: "test-host"))
        let steps = program.steps.map { step -> String in
            switch step {
            case .transfer(let transfer): "\(transfer.toHost ? "to host" : "to accelerator") \(transfer.value) \(transfer.bytes)"
            case .kernel(let kernel): kernel.kernel.nodes.map(\.name).joined(separator: "+")
            }
        }
        #expect(steps == ["relu1", "to host a 128", "pool", "flatten", "to accelerator f 32", "fc",
                          "to host d 16", "sigmoid", "tanh", "to accelerator t 16", "relu2"])
        // A target that is its own host runs the fallback nodes itself: nothing crosses a link.
        let alone = try TestArray.compiler().compile(try legalizationGraph(), for: try TestArray.target())
        #expect(alone.steps.count == 7)
    }
}
