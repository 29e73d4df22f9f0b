import Foundation
import KilnDiagnostics
import KilnIR
import Testing
@testable import KilnONNX

/// Errors and lenient inspection of models Kiln cannot fully import.
@Suite struct ImportDiagnosticsTests {
    static func info(_ name: String, _ shape: [ONNXDimension]) -> ONNXValueInfo {
        ONNXValueInfo(name: name, type: .tensor(ONNXTensorType(elementType: .float, shape: shape)))
    }

    /// x → Relu → TopK ×2, Hardmax, then Relu on the Hardmax output.
    static let model: ONNXModel = {
        let nodes = [
            ONNXNode(opType: "Relu", name: "relu1", inputs: ["x"], outputs: ["a"]),
            ONNXNode(opType: "TopK", name: "r1", inputs: ["a"], outputs: ["b"]),
            ONNXNode(opType: "TopK", name: "r2", inputs: ["a"], outputs: ["c"]),
            ONNXNode(opType: "Hardmax", name: "hardmax", inputs: ["a"], outputs: ["d"]),
            ONNXNode(opType: "Relu", name: "relu2", inputs: ["d"], outputs: ["e"]),
        ]
        let graph = ONNXGraph(name: "g", nodes: nodes, inputs: [info("x", [.param("N"), .value(4)])],
                              outputs: [info("b", []), info("c", []), info("e", [.value(1), .value(4)])],
                              valueInfo: [info("d", [.value(1), .value(4)])])
        return ONNXModel(irVersion: 8, opsetImports: [ONNXOperatorSetID(domain: "", version: 17)], graph: graph)
    }()

    @Test func oneErrorListsEveryUnsupportedOp() throws {
        do {
            _ = try ONNXImporter().importGraph(from: Self.model, file: "m.onnx")
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.count == 1)
            let text = error.description
            #expect(text == "m.onnx: error: unsupported ONNX operators: Hardmax ×1 ('hardmax'); TopK ×2 ('r1', 'r2')")
        }
    }

    @Test func lenientInspectionImportsTheRest() throws {
        let inspection = try ONNXImporter().inspect(Self.model, file: "m.onnx")
        #expect(inspection.unsupported.map(\.name) == ["r1", "r2", "hardmax"])
        #expect(inspection.unsupported[0].inputs.first?.shape == [1, 4])
        #expect(inspection.unsupported[2].outputs.first?.shape == [1, 4])
        // Outputs of skipped nodes with a type from value_info / graph outputs become inputs of
        // the imported part (the host-partition boundary).
        #expect(inspection.graph.inputs == ["x", "b", "c", "d"])
        #expect(inspection.graph.nodes.map(\.name) == ["relu1", "relu2"])
        #expect(inspection.graph.outputs == ["b", "c", "e"])
    }

    @Test func errorsNameTheNode() throws {
        let node = ONNXNode(opType: "Reshape", name: "reshape1", inputs: ["x", "shape"], outputs: ["y"])
        let graph = ONNXGraph(nodes: [node], inputs: [Self.info("x", [.value(2), .value(3)]),
                                                      ONNXValueInfo(name: "shape", type: .tensor(ONNXTensorType(elementType: .int64, shape: [.value(1)])))],
                              outputs: [Self.info("y", [.value(6)])])
        let model = ONNXModel(irVersion: 8, opsetImports: [ONNXOperatorSetID(domain: "", version: 17)], graph: graph)
        #expect(ONNXImporter.inputsRequiringConstants(in: model) == ["shape"])
        do {
            _ = try ONNXImporter().importGraph(from: model, file: "r.onnx")
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.first?.location.place == "node 'reshape1' (Reshape)")
            #expect(error.description.contains("'shape' must be a constant"))
        }
        // Bound as a constant, it imports; a hostile shape is a clear error, not a trap.
        let bound = ONNXImporter(options: ONNXImportOptions(constantInputs: ["shape": Tensor(shape: [1], int64s: [-1])]))
        #expect(try bound.importGraph(from: model).nodes.first?.operation == .reshape(shape: [6]))
        let hostile = ONNXImporter(options: ONNXImportOptions(constantInputs: ["shape": Tensor(shape: [2], int64s: [Int64.max, 4])]))
        #expect(throws: DiagnosticError.self) { try hostile.importGraph(from: model) }
    }

    @Test func hostileAttributesAreErrors() throws {
        for attribute in [ONNXAttribute(name: "pads", type: .ints, value: .ints([Int64.max, 0, 0, 0])),
                          ONNXAttribute(name: "strides", type: .ints, value: .ints([0, 1])),
                          ONNXAttribute(name: "kernel_shape", type: .ints, value: .ints([-3, 2]))] {
            var attributes = [ONNXAttribute(name: "kernel_shape", type: .ints, value: .ints([2, 2]))]
            attributes.removeAll { $0.name == attribute.name }
            attributes.append(attribute)
            let node = ONNXNode(opType: "MaxPool", name: "pool", inputs: ["x"], outputs: ["y"], attributes: attributes)
            let graph = ONNXGraph(nodes: [node], inputs: [Self.info("x", [.value(1), .value(1), .value(4), .value(4)])],
                                  outputs: [Self.info("y", [])])
            let model = ONNXModel(irVersion: 8, opsetImports: [ONNXOperatorSetID(domain: "", version: 17)], graph: graph)
            #expect(throws: DiagnosticError.self) { try ONNXImporter().importGraph(from: model) }
        }
    }

    @Test func truncatedFileCarriesTheByteOffset() throws {
        let bytes = try Fixtures.bytes(Fixtures.digits.appendingPathComponent("mlp2_float.onnx"))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-truncated-\(UUID().uuidString).onnx")
        try Data(bytes.prefix(bytes.count / 2)).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try ONNXImporter().importGraph(contentsOf: url)
            Issue.record("expected an error")
        } catch {
            let finding = try #require(error.diagnostics.first)
            #expect(finding.location.byteOffset != nil)
            #expect(finding.location.file == url.relativePath)
        }
    }
}
