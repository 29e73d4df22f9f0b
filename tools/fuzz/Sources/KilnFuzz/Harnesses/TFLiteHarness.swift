import KilnTFLite

/// TFLite FlatBuffers decoding, then import of whatever decodes.
struct TFLiteHarness: Harness {
    let name = "tflite"
    let summary = "TFLite FlatBuffers reader and importer (.tflite)"

    func run(_ bytes: [UInt8]) {
        guard let model = try? TFLiteModel(bytes: bytes, fileName: "fuzz.tflite") else { return }
        _ = try? TFLiteImporter().importGraph(model, file: "fuzz.tflite")
    }
}
