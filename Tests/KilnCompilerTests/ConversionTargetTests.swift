import Testing
import KilnBackends
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets
@testable import KilnCompiler

/// The conversion target enforces every declared op limit the same way for every family, and
/// legalization without host fallback lists every illegal node at once.
@Suite struct ConversionTargetTests {
    static let catalog = try! TargetCatalog.standard(families: BuiltInBackends.targetFamilies)

    /// `cortex-a72-rpi4` with its op set replaced by `operations`.
    static func target(operations: [OperationSupport]) throws -> TargetDescription {
        let t = try #require(catalog.target(named: "cortex-a72-rpi4"))
        return TargetDescription(file: t.file, name: t.name, family: t.family, description: t.description, clockMegahertz: t.clockMegahertz,
                                 cores: t.cores, numerics: t.numerics, memory: t.memory, operations: operations, energy: t.energy,
                                 host: t.host, document: t.document, familyDetails: t.familyDetails)
    }

    /// x[1,1,8,8] (64 elements) → conv 5×5 → relu → maxPool 2×2 → output, all i8 with one scale.
    static func graph() throws -> Graph {
        let q = QuantizationParameters(scale: 0.5)
        var builder = GraphBuilder(name: "limits")
        let x = builder.input("x", TensorType(shape: [1, 1, 8, 8], elementType: .int8, quantization: q))
        let w = builder.constant("w", Tensor(shape: [1, 1, 5, 5], elementType: .int8, codes: [Int32](repeating: 1, count: 25), quantization: q))
        let conv = try builder.node(.conv2d(Convolution()), [x, w], name: "conv",
                                    outputTypes: [TensorType(shape: [1, 1, 4, 4], elementType: .int8, quantization: q)])
        let relu = try builder.node(.relu, [conv], name: "relu")
        builder.output(try builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [2, 2])), [relu], name: "pool"))
        return try builder.build()
    }

    @Test func everyDeclaredLimitIsEnforced() throws {
        let graph = try Self.graph()
        let (conv, relu, pool) = (graph.nodes[0], graph.nodes[1], graph.nodes[2])
        let limited = ConversionTarget(target: try Self.target(operations: [
            OperationSupport(operation: .conv2d, formats: [.int8], maxKernelSize: 3),
            OperationSupport(operation: .relu, formats: [.uint8]),
            OperationSupport(operation: .maxPool, formats: [.int8], maxTensorElements: 15),
        ]))
        #expect(limited.illegality(of: conv, in: graph) == "kernel 5×5 exceeds the target's largest, 3×3")
        #expect(limited.illegality(of: relu, in: graph) == "relu at i8: the target runs it at u8")
        // The pool reads 16 elements (conv 5×5 on 8×8 gives 4×4) and writes 4.
        #expect(limited.illegality(of: pool, in: graph) == "maxPool on 'relu' of 16 elements: the target's op set allows at most 15")
        let roomy = ConversionTarget(target: try Self.target(operations: [
            OperationSupport(operation: .conv2d, formats: [.int8], maxKernelSize: 5),
            OperationSupport(operation: .maxPool, formats: [.int8], maxTensorElements: 16),
        ]))
        #expect(roomy.illegality(of: conv, in: graph) == nil)
        #expect(roomy.illegality(of: pool, in: graph) == nil)
        #expect(roomy.illegality(of: relu, in: graph) == "relu is not in the target's op set")
    }

    @Test func withoutHostFallbackEveryIllegalNodeIsListed() throws {
        let target = try Self.target(operations: [OperationSupport(operation: .relu, formats: [.int8])])
        let compiler = Compiler(registry: try BuiltInBackends.registry())
        let graph = try Self.graph()
        do {
            _ = try compiler.compile(graph, for: target, options: CompileOptions(allowHostFallback: false))
            Issue.record("compiled with illegal nodes")
        } catch {
            #expect(error.diagnostics.map(\.location.place) == ["node 'conv' (conv2d)", "node 'pool' (maxPool)"])
            #expect(error.diagnostics.allSatisfy { $0.message.contains("is not in the target's op set") })
        }
    }

    @Test func useDefAnalysisAndTheFusionMatcher() throws {
        let graph = try Self.graph()
        let context = LoweringContext(graph: graph, target: try Self.target(operations: []))
        #expect(context.uses.readers["conv"] == [1])
        #expect(context.uses.writers["relu"] == 1)
        #expect(context.uses.soleReader(of: "conv") == 1)
        #expect(context.uses.soleReader(of: "pool") == nil)  // a graph output
        #expect(context.fusibleFollower(of: 0) { $0.kind == .relu } == 1)
        #expect(context.fusibleFollower(of: 0) { $0.kind == .clip } == nil)
        #expect(context.fusibleFollower(of: 2) { _ in true } == nil)
    }
}
