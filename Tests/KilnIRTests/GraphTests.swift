import Testing
import KilnDiagnostics
import KilnNumerics
@testable import KilnIR

@Suite struct ShapeInferenceTests {
    @Test func convolutionOutputFollowsOnnxFormula() throws {
        // 7×5 input, 3×3 kernel, stride 2, pads 1/0/1/0 → ONNX test_conv_with_strides_and_asymmetric_padding: 4×2.
        let conv = Operator.conv2d(Convolution(strides: [2, 2], pads: [1, 0, 1, 0]))
        #expect(try conv.outputShapes([[1, 1, 7, 5], [1, 1, 3, 3]]) == [[1, 1, 4, 2]])
        let depthwise = Operator.conv2d(Convolution(pads: [1, 1, 1, 1], groups: 4))
        #expect(try depthwise.outputShapes([[2, 4, 6, 6], [8, 1, 3, 3], [8]]) == [[2, 8, 6, 6]])
    }

    @Test func ceilModeDropsAWindowStartingInThePadding() throws {
        // ONNX test_maxpool_2d_ceil: 4×4, kernel 3, stride 2, ceil → 2×2.
        let pool = Operator.maxPool(Pooling(kernel: [3, 3], strides: [2, 2], ceilMode: true))
        #expect(try pool.outputShapes([[1, 1, 4, 4]]) == [[1, 1, 2, 2]])
        // ONNX test_maxpool_2d_ceil_output_size_reduce_by_one: 2×2, kernel 1, stride 2, ceil → 1×1.
        let reduce = Operator.maxPool(Pooling(kernel: [1, 1], strides: [2, 2], ceilMode: true))
        #expect(try reduce.outputShapes([[1, 1, 2, 2]]) == [[1, 1, 1, 1]])
    }

    @Test func matmulBroadcastsAndPromotes() throws {
        #expect(try Operator.matmul.outputShapes([[3, 1, 3, 4], [1, 2, 4, 2]]) == [[3, 2, 3, 2]])
        #expect(try Operator.matmul.outputShapes([[3], [3]]) == [[]])
        #expect(try Operator.matmul.outputShapes([[4], [2, 4, 1]]) == [[2, 1]])
        #expect(throws: ShapeInferenceError.self) { try Operator.matmul.outputShapes([[2, 3], [4, 2]]) }
    }

    @Test func badGroupsAreReportedNotTrapped() {
        let conv = Operator.conv2d(Convolution(groups: 3))
        #expect(throws: ShapeInferenceError.self) { try conv.outputShapes([[1, 4, 5, 5], [4, 1, 3, 3]]) }
        let zeroStride = Operator.conv2d(Convolution(strides: [0, 1]))
        #expect(throws: ShapeInferenceError.self) { try zeroStride.outputShapes([[1, 1, 5, 5], [1, 1, 3, 3]]) }
    }
}

@Suite struct VerifierTests {
    func smallCNN() throws -> Graph {
        var builder = GraphBuilder(name: "cnn")
        let x = builder.input("x", .float32([1, 3, 8, 8]))
        let w = builder.constant("w", Tensor(shape: [4, 3, 3, 3], floats: [Float](repeating: 0.5, count: 108)))
        let b = builder.constant("b", Tensor(shape: [4], floats: [0, 1, 2, 3]))
        let c = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])), [x, w, b], name: "conv")
        let r = try builder.node(.relu, [c], name: "relu")
        let p = try builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [2, 2])), [r], name: "pool")
        let f = try builder.node(.flatten(axis: 1), [p], name: "flatten")
        let fw = builder.constant("fw", Tensor(shape: [64, 10], floats: [Float](repeating: 0.1, count: 640)))
        let y = try builder.node(.dense, [f, fw], name: "fc")
        builder.output(y)
        return try builder.build()
    }

    @Test func builtGraphVerifiesAndCountsMACs() throws {
        let graph = try smallCNN()
        // conv: 1·4·8·8 outputs × 3·3·3 = 6912; fc: 1 × 64 × 10 = 640.
        #expect(graph.nodes.map { graph.macCount(of: $0) } == [6912, 0, 0, 0, 640])
        #expect(graph.totalMACCount == 7552)
        #expect(graph.weightElementCount == 108 + 640)
    }

    @Test func reportsEveryProblemWithTheNodeName() throws {
        var graph = try smallCNN()
        graph.nodes[1].inputs = ["missing"]
        graph.types["fc"] = .float32([1, 11])
        do {
            try graph.verify(file: "cnn.json")
            Issue.record("verification should fail")
        } catch {
            let lines = error.diagnostics.map(\.description)
            #expect(lines.contains("cnn.json: error: at node 'relu' (relu): input 0 'missing' is not defined before this node"))
            #expect(lines.contains("cnn.json: error: at node 'fc' (dense): output 'fc' is declared [1, 11] but computes to [1, 10]"))
        }
    }

    @Test func checksQuantizationParameters() throws {
        var builder = GraphBuilder(name: "q")
        let x = builder.input("x", TensorType(shape: [1, 4], elementType: .int8,
                                              quantization: QuantizationParameters(scale: 0, zeroPoint: 200)))
        builder.output(try builder.node(.dequantize, [x], name: "dq"))
        do {
            _ = try builder.build()
            Issue.record("verification should fail")
        } catch {
            #expect(error.diagnostics.map(\.description) == ["error: at tensor 'x': quantization scale 0.0 is not a positive finite number"])
        }
    }

    /// A softmax of codes writes codes of its input's storage and parameters by default (TFLite's
    /// integer softmax, ONNX Runtime's QLinearSoftmax), a float softmax f32; the verifier holds a
    /// declared output to that storage.
    @Test func softmaxWritesItsInputsStorage() throws {
        let codes = TensorType.quantized([1, 10], .int8, scale: 0.25, zeroPoint: -3)
        #expect(try Operator.softmax(axis: 1).defaultOutputTypes([codes]) == [codes])
        #expect(try Operator.softmax(axis: 1).defaultOutputTypes([.float32([1, 10])]) == [.float32([1, 10])])
        let node = Node(name: "s", operation: .softmax(axis: 1), inputs: ["x"], outputs: ["y"])
        let tfliteOutput = TensorType.quantized([1, 10], .int8, scale: 1.0 / 256, zeroPoint: -128)
        #expect(Graph.typeProblems(of: node, inputs: [codes], outputs: [tfliteOutput]).isEmpty)
        #expect(Graph.typeProblems(of: node, inputs: [codes], outputs: [.float32([1, 10])]).contains(
            "output 0 is declared f32, but softmax of these inputs computes i8 values (int32 storage, not float32)"))
    }

    @Test func integerConvolutionNeedsInt32Bias() throws {
        var builder = GraphBuilder(name: "q")
        let x = builder.input("x", .quantized([1, 1, 3, 3], .uint8, scale: 0.1, zeroPoint: 128))
        let w = builder.constant("w", Tensor(shape: [1, 1, 1, 1], elementType: .int8, codes: [3],
                                             quantization: QuantizationParameters(scale: 0.5)))
        let b = builder.constant("b", Tensor(shape: [1], elementType: .int8, codes: [1]))
        _ = try builder.node(.conv2d(Convolution()), [x, w, b], name: "qconv",
                             outputTypes: [.quantized([1, 1, 3, 3], .uint8, scale: 0.2, zeroPoint: 128)])
        builder.output("qconv")
        #expect(throws: DiagnosticError.self) { try builder.build() }
    }
}
