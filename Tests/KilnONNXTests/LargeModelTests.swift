import Foundation
import Testing
@testable import KilnONNX

/// Large payloads decode whole (their speed is measured by `kiln bench`, not by a timed test).
@Suite struct LargeModelTests {
    @Test func largeInitializersDecodeWhole() throws {
        // A model with four 16 MB float initializers (64 MB in all).
        let elements = 4 * 1024 * 1024
        var raw = [UInt8](repeating: 0, count: elements * 4)
        raw[6] = 0x80
        raw[7] = 0x3F  // element 1 = 1.0
        var model = ProtobufWriter()
        model.int(1, 8)
        model.message(8) { $0.int(2, 13) }
        model.message(7) { graph in
            for index in 0 ..< 4 {
                graph.message(5) { tensor in
                    tensor.int(1, Int64(elements))
                    tensor.int(2, 1)
                    tensor.string(8, "w\(index)")
                    tensor.bytes(9, raw)
                }
            }
        }
        let decoded = try ONNXModel(bytes: model.bytes, fileName: "large.onnx")
        #expect(decoded.graph.initializers.map(\.name) == ["w0", "w1", "w2", "w3"])
        let tensor = try #require(decoded.graph.initializers.last)
        #expect(tensor.rawData?.count == elements * 4)
        guard case .float(let values) = try tensor.values() else {
            Issue.record("expected floats")
            return
        }
        #expect(values.count == elements)
        #expect(values[1] == 1)
    }
}
