import Foundation
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnJSON
import KilnTargets
@testable import KilnCompiler

/// A family made for the compiler's own tests, with numbers small enough to work out by hand:
/// 4 operations per cycle, float32 relu and dense on the accelerator.
struct TestArrayFamily: TargetFamilySchema {
    struct Section: TargetFamilySection {
        var peakOperationsPerCycle: Double { 4 }
        var details: [(label: String, value: String)] { [] }
    }
    var name: String { "testarray" }
    var summary: String { "a hand-sized array for compiler tests" }
    var sections: [TargetSchemaSection] { [TargetSchemaSection(path: "testarray", fields: [])] }
    func decode(_ reader: TargetSectionReader, common: TargetCommonPart) -> (any TargetFamilySection)? { Section() }
}

/// How a ``TestKernel`` counts while it executes.
enum TestTally: Sendable {
    /// It counts nothing while running (its actions are its `countActions()`).
    case none
    /// It tallies one ALU operation per element it writes and the bytes of the tensors it reads
    /// and writes, as it runs.
    case exact
    /// It tallies like `exact` but misses the last element's ALU operation.
    case missingOne
    /// It adds its `countActions()` while running without declaring that it counts.
    case undeclared
}

/// A one-node kernel that runs the node's reference semantics and counts one ALU operation per
/// output element, its operands' bytes read and its results' bytes written, all in `sram`.
struct TestKernel: TargetKernel {
    let node: Node
    let graph: Graph
    var tally = TestTally.none
    var name: String { "test-\(node.kind.rawValue)" }
    var nodes: [Node] { [node] }
    var inputs: [String] { node.inputs.compactMap { $0 } }
    var outputs: [String] { node.outputs }
    var countsWhileExecuting: Bool { tally == .exact || tally == .missingOne }

    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        let results = try ReferenceInterpreter.execute(node, operands: inputs, outputTypes: node.outputs.map { graph.types[$0]! })
        switch tally {
        case .none: break
        case .undeclared: counts.add(countActions())
        case .exact, .missingOne:
            for tensor in inputs { counts.bytesRead["sram", default: 0] += tensor.doubles.count * 4 }
            for tensor in results {
                counts.bytesWritten["sram", default: 0] += tensor.doubles.count * 4
                counts.aluOperations += tensor.doubles.count
            }
            if tally == .missingOne { counts.aluOperations -= 1 }
        }
        return results
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        counts.aluOperations = node.outputs.reduce(0) { $0 + graph.types[$1]!.shape.reduce(1, *) }
        counts.bytesRead = ["sram": inputs.reduce(0) { $0 + MemoryPlanning.bytes(of: graph.types[$1]!) }]
        counts.bytesWritten = ["sram": outputs.reduce(0) { $0 + MemoryPlanning.bytes(of: graph.types[$1]!) }]
        return counts
    }

    func listing() -> [String] { ["\(name) \(inputs.joined(separator: ", ")) -> \(outputs.joined(separator: ", "))"] }
}

/// Lowers its root to a ``TestKernel``, or rejects every node with a fixed reason.
struct TestPattern: LoweringPattern {
    let root: OperatorKind
    var rejection: String?
    var tally = TestTally.none
    var name: String { "test-\(root.rawValue)" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        if let rejection { return .rejected(rejection) }
        return .lowered(TestKernel(node: context.graph.nodes[index], graph: context.graph, tally: tally))
    }
}

/// The test family's backend: no adaptation; relu and dense lower, max-pool's pattern always
/// refuses ("window larger than the line buffer"), sigmoid has no pattern.
struct TestArrayBackend: Backend {
    var tally = TestTally.none
    var apiVersion: Int { BackendAPI.version }
    var family: String { "testarray" }
    var targetSchema: any TargetFamilySchema { TestArrayFamily() }
    func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] { [] }
    func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        [TestPattern(root: .relu, tally: tally), TestPattern(root: .dense, tally: tally),
         TestPattern(root: .maxPool, rejection: "window larger than the line buffer")]
    }
}

enum TestArray {
    static func sourced(_ value: Double) -> String { #"{"value": \#(value), "source": "compiler test: chosen by hand"}"# }

    /// A target description of the test family.
    /// - Parameters:
    ///   - levels: (name, size in bytes, holds weights, holds activations); every level reads and
    ///     writes 8 bytes per cycle at 1.25 pJ per byte.
    ///   - host: the host target's name, or nil for a target that is its own host.
    static func target(levels: [(String, Int, Bool, Bool)] = [("sram", 4096, true, true)], host: String? = nil,
                       name: String = "testarray-1") throws -> TargetDescription {
        let memory = levels.map { level in
            """
            {"name": "\(level.0)", "onChip": \(level.0 != "dram"), "sizeBytes": \(sourced(Double(level.1))),
             "readBytesPerCycle": \(sourced(8)), "writeBytesPerCycle": \(sourced(8)), "latencyCycles": \(sourced(1)),
             "energyPicojoulesPerByte": \(sourced(1.25)), "holdsWeights": \(level.2), "holdsActivations": \(level.3),
             "dmaOverlapsCompute": true}
            """
        }
        let link = host.map { host in
            """
            , "host": {"target": "\(host)", "bandwidthMegabytesPerSecond": \(sourced(100)), "latencyMicroseconds": \(sourced(2)),
                       "energyPicojoulesPerByte": \(sourced(10))}
            """
        } ?? ""
        let text = """
        {"schemaVersion": 2, "name": "\(name)", "family": "testarray", "description": "compiler test array",
         "clockMegahertz": \(sourced(100)), "cores": \(sourced(1)),
         "numerics": {"storageFormats": ["f32", "i8"], "accumulatorBits": 32, "requantization": ["floatScale"]},
         "memory": [\(memory.joined(separator: ", "))],
         "ops": [{"op": "relu", "formats": ["f32"]}, {"op": "dense", "formats": ["f32"]}, {"op": "maxPool", "formats": ["f32"]},
                 {"op": "sigmoid", "formats": ["f32"]}, {"op": "tanh", "formats": ["i8"]}],
         "energy": {"multiplyAccumulate": [{"format": "i8", "picojoules": \(sourced(0.2))}], "aluOperationPicojoules": \(sourced(0.5)),
                    "registerAccessPicojoules": \(sourced(1)), "staticPowerMilliwatts": \(sourced(10))}\(link),
         "testarray": {}}
        """
        return try TargetLoader(families: [TestArrayFamily()]).decode(try JSONParser().parse(Array(text.utf8), file: "\(name).json"),
                                                                       file: "\(name).json")
    }

    /// A compiler whose only backend is the test family's, its kernels counting as `tally` says.
    static func compiler(tally: TestTally = .none) throws -> Compiler {
        Compiler(registry: try BackendRegistry([TestArrayBackend(tally: tally)]))
    }
}
