import KilnJSON
@testable import KilnCLI

/// `kiln sweep merge` inputs: a shard's JSON decoded, merged with itself, and written again.
struct SweepShardHarness: Harness {
    let name = "sweep-shard"
    let summary = "kiln sweep shard JSON reader and merge"

    func run(_ bytes: [UInt8]) {
        guard let document = try? JSONParser().parse(bytes, file: "fuzz.json"),
              let result = try? SweepResult(decoding: document, file: "fuzz.json") else { return }
        _ = result.json()
        _ = try? SweepResult.merge([(result, "a.json"), (result, "b.json")])
    }
}
