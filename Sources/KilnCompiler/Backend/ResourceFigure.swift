/// The area or resource figure of a target that a family contributes to design-space sweeps
/// (minimized besides latency and energy): what the family spends silicon or fabric on, read
/// from the target description.
public struct ResourceFigure: Sendable, Hashable {
    /// The figure's name in JSON and CSV (`processingElements`).
    public let name: String
    /// Its unit for tables (`PE`, `B`).
    public let unit: String
    /// Its value.
    public let value: Double

    /// Creates a figure.
    /// - Parameters:
    ///   - name: the name in JSON and CSV output.
    ///   - unit: the unit shown in tables.
    ///   - value: the amount, in `unit`.
    public init(name: String, unit: String, value: Double) {
        self.name = name
        self.unit = unit
        self.value = value
    }
}
