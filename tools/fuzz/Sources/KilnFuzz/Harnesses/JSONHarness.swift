import KilnJSON

/// The strict JSON parser, and the writer on whatever parses.
struct JSONHarness: Harness {
    let name = "json"
    let summary = "strict JSON parser and writer"

    func run(_ bytes: [UInt8]) {
        guard let value = try? JSONParser().parse(bytes, file: "fuzz.json") else { return }
        _ = JSONWriter().write(value)
    }
}
