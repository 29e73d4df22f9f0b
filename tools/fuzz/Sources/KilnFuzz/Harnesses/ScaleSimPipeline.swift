import KilnBackends
import KilnModelIO
import KilnTargets

/// The path `kiln simulate TOPOLOGY.csv --target CONFIG.cfg` takes: a SCALE-Sim config becomes
/// a target description, a topology becomes layers, and the systolic model estimates them.
enum ScaleSimPipeline {
    /// A calc-mode and a user-bandwidth config from `Tests/Fixtures/scalesim/configs`, one per
    /// dataflow, that the topology harness estimates every topology with.
    static let configs: [String] = [("os", "CALC"), ("ws", "CALC"), ("is", "CALC"), ("ws", "USER")].map { dataflow, mode in
        """
        [general]
        run_name = fuzz
        [architecture_presets]
        ArrayHeight: 8
        ArrayWidth: 8
        IfmapSramSzkB: 16
        FilterSramSzkB: 16
        OfmapSramSzkB: 16
        IfmapOffset: 0
        FilterOffset: 10000000
        OfmapOffset: 20000000
        Dataflow : \(dataflow)
        Bandwidth : 10
        ReadRequestBuffer: 32
        WriteRequestBuffer: 32
        [run_presets]
        InterfaceBandwidth: \(mode)
        """
    }

    /// A small topology (from `Tests/Fixtures/scalesim/topologies/strided.csv`) that the config
    /// harness estimates with every config that loads.
    static let topology = """
        Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
        S2_exact, 9, 9, 3, 3, 4, 6, 2,
        S3_roundup, 11, 7, 2, 2, 3, 5, 3,
        """

    /// The systolic model of a config's text, or nil if the config (or its target) is rejected.
    static func model(config text: String) -> SystolicArrayModel? {
        guard let config = try? ScaleSimConfigReader().read(text: text, file: "fuzz.cfg") else { return nil }
        let json = config.targetDescriptionJSON(sourceFile: "fuzz.cfg")
        guard let target = try? TargetLoader(families: BuiltInBackends.targetFamilies).load(bytes: Array(json.utf8), file: "fuzz.cfg"),
              let systolic = target.section(SystolicSection.self) else { return nil }
        return SystolicArrayModel(configuration: SystolicArrayConfiguration(systolic))
    }

    /// Estimates every layer of a topology with a model (errors are swallowed: only traps matter).
    static func estimate(_ shapes: [ScaleSimLayerShape], with model: SystolicArrayModel) {
        _ = try? model.estimate(shapes.map(\.layer))
    }
}
