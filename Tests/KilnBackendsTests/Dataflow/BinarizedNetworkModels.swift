import KilnIR
import KilnONNX

/// The FINN paper's binarized networks at full size, built in memory in the QONNX form Brevitas
/// exports (the form of `tools/qonnx/make_qonnx_fixtures.py`, whose fixtures are smaller):
/// `BipolarQuant` on the input (MLPs) or an 8-bit `Quant` (CNV), `BipolarQuant` on every float
/// weight, `BatchNormalization` + `BipolarQuant` after every hidden layer. Weights are ±1 from a
/// fixed pattern: the cost tests need the shapes, not trained values.
enum BinarizedNetworkModels {
    /// LFC-W1A1: 784-1024-1024-1024-10.
    static func lfc() throws -> Graph { try multilayerPerceptron([784, 1024, 1024, 1024, 10], name: "lfc_w1a1") }

    /// CNV-W1A1: six 3×3 valid convolutions (64, 64, 128, 128, 256, 256 channels) on 3×32×32,
    /// 2×2 max pools after the 2nd and 4th, fully connected 256-512-512-10.
    static func cnv() throws -> Graph { try cnv(classes: 10, signAfterLast: false, name: "cnv_w1a1") }

    /// CNV-W1A1 as BNN-PYNQ's hardware computes it (`bnn/src/network/cnvW1A1/hw/config.h`): the 10
    /// classes padded to L8_MH 64; its last layer's 16-bit popcounts are thresholded to one bit here
    /// so that it stays on the fabric (same word count and cycles). The graph of
    /// `tools/finn/make_bnn_pynq_models.py`.
    static func cnvAsBNNPYNQBuildsIt() throws -> Graph { try cnv(classes: 64, signAfterLast: true, name: "cnv_w1a1_bnn_pynq") }

    static func cnv(classes: Int, signAfterLast: Bool, name: String) throws -> Graph {
        var b = Builder()
        var h = b.node("Quant", ["x", b.constant([1 / 128], []), b.constant([0], []), b.constant([8], [])], domain: qonnx,
                       attributes: [.int("signed", 1), .int("narrow", 0), .string("rounding_mode", "ROUND")])
        var previous = 3
        for (index, channels) in [64, 64, 128, 128, 256, 256].enumerated() {
            h = b.node("Conv", [h, b.binaryWeights([channels, previous, 3, 3])], attributes: [.ints("kernel_shape", [3, 3])])
            h = b.signAfterBatchNormalization(h, channels: channels)
            if index == 1 || index == 3 {
                h = b.node("MaxPool", [h], attributes: [.ints("kernel_shape", [2, 2]), .ints("strides", [2, 2])])
            }
            previous = channels
        }
        h = b.node("Flatten", [h], attributes: [.int("axis", 1)])
        for outputs in [512, 512] {
            h = b.node("MatMul", [h, b.binaryWeights([previous, outputs])])
            h = b.signAfterBatchNormalization(h, channels: outputs)
            previous = outputs
        }
        h = b.node("MatMul", [h, b.binaryWeights([previous, classes])])
        if signAfterLast { h = b.signAfterBatchNormalization(h, channels: classes) }
        return try b.graph(name, input: [1, 3, 32, 32], output: h, outputShape: [1, classes])
    }

    /// LFC-W1A1 as BNN-PYNQ's hardware computes it (`bnn/src/network/lfcW1A1/hw/config.h`): the
    /// 784 input bits padded to L0_MW 832, the 10 outputs to L3_MH 64, and every layer, the last
    /// too, thresholded to one bit (`top.cpp`: `Slice<ap_uint<1>>` on all four layers).
    static func lfcAsBNNPYNQBuildsIt() throws -> Graph {
        try multilayerPerceptron([832, 1024, 1024, 1024, 64], name: "lfc_w1a1_bnn_pynq", signAfterLast: true)
    }

    static func multilayerPerceptron(_ widths: [Int], name: String, signAfterLast: Bool = false) throws -> Graph {
        var b = Builder()
        var h = b.node("BipolarQuant", ["x", b.constant([1], [])], domain: qonnx)
        for (index, (inputs, outputs)) in zip(widths, widths.dropFirst()).enumerated() {
            h = b.node("MatMul", [h, b.binaryWeights([inputs, outputs])])
            if index < widths.count - 2 || signAfterLast { h = b.signAfterBatchNormalization(h, channels: outputs) }
        }
        return try b.graph(name, input: [1, widths[0]], output: h, outputShape: [1, widths.last!])
    }

    static let qonnx = "qonnx.custom_op.general"

    struct Builder {
        var nodes: [ONNXNode] = []
        var initializers: [ONNXTensor] = []
        var count = 0

        mutating func name(_ stem: String) -> String { count += 1; return "\(stem)\(count)" }

        mutating func constant(_ values: [Float], _ dims: [Int]) -> String {
            let n = name("c")
            initializers.append(ONNXTensor(name: n, dims: dims.map(Int64.init), dataType: .float, floatData: values))
            return n
        }

        mutating func node(_ op: String, _ inputs: [String], domain: String = "", attributes: [ONNXAttribute] = []) -> String {
            let output = name(op.lowercased() + "_out")
            nodes.append(ONNXNode(opType: op, domain: domain, name: name(op), inputs: inputs, outputs: [output], attributes: attributes))
            return output
        }

        /// `BipolarQuant` of a ±1 float weight tensor in an alternating pattern.
        mutating func binaryWeights(_ dims: [Int]) -> String {
            let count = dims.reduce(1, *)
            let values = (0..<count).map { ($0 * 7 + $0 / 3) % 2 == 0 ? Float(1) : -1 }
            return node("BipolarQuant", [constant(values, dims), constant([1], [])], domain: BinarizedNetworkModels.qonnx)
        }

        mutating func signAfterBatchNormalization(_ x: String, channels: Int) -> String {
            let ones = [Float](repeating: 1, count: channels)
            let normalized = node("BatchNormalization", [x, constant(ones, [channels]), constant([Float](repeating: 0, count: channels), [channels]),
                                                         constant([Float](repeating: 0.5, count: channels), [channels]), constant(ones, [channels])],
                                  attributes: [ONNXAttribute(name: "epsilon", type: .float, value: .float(1e-5))])
            return node("BipolarQuant", [normalized, constant([1], [])], domain: BinarizedNetworkModels.qonnx)
        }

        func graph(_ name: String, input: [Int], output: String, outputShape: [Int]) throws -> Graph {
            func info(_ n: String, _ shape: [Int]) -> ONNXValueInfo {
                ONNXValueInfo(name: n, type: .tensor(ONNXTensorType(elementType: .float, shape: shape.map { .value(Int64($0)) })))
            }
            let graph = ONNXGraph(name: name, nodes: nodes, initializers: initializers, inputs: [info("x", input)],
                                  outputs: [info(output, outputShape)])
            let model = ONNXModel(irVersion: 8, opsetImports: [ONNXOperatorSetID(version: 13), ONNXOperatorSetID(domain: BinarizedNetworkModels.qonnx, version: 1)],
                                  graph: graph)
            return try ONNXImporter().importGraph(from: model, file: "\(name).onnx")
        }
    }
}

extension ONNXAttribute {
    static func int(_ name: String, _ value: Int64) -> ONNXAttribute { ONNXAttribute(name: name, type: .int, value: .int(value)) }
    static func ints(_ name: String, _ values: [Int64]) -> ONNXAttribute { ONNXAttribute(name: name, type: .ints, value: .ints(values)) }
    static func string(_ name: String, _ value: String) -> ONNXAttribute { ONNXAttribute(name: name, type: .string, value: .string(Array(value.utf8))) }
}
