import Foundation
import Testing
@testable import KilnONNX

/// Decodes the digits MLP fixtures (a float model and onnxruntime's QOperator int8 model).
@Suite struct DigitsFixtureTests {
    @Test func floatModel() throws {
        let model = try ONNXModel(contentsOf: Fixtures.digits.appendingPathComponent("mlp2_float.onnx"))
        #expect(model.irVersion == 7)
        #expect(model.opsetImports == [ONNXOperatorSetID(domain: "", version: 13)])
        #expect(model.opsetVersion(for: "ai.onnx") == 13)
        #expect(model.producerName == "qnn-fixture-gen")
        #expect(model.graph.nodes.map(\.opType) == ["MatMul", "Add", "Relu", "MatMul", "Add"])
        #expect(model.graph.nodes.first?.inputs == ["input", "fc1.weight"])
        #expect(model.graph.initializers.map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(model.graph.initializers.map(\.dims) == [[64, 32], [32], [32, 10], [10]])
        let input = try #require(model.graph.inputs.first?.type?.tensorType)
        #expect(input == ONNXTensorType(elementType: .float, shape: [.param("N"), .value(64)]))
        #expect(model.graph.outputs.map(\.name) == ["logits"])
        let bias = try #require(model.graph.initializers.first { $0.name == "fc1.bias" })
        guard case .float(let values) = try bias.values() else {
            Issue.record("fc1.bias is not float")
            return
        }
        #expect(values.count == 32)
        #expect(values.prefix(3) == [0.20285089313983917, 0.3932313024997711, 0.2205066978931427])
        // fc1.weight starts with binary32 subnormals: they must survive raw decoding exactly.
        let weight = try #require(model.graph.initializers.first { $0.name == "fc1.weight" })
        guard case .float(let weights) = try weight.values() else {
            Issue.record("fc1.weight is not float")
            return
        }
        #expect(weights.count == 64 * 32)
        #expect(weights[0] == Float(bitPattern: 0x000A_FD6D))  // 1.0092670020499133e-39 per onnx
        #expect(weights[0].isSubnormal)
    }

    @Test func quantizedModel() throws {
        let model = try ONNXModel(contentsOf: Fixtures.digits.appendingPathComponent("mlp2_qop.onnx"))
        #expect(model.irVersion == 7)
        #expect(model.opsetVersion(for: "") == 13)
        #expect(model.opsetVersion(for: "com.microsoft") == 1)
        #expect(model.graph.nodes.map(\.opType)
            == ["QuantizeLinear", "QLinearMatMul", "QLinearAdd", "QLinearMatMul", "QLinearAdd", "DequantizeLinear"])
        #expect(model.graph.nodes.map(\.domain) == ["", "", "com.microsoft", "", "com.microsoft", ""])
        #expect(model.graph.nodes[1].inputs.count == 8)
        #expect(model.graph.initializers.count == 22)
        func tensor(_ name: String) throws -> ONNXTensor {
            try #require(model.graph.initializers.first { $0.name == name }, "\(name)")
        }
        // Payloads written three ways: raw_data, int32_data, float_data.
        #expect(try tensor("fc1.weight_quantized").dims == [64, 32])
        #expect(try tensor("fc1.weight_quantized").dataType == .int8)
        #expect(try tensor("fc1.weight_quantized").rawData?.count == 2048)
        #expect(try tensor("fc2.weight_quantized").values().integerValues?.prefix(3) == [-11, -28, -102])
        #expect(try tensor("fc1.weight_scale").dims == [32])
        #expect(try tensor("fc1.weight_scale").values().floatValues?.first == 0.011630577966570854)
        #expect(try tensor("fc1.weight_zero_point").values() == .int8([Int8](repeating: 0, count: 32)))
        #expect(try tensor("fc1_mm_zero_point").dims == [])
        #expect(try tensor("fc1_mm_zero_point").values() == .uint8([111]))
        #expect(try tensor("logits_zero_point").values() == .uint8([158]))
        #expect(try tensor("logits_scale").values() == .float([0.2510124742984772]))
        #expect(try tensor("fc1.bias_quantized").values().integerValues?.prefix(3) == [179, 239, 184])
    }
}
