import KilnONNX

/// ONNX protobuf decoding, then import and canonicalization of whatever decodes.
struct ONNXHarness: Harness {
    let name = "onnx"
    let summary = "ONNX protobuf reader and importer (.onnx)"

    func run(_ bytes: [UInt8]) {
        guard let model = try? ONNXModel(bytes: bytes, fileName: "fuzz.onnx") else { return }
        _ = try? ONNXImporter().importGraph(from: model, file: "fuzz.onnx")
        _ = try? ONNXImporter().inspect(model, file: "fuzz.onnx")
    }
}
