import Foundation
import KilnInterpreter
import KilnIR
import KilnModelIO
import KilnNumerics
import Testing
@testable import KilnONNX

/// One-op QDQ models (`DequantizeLinear → Add | Mul → QuantizeLinear`) that ONNX Runtime fuses
/// into QLinearAdd / QLinearMul, run by ORT over all 65,536 pairs of 8-bit codes
/// (`Tests/Fixtures/ort-qlinear`, made by `tools/ort_arithmetic/make_qlinear_fixtures.py`): the
/// reference interpreter's codes equal ORT's on every pair, also when B is one code per row
/// (ORT's scalar-operand path); average pooling over every window sum.
@Suite struct ORTQLinearArithmeticTests {
    static let directory = Fixtures.root.appendingPathComponent("ort-qlinear")
    static let names = ["add_u8", "add_s8", "add_u8_rowscalar", "add_s8_rowscalar",
                        "mul_u8", "mul_s8", "mul_u8_rowscalar", "mul_s8_rowscalar"]

    /// A[i, j] = code i, B[i, j] = code j (B[i, 0] = code i for the row-scalar models).
    static func inputs(_ name: String) -> [String: Tensor] {
        let type: ElementType = name.contains("s8") ? .int8 : .uint8
        let low = Int32(type.minimumCode)
        let a = (0..<65_536).map { low + Int32($0 / 256) }
        let rowScalar = name.contains("rowscalar")
        let b = rowScalar ? (0..<256).map { low + Int32($0) } : (0..<65_536).map { low + Int32($0 % 256) }
        return ["A": Tensor(shape: [256, 256], elementType: type, codes: a),
                "B": Tensor(shape: rowScalar ? [256, 1] : [256, 256], elementType: type, codes: b)]
    }

    @Test(arguments: names)
    func everyCodePairEqualsOnnxRuntime(_ name: String) throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("\(name).onnx"))
        #expect(graph.nodes.map(\.kind) == [name.hasPrefix("add") ? .add : .mul])
        let codes = try #require(try ReferenceInterpreter(graph: graph).run(Self.inputs(name))[0].codes)
        let expected = try NumPyReader.read(contentsOf: Self.directory.appendingPathComponent("\(name)_ort.npy").path).int32Values()
        #expect(codes.count == 65_536)
        #expect(zip(codes, expected).filter { $0 != $1 }.count == 0)
    }

    /// DQ → LeakyRelu / Sigmoid → Q, which ORT fuses into QLinearLeakyRelu / QLinearSigmoid (lookup
    /// tables), over all 256 codes: Kiln's table `quantize(f(dequantize(q)))` gives ORT's codes.
    @Test(arguments: ["leakyrelu_u8", "leakyrelu_s8", "sigmoid_u8", "sigmoid_s8"])
    func everyCodeOfTableActivationsEqualsOnnxRuntime(_ name: String) throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("\(name).onnx"))
        #expect(graph.nodes.map(\.kind) == [name.hasPrefix("sigmoid") ? .sigmoid : .leakyRelu])
        let type: ElementType = name.contains("s8") ? .int8 : .uint8
        let x = Tensor(shape: [256], elementType: type, codes: (0..<256).map { Int32(type.minimumCode) + Int32($0) })
        let codes = try #require(try ReferenceInterpreter(graph: graph).run(["X": x])[0].codes)
        let expected = try NumPyReader.read(contentsOf: Self.directory.appendingPathComponent("\(name)_ort.npy").path).int32Values()
        #expect(codes == expected)
    }

    /// DQ → AveragePool / GlobalAveragePool → Q, which ORT fuses into QLinearAveragePool /
    /// QLinearGlobalAveragePool (`tools/ort_arithmetic/make_pool_fixtures.py`): every window sum
    /// a 2×2, 3×3 or 7×7 window of codes can have, plus random windows and padded borders
    /// (with and without the padding in the count), give ORT's codes.
    @Test(arguments: ["gap", "avgpool_full", "avgpool", "avgpool_tie", "avgpool_pad", "avgpool_padincl"].flatMap { ["\($0)_u8", "\($0)_s8"] })
    func everyWindowSumOfAveragePoolingEqualsOnnxRuntime(_ name: String) throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("\(name).onnx"))
        #expect(graph.nodes.map(\.kind) == [name.hasPrefix("gap") ? .globalAveragePool : .averagePool])
        let x = try NumPyReader.read(contentsOf: Self.directory.appendingPathComponent("\(name)_x.npy").path).tensor()
        let codes = try #require(try ReferenceInterpreter(graph: graph).run(["X": x])[0].codes)
        let expected = try NumPyReader.read(contentsOf: Self.directory.appendingPathComponent("\(name)_ort.npy").path).int32Values()
        #expect(codes.count == expected.count)
        #expect(zip(codes, expected).filter { $0 != $1 }.count == 0)
    }

    /// The fixture tells the two formulas apart: quantize(dequantize(a) + dequantize(b)) in
    /// float32, the rule Kiln used before, misses ORT's code on a pair of `add_u8`.
    @Test func dequantizeAddQuantizeDiffersFromOnnxRuntime() throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("add_u8.onnx"))
        let node = try #require(graph.nodes.first)
        let qa = try #require(graph.types[node.inputs[0]]?.quantization), qb = try #require(graph.types[node.inputs[1]]?.quantization)
        let qc = try #require(graph.types[node.outputs[0]]?.quantization)
        let expected = try NumPyReader.read(contentsOf: Self.directory.appendingPathComponent("add_u8_ort.npy").path).int32Values()
        var differences = 0
        for index in 0..<65_536 {
            let sum = LinearQuantization.dequantize(Int32(index / 256), scale: qa.scale(at: 0), zeroPoint: qa.zeroPoint(at: 0))
                + LinearQuantization.dequantize(Int32(index % 256), scale: qb.scale(at: 0), zeroPoint: qb.zeroPoint(at: 0))
            let code = LinearQuantization.quantize(sum, scale: qc.scale(at: 0), zeroPoint: qc.zeroPoint(at: 0), minimumCode: 0, maximumCode: 255)
            if code != expected[index] { differences += 1 }
        }
        #expect(differences == 1)
    }
}
