import KilnTargets

/// The area or resource figure a sweep minimizes besides latency and energy: what the family
/// spends silicon or fabric on, from the target description.
///
/// A systolic FPGA overlay counts processing elements (rows × columns); a dataflow FPGA design
/// counts the DSP slices of its budget; other families have no area figure in their
/// descriptions, so the sweep uses on-chip memory bytes (the sum of on-chip levels).
struct SweepResourceFigure: Hashable {
    /// The figure's name in JSON and CSV (`processingElements`).
    let name: String
    /// Its unit for tables (`PE`, `DSP`, `B`).
    let unit: String
    /// Its value.
    let value: Double

    /// The figure for `target`.
    init(target: TargetDescription) {
        if let systolic = target.fpga?.systolic {
            name = "processingElements"
            unit = "PE"
            value = Double(systolic.rows.value) * Double(systolic.columns.value)
        } else if let dataflow = target.fpga?.dataflow {
            name = "dspSlices"
            unit = "DSP"
            value = Double(dataflow.dspSlices.value)
        } else {
            name = "onChipMemoryBytes"
            unit = "B"
            value = Double(target.onChipMemoryBytes)
        }
    }
}
