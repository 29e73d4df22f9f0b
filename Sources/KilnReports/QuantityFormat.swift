import Foundation

/// Short human-readable numbers for chart ticks, labels and tooltips.
public enum QuantityFormat {
    /// `value` with an SI prefix and the unit, three significant digits (`12.5 µs`, `3.2 GJ`,
    /// `0 s`); `—` for a value that is not finite.
    /// - Parameters:
    ///   - value: the number in base units.
    ///   - unit: the unit symbol (`s`, `J`, `op/s`), or "".
    public static func engineering(_ value: Double, unit: String = "") -> String {
        guard value.isFinite else { return "—" }
        guard value != 0 else { return unit.isEmpty ? "0" : "0 \(unit)" }
        let prefixes: [(scale: Double, symbol: String)] = [
            (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""),
            (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f"),
        ]
        let magnitude = abs(value)
        let chosen = prefixes.first { magnitude >= $0.scale * 0.9995 } ?? prefixes[prefixes.count - 1]
        let scaled = value / chosen.scale
        var digits = String(format: "%.3g", scaled)
        if digits.contains("e") { digits = String(format: "%.2e", scaled) }
        let suffix = chosen.symbol + unit
        return suffix.isEmpty ? digits : "\(digits) \(suffix)"
    }

    /// A fraction as a percentage with `decimals` digits after the point (`0.9815` → `98.15%`).
    public static func percent(_ fraction: Double, decimals: Int = 1) -> String {
        guard fraction.isFinite else { return "—" }
        return String(format: "%.\(max(0, min(decimals, 6)))f%%", fraction * 100)
    }
}
