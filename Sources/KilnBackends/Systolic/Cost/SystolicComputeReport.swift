/// Renders estimates in the exact layout of SCALE-Sim v3's `COMPUTE_REPORT.csv`
/// (`scalesim/simulator.py`, `generate_reports`), so a Kiln run can be diffed against SCALE-Sim.
///
/// Same header, `", "` separators, a trailing comma on every line, integers as integers and
/// percentages in shortest round-trip form with at least one fractional digit (Python's
/// `str(float)`; Swift's `Double.description` prints the same digits, and both switch to
/// exponent form below 1e-4 and from 1e16).
public struct SystolicComputeReport: Sendable {
    /// SCALE-Sim's header line, with its trailing comma and newline.
    public static let header = "LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n"

    /// Creates a writer.
    public init() {}

    /// One report line.
    /// - Parameters:
    ///   - layerIndex: SCALE-Sim's 0-based layer ID (depthwise layers count once per channel).
    ///   - estimate: the layer's numbers.
    /// - Returns: the line, ending with `",\n"`.
    public func line(layerIndex: Int, _ estimate: SystolicLayerEstimate) -> String {
        let fields = [String(layerIndex), String(estimate.totalCyclesIncludingPrefetch), String(estimate.totalCycles),
                      String(estimate.stallCycles), estimate.overallUtilizationPercent.description,
                      estimate.mappingEfficiencyPercent.description, estimate.computeUtilizationPercent.description]
        return fields.joined(separator: ", ") + ",\n"
    }

    /// The whole report: the header and one line per estimate, numbered from 0.
    /// - Complexity: O(n) in the number of layers.
    public func render(_ estimates: [SystolicLayerEstimate]) -> String {
        Self.header + estimates.enumerated().map { line(layerIndex: $0.offset, $0.element) }.joined()
    }
}
