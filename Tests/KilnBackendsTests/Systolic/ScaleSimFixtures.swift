import Foundation
import KilnBackends
import KilnTargets

/// The SCALE-Sim v3 runs in `Tests/Fixtures/scalesim` (see its README and
/// `tools/scalesim/generate_fixtures.py`), read without KilnModelIO so this test target keeps
/// its declared dependencies.
struct ScaleSimFixtureRun {
    /// `<topology>__a<R>x<C>s<KiB>_<dataflow>_<calc|user10|user2>`.
    var name: String
    var configuration: SystolicArrayConfiguration
    var layers: [SystolicLayer]
    /// COMPUTE_REPORT.csv text.
    var computeReport: String
    /// Rows of COMPUTE_REPORT.csv after the header, split on ", ".
    var compute: [[String]]
    /// Rows of DETAILED_ACCESS_REPORT.csv after the header, split on ", ".
    var detailed: [[String]]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/scalesim")

    static func all() throws -> [ScaleSimFixtureRun] {
        let reports = root.appendingPathComponent("reports")
        let names = try FileManager.default.contentsOfDirectory(atPath: reports.path).sorted()
        return try names.map { try load($0) }
    }

    static func load(_ name: String) throws -> ScaleSimFixtureRun {
        let parts = name.components(separatedBy: "__")
        let topology = parts[0]
        let knobs = parts[1].split(separator: "_")              // a8x8s16, ws, user2
        let array = knobs[0].dropFirst().split(whereSeparator: { $0 == "x" || $0 == "s" }).map { Int($0)! }
        let dataflow = SystolicArrayConfiguration.Dataflow(rawValue: String(knobs[1]))!
        let bandwidth = knobs[2] == "calc" ? nil : Int(knobs[2].dropFirst(4))!
        let configuration = SystolicArrayConfiguration(
            rows: array[0], columns: array[1], dataflow: dataflow, ifmapSramKibibytes: array[2],
            filterSramKibibytes: array[2], ofmapSramKibibytes: array[2],
            userBandwidth: bandwidth.map { .init(wordsPerCycle: $0) })
        let topologyText = try String(contentsOf: root.appendingPathComponent("topologies/\(topology).csv"), encoding: .utf8)
        let directory = root.appendingPathComponent("reports/\(name)")
        let compute = try String(contentsOf: directory.appendingPathComponent("COMPUTE_REPORT.csv"), encoding: .utf8)
        let detailed = try String(contentsOf: directory.appendingPathComponent("DETAILED_ACCESS_REPORT.csv"), encoding: .utf8)
        return ScaleSimFixtureRun(name: name, configuration: configuration,
                                  layers: parseTopology(topologyText, gemm: topology.hasPrefix("gemm")),
                                  computeReport: compute, compute: rows(compute), detailed: rows(detailed))
    }

    static func rows(_ csv: String) -> [[String]] {
        csv.split(separator: "\n").dropFirst().map { line in
            var fields = line.components(separatedBy: ", ")
            if let last = fields.last, last.hasSuffix(",") { fields[fields.count - 1] = String(last.dropLast()) }
            return fields
        }
    }

    /// SCALE-Sim's topology rows, depthwise (`DP`) layers expanded per channel.
    static func parseTopology(_ text: String, gemm: Bool) -> [SystolicLayer] {
        var layers: [SystolicLayer] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let values = fields.dropFirst().map { Int($0)! }
            if gemm {
                layers.append(.gemm(name: fields[0], m: values[0], n: values[1], k: values[2]))
                continue
            }
            let layer = SystolicLayer(name: fields[0], ifmapHeight: values[0], ifmapWidth: values[1], filterHeight: values[2],
                                      filterWidth: values[3], channels: values[4], filterCount: values[5],
                                      strideHeight: values[6], strideWidth: values[6])
            if fields[0].contains("DP") {
                for channel in 0..<values[4] {
                    var single = layer
                    single.name += "Channel_\(channel)"
                    single.channels = 1
                    layers.append(single)
                }
            } else {
                layers.append(layer)
            }
        }
        return layers
    }
}
