import Foundation
import KilnDiagnostics
import KilnInterpreter
import KilnIR
import KilnModelIO
import Testing
@testable import KilnONNX

/// QONNX models (`Tests/Fixtures/qonnx`, built by `tools/qonnx/make_qonnx_fixtures.py`): after
/// import, the reference interpreter's outputs equal the `qonnx` 1.0.0 executor's bit for bit,
/// and malformed QONNX gets errors that name the node.
@Suite struct QONNXImportTests {
    static var directory: URL { Fixtures.root.appendingPathComponent("qonnx") }

    static func cases() throws -> [String] {
        let manifest = try #require(try Fixtures.json(directory.appendingPathComponent("manifest.json")) as? [String: Any])
        let cases = try #require(manifest["cases"] as? [[String: Any]])
        return cases.compactMap { $0["case"] as? String }
    }

    static func load(_ file: String) throws -> Tensor {
        try NumPyReader.read(contentsOf: directory.appendingPathComponent(file).path).tensor()
    }

    static func model(_ name: String) throws -> ONNXModel {
        try ONNXModel(contentsOf: directory.appendingPathComponent("\(name).onnx"))
    }

    @Test func everyCaseIsPresent() throws {
        let cases = try Self.cases()
        #expect(cases.count == 25)
        for name in ["quant_int3_half_down", "bipolar_quant_per_channel", "trunc_v2_floor", "multithreshold_nchw_int2",
                     "tfc_w1a1", "cnv_like_w1a1", "cnv_like_w2a2"] {
            #expect(cases.contains(name))
        }
    }

    @Test(arguments: try cases())
    func outputsEqualTheQONNXExecutor(_ name: String) throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("\(name).onnx"))
        let x = try Self.load("\(name)_x.npy")
        let expected = try #require(try Self.load("\(name)_y.npy").floats)
        let outputs = try ReferenceInterpreter(graph: graph).run([graph.inputs[0]: x])
        let actual = try #require(outputs[0].floats)
        #expect(actual.count == expected.count)
        // Equal as numbers: qonnx keeps the sign of a zero that rounds from a negative value
        // (−0.0), Kiln's integer codes give +0.0; every other value is equal bit for bit.
        let differing = zip(actual, expected).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(differing.isEmpty, "\(name): \(differing.count) of \(expected.count) differ, first \(differing.prefix(3).map { "\($0.offset): \($0.element.0) vs \($0.element.1)" })")
    }

    /// How each quantizer maps: `quantize` where Kiln's rounding equals QONNX's, thresholds
    /// otherwise, `sign` for bipolar outputs; binary weights become ±1 codes.
    @Test func mappingsFollowTheQuantizer() throws {
        func kinds(_ name: String) throws -> [OperatorKind] {
            try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("\(name).onnx")).nodes.map(\.kind)
        }
        #expect(try kinds("quant_int8_round") == [.quantize, .dequantize])
        #expect(try kinds("quant_int3_half_down") == [.multiThreshold, .dequantize])
        #expect(try kinds("quant_int1_bipolar") == [.sign, .dequantize])
        #expect(try kinds("multithreshold_bipolar_out_scale") == [.multiThreshold, .dequantize, .mul, .add])
        let tfc = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("tfc_w1a1.onnx"))
        // fuse-binary-layers: the hidden layers are ±1 × ±1 dense layers with an int32 accumulator,
        // their batchNorm + sign a threshold bias; the last layer stays float (no sign after it).
        #expect(tfc.nodes.map(\.kind) == [.sign, .dense, .sign, .dense, .sign, .dense, .sign, .dequantize, .dense])
        for node in tfc.nodes.filter({ $0.kind == .dense }).prefix(3) {
            #expect(tfc.types[node.inputs[0]]?.elementType == .binary)
            #expect(tfc.constants[node.inputs[1]]?.type.elementType == .binary)
            #expect(tfc.types[node.outputs[0]] == TensorType(shape: tfc.types[node.outputs[0]]!.shape, elementType: .int32))
        }
        let cnv = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("cnv_like_w1a1.onnx"))
        // Every conv (the first reads the 8-bit input codes) and both hidden dense layers have ±1
        // weights and an int32 accumulator; no float batchNorm is left (hoist-dequantize lets the
        // layers after the max pools and the flatten see the codes).
        #expect(cnv.nodes.filter { $0.kind == .conv2d && cnv.constants[$0.inputs[1]]?.type.elementType == .binary }.count == 6)
        #expect(cnv.nodes.filter { $0.kind == .dense && cnv.types[$0.inputs[0]]?.elementType == .binary }.count == 2)
        #expect(!cnv.nodes.contains { $0.kind == .batchNorm })
        #expect(tfc.nodes.filter { $0.kind == .sign }.count == 4)
    }

    /// The thresholds a step function derives reproduce it on every binary32 value near them.
    @Test func thresholdsAreExact() {
        for rounding in QONNXRounding.allCases {
            let step = QONNXStepFunction.quant(scale: 0.173, zeroPoint: 1, range: -3...3, rounding: rounding)
            let thresholds = step.thresholds()
            #expect(thresholds.count == 6)
            for (index, t) in thresholds.enumerated() {
                #expect(step.code(t) == Float(-3 + index + 1))
                #expect(step.code(t.nextDown) < Float(-3 + index + 1))
            }
        }
    }

    // MARK: Malformed QONNX

    static func expectError(_ model: ONNXModel, _ fragments: [String]) {
        do {
            _ = try ONNXImporter().importGraph(from: model, file: "bad.onnx")
            Issue.record("expected an error")
        } catch {
            let text = error.description
            #expect(text.hasPrefix("bad.onnx: error: "), "\(text)")
            for fragment in fragments { #expect(text.contains(fragment), "\(text)") }
        }
    }

    static func replacing(_ model: ONNXModel, input index: Int, of node: Int = 0, dims: [Int64], floats: [Float]) -> ONNXModel {
        var model = model
        let name = model.graph.nodes[node].inputs[index]
        let position = model.graph.initializers.firstIndex { $0.name == name }!
        model.graph.initializers[position].rawData = nil
        model.graph.initializers[position].dims = dims
        model.graph.initializers[position].floatData = floats
        return model
    }

    @Test func bitWidthOutOfRange() throws {
        let model = try Self.model("quant_int3_round")
        Self.expectError(Self.replacing(model, input: 3, dims: [], floats: [0]), ["(Quant)", "bit width 0.0 is out of range", "1...32"])
        Self.expectError(Self.replacing(model, input: 3, dims: [], floats: [33]), ["bit width 33.0 is out of range"])
        Self.expectError(Self.replacing(model, input: 3, dims: [], floats: [2.5]), ["bit width 2.5"])
    }

    @Test func unsortedThresholds() throws {
        let model = try Self.model("multithreshold_nchw_int2")
        Self.expectError(Self.replacing(model, input: 1, dims: [3, 3], floats: [0, 1, 2, 0, 2, 1, 0, 1, 2]),
                         ["(MultiThreshold)", "thresholds of row 1 are not sorted: column 2 (1.0) < column 1 (2.0)"])
    }

    @Test func shapesThatDisagree() throws {
        let thresholds = try Self.model("multithreshold_nchw_int2")
        Self.expectError(Self.replacing(thresholds, input: 1, dims: [4, 1], floats: [0, 1, 2, 3]),
                         ["thresholds have 4 rows but x has 3 channels on axis 1"])
        let quant = try Self.model("quant_uint4_narrow_floor_per_channel")
        Self.expectError(Self.replacing(quant, input: 1, dims: [1, 2, 1, 1], floats: [0.1, 0.2]),
                         ["scale of shape [1, 2, 1, 1] does not broadcast along one axis of the input's shape [2, 3, 4, 5]"])
        Self.expectError(Self.replacing(quant, input: 2, dims: [], floats: [0.5]), ["zero point 0.5 is not an integer"])
        Self.expectError(Self.replacing(quant, input: 1, dims: [], floats: [-1]), ["scale must be positive"])
    }

    @Test func unknownRoundingMode() throws {
        var model = try Self.model("quant_int3_round")
        let position = model.graph.nodes[0].attributes.firstIndex { $0.name == "rounding_mode" }!
        model.graph.nodes[0].attributes[position] = ONNXAttribute(name: "rounding_mode", type: .string, value: .string(Array("NEAREST".utf8)))
        Self.expectError(model, ["rounding_mode 'NEAREST' is unknown"])
    }
}
