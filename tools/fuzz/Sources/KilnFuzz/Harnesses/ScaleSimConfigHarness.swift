import KilnBackends
import KilnModelIO

/// SCALE-Sim `.cfg` files: the reader, the target description made from them, and a small
/// topology estimated on the array they describe.
struct ScaleSimConfigHarness: Harness {
    let name = "scalesim-config"
    let summary = "SCALE-Sim .cfg reader, its target description and the systolic model"
    let shapes = (try? ScaleSimTopologyReader().read(text: ScaleSimPipeline.topology, file: "strided.csv")) ?? []

    func run(_ bytes: [UInt8]) {
        guard let model = ScaleSimPipeline.model(config: String(decoding: bytes, as: UTF8.self)) else { return }
        ScaleSimPipeline.estimate(shapes, with: model)
    }
}
