import KilnBackends
import KilnModelIO

/// SCALE-Sim topology CSVs (conv and GEMM layouts), each estimated on calc- and user-mode arrays.
struct ScaleSimTopologyHarness: Harness {
    let name = "scalesim-topology"
    let summary = "SCALE-Sim topology CSV reader and the systolic model on what it reads"
    let models: [SystolicArrayModel] = ScaleSimPipeline.configs.compactMap(ScaleSimPipeline.model(config:))

    func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for format in ScaleSimTopologyReader.Format.allCases {
            guard let shapes = try? ScaleSimTopologyReader(format: format).read(text: text, file: "fuzz.csv") else { continue }
            for model in models { ScaleSimPipeline.estimate(shapes, with: model) }
        }
    }
}
