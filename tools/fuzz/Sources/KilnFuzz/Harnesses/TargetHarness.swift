import KilnBackends
import KilnTargets

/// The target description loader, and the listings of a target that loads.
struct TargetHarness: Harness {
    let name = "target"
    let summary = "target description loader and target listings"

    func run(_ bytes: [UInt8]) {
        guard let target = try? TargetLoader(families: BuiltInBackends.targetFamilies).load(bytes: bytes, file: "fuzz.json") else { return }
        _ = TargetListing.table([target])
        _ = TargetListing.details(target)
        _ = TargetListing.detailsJSON(target)
    }
}
