import Foundation

/// Paths of the TFLite fixtures (made by `tools/tflite/make_tflite_fixtures.py`).
enum Fixtures {
    /// `Tests/Fixtures/tflite`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tflite")
    /// The per-op models.
    static let ops = root.appendingPathComponent("ops")
    /// The MLPerf Tiny reference models.
    static let mlperf = root.appendingPathComponent("mlperf")
}
