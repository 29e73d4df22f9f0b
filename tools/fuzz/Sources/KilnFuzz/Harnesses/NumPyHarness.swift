import Foundation
import KilnModelIO

/// The `.npy` reader, then conversion to a tensor and to labels.
struct NumPyHarness: Harness {
    let name = "npy"
    let summary = "NumPy .npy reader and its tensor / label conversions"

    func run(_ bytes: [UInt8]) {
        guard let array = try? NumPyReader.decode(Data(bytes), file: "fuzz.npy") else { return }
        _ = try? array.tensor()
        _ = try? array.int64Values()
    }
}
