import KilnModelIO

/// The Kiln JSON model reader (which verifies the graph), and the writer on what reads.
struct KilnModelHarness: Harness {
    let name = "kiln-model"
    let summary = "Kiln JSON model reader and writer"

    func run(_ bytes: [UInt8]) {
        guard let graph = try? KilnModelFile.decode(bytes, file: "fuzz.json") else { return }
        _ = KilnModelFile.encode(graph)
    }
}
