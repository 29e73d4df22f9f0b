/// The colours of the report's charts: one fixed colour per meaning, readable on white and
/// distinguishable for the common colour-vision deficiencies (Okabe–Ito).
public enum ChartPalette {
    /// Compute (energy or time).
    public static let compute = "#0072B2"
    /// On-chip memory energy, or memory stall time.
    public static let onChipMemory = "#56B4E9"
    /// Off-chip memory energy.
    public static let offChipMemory = "#E69F00"
    /// Static power over the run.
    public static let staticEnergy = "#999999"
    /// The host link.
    public static let hostLink = "#CC79A7"
    /// Work on the host.
    public static let host = "#D55E00"
    /// Fixed overheads.
    public static let overhead = "#F0E442"
    /// Single-series bars (latency).
    public static let primary = "#0072B2"
    /// Points on a Pareto front.
    public static let front = "#D55E00"
    /// Points not on the front.
    public static let dominated = "#7f8c99"
    /// Memory roofs.
    public static let memoryRoof = "#009E73"
    /// Grid lines.
    public static let grid = "#e3e6ea"
    /// Axis lines and labels.
    public static let axis = "#444"
}
