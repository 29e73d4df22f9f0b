import Foundation
import KilnDiagnostics
import Testing
@testable import KilnONNX

/// Decodes every model and test-data file of the ONNX backend node tests in
/// `Tests/Fixtures/onnx-node` and checks them against `index.json` and against the values the
/// `onnx` Python package decoded (`kiln_value_digests.json`, written by
/// `tools/onnx_node_value_digests.py`).
@Suite struct ONNXNodeFixtureTests {
    /// index.json entries by test name.
    static func index() throws -> [String: [String: Any]] {
        let root = try #require(try Fixtures.json(Fixtures.onnxNode.appendingPathComponent("index.json")) as? [String: Any])
        let tests = try #require(root["tests"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: tests.compactMap { entry in
            (entry["name"] as? String).map { ($0, entry) }
        })
    }

    @Test func everyModelMatchesTheIndex() throws {
        let index = try Self.index()
        let directories = try Fixtures.onnxNodeTests()
        #expect(directories.count == 167)
        #expect(index.count == 167)
        for directory in directories {
            let name = directory.lastPathComponent
            let entry = try #require(index[name], "\(name) missing from index.json")
            let model = try ONNXModel(contentsOf: directory.appendingPathComponent("model.onnx"))
            #expect((3 ... 13).contains(model.irVersion), "\(name)")

            var ops: [String: Int] = [:]
            for node in model.graph.nodes { ops[node.opType, default: 0] += 1 }
            #expect(ops == (entry["ops"] as? [String: Int]), "\(name): ops")

            var opsets: [String: Int] = [:]
            for opset in model.opsetImports { opsets[opset.domain.isEmpty ? "ai.onnx" : opset.domain] = Int(opset.version) }
            #expect(opsets == (entry["opset"] as? [String: Int]), "\(name): opsets")

            let inputs = model.graph.runtimeInputs.map { $0.type?.tensorType?.description ?? "?" }
            let outputs = model.graph.outputs.map { $0.type?.tensorType?.description ?? "?" }
            #expect(inputs == (entry["inputs"] as? [String]), "\(name): inputs")
            #expect(outputs == (entry["outputs"] as? [String]), "\(name): outputs")

            // Every constant tensor in the model decodes.
            for tensor in model.graph.initializers {
                #expect(try tensor.values().count == tensor.elementCount(), "\(name): initializer \(tensor.name)")
            }
            for node in model.graph.nodes {
                for attribute in node.attributes {
                    if case .tensor(let tensor) = attribute.value {
                        #expect(try tensor.values().count == tensor.elementCount(), "\(name): attribute \(attribute.name)")
                    }
                }
            }
        }
    }

    @Test func attributesMatchTheIndex() throws {
        // Spot checks of attribute values the index spells out.
        let pads = try ONNXModel(contentsOf: Fixtures.onnxNode.appendingPathComponent("test_convinteger_with_padding/model.onnx"))
        #expect(pads.graph.nodes.first?.attribute("pads")?.value == .ints([1, 1, 1, 1]))
        let blocked = try ONNXModel(contentsOf: Fixtures.onnxNode.appendingPathComponent("test_quantizelinear_blocked_symmetric/model.onnx"))
        let node = try #require(blocked.graph.nodes.first)
        #expect(node.attribute("axis")?.value == .int(1))
        #expect(node.attribute("block_size")?.value == .int(2))
        #expect(node.attribute("output_dtype")?.value == .int(5))
        let autopad = try ONNXModel(contentsOf: Fixtures.onnxNode.appendingPathComponent("test_conv_with_autopad_same/model.onnx"))
        #expect(autopad.graph.nodes.first?.attribute("auto_pad")?.stringValue == "SAME_LOWER")
        #expect(autopad.graph.nodes.first?.attribute("strides")?.value == .ints([2, 2]))
        let epsilon = try ONNXModel(contentsOf: Fixtures.onnxNode.appendingPathComponent("test_batchnorm_epsilon/model.onnx"))
        #expect(epsilon.graph.nodes.first?.attribute("epsilon")?.value == .float(0.009999999776482582))
        let expanded = try ONNXModel(contentsOf: Fixtures.onnxNode.appendingPathComponent("test_dynamicquantizelinear_expanded/model.onnx"))
        let constants = expanded.graph.nodes.filter { $0.opType == "Constant" }.compactMap { node -> ONNXTensorValues? in
            guard case .tensor(let tensor) = node.attribute("value")?.value else { return nil }
            return try? tensor.values()
        }
        #expect(constants == [.float([0]), .float([255])])
    }

    @Test func everyTestDataFileDecodesLikeTheReference() throws {
        let digestRoot = try #require(try Fixtures.json(Fixtures.onnxNode.appendingPathComponent("kiln_value_digests.json")) as? [String: Any])
        let digests = try #require(digestRoot["files"] as? [String: [String: Any]])
        var checked = 0
        var typesSeen: Set<ONNXDataType> = []
        for directory in try Fixtures.onnxNodeTests() {
            let model = try ONNXModel(contentsOf: directory.appendingPathComponent("model.onnx"))
            let sets = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.lastPathComponent.hasPrefix("test_data_set_") }
            for set in sets {
                for file in try FileManager.default.contentsOfDirectory(at: set, includingPropertiesForKeys: nil)
                where file.pathExtension == "pb" {
                    let relative = "\(directory.lastPathComponent)/\(set.lastPathComponent)/\(file.lastPathComponent)"
                    let tensor = try ONNXTensor(contentsOf: file)
                    let values = try tensor.values()
                    typesSeen.insert(tensor.dataType)
                    let digest = try #require(digests[relative], "no digest for \(relative)")
                    #expect(tensor.name == digest["name"] as? String, "\(relative)")
                    #expect(tensor.dataType.description == digest["data_type"] as? String, "\(relative)")
                    #expect(tensor.dims.map { Int($0) } == digest["dims"] as? [Int], "\(relative)")
                    #expect(values.count == digest["count"] as? Int, "\(relative)")
                    let floats = try #require(values.floatValues)
                    let expected = try #require(digest["values"] as? [String])
                    for (index, text) in expected.enumerated() {
                        let reference = try #require(Double(text), "bad digest entry in \(relative)")
                        let actual = floats[index]
                        #expect(reference.isNaN ? actual.isNaN : actual == Float(reference),
                                "\(relative)[\(index)]: \(actual) vs \(text)")
                    }
                    let sum = try #require((digest["sum"] as? String).flatMap { Double($0) })
                    let actualSum = floats.reduce(0.0) { $1.isNaN ? $0 : $0 + Double($1) }
                    #expect(abs(actualSum - sum) <= 1e-9 * max(1, abs(sum)), "\(relative): sum \(actualSum) vs \(sum)")

                    // The tensor binds to the graph's N-th runtime input or N-th output.
                    let stem = file.deletingPathExtension().lastPathComponent
                    let parts = stem.split(separator: "_")
                    if parts.count == 2, let position = Int(parts[1]) {
                        let infos = parts[0] == "input" ? model.graph.runtimeInputs : model.graph.outputs
                        let type = try #require(position < infos.count ? infos[position].type?.tensorType : nil, "\(relative)")
                        #expect(type.elementType == tensor.dataType, "\(relative)")
                        #expect(type.shape == tensor.dims.map { ONNXDimension.value($0) }, "\(relative)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 550)
        let expectedTypes: Set<ONNXDataType> = [.float, .float16, .float4e2m1, .float8e4m3fn, .float8e5m2, .int16,
                                                .int2, .int32, .int4, .int64, .int8, .uint16, .uint2, .uint4, .uint8]
        #expect(typesSeen == expectedTypes)
    }
}
