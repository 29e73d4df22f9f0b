import Foundation

/// One display scale for a whole table column: the unit goes into the title (`LATENCY (µs)`)
/// and every cell of the column is a plain number in that unit, so cells compare at a glance.
///
/// The SI prefix (binary prefix for bytes) is the one of the column's median value, so most
/// cells have one to three digits before the point; numbers keep three significant digits
/// (never an exponent).
struct ColumnScale {
    /// The unit of a column's raw values.
    enum Unit: Sendable, Equatable {
        /// Text: no scale.
        case text
        /// A fraction (0…1), shown in %.
        case fraction
        /// Decibels; +∞ is shown as `exact`.
        case decibels
        /// Seconds.
        case seconds
        /// Events per second (inferences).
        case perSecond
        /// Joules.
        case joules
        /// Watts.
        case watts
        /// Bytes (binary prefixes: KiB, MiB).
        case bytes
        /// A plain count.
        case count
        /// A truth value.
        case boolean
    }

    /// The column's unit.
    let unit: Unit
    /// The factor a raw value is divided by.
    let divisor: Double
    /// The unit with its prefix (`µs`, `KiB`, `%`), or "" for none.
    let symbol: String

    /// The scale for a column of raw `values` (values that are not finite are left out when
    /// choosing the prefix).
    init(unit: Unit, values: [Double]) {
        self.unit = unit
        let magnitudes = values.filter { $0.isFinite && $0 != 0 }.map(abs).sorted()
        let median = magnitudes.isEmpty ? 1 : magnitudes[magnitudes.count / 2]
        switch unit {
        case .seconds, .joules, .watts, .perSecond:
            let base = [Unit.seconds: "s", .joules: "J", .watts: "W", .perSecond: "/s"][unit] ?? ""
            let prefixes: [(Double, String)] = [(1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p")]
            let (scale, prefix) = prefixes.first { median >= $0.0 * 0.9995 } ?? (1e-12, "p")
            divisor = scale
            symbol = unit == .perSecond && prefix.isEmpty ? "1/s" : prefix + base
        case .bytes:
            let (scale, name) = median >= 1_048_576 ? (1_048_576.0, "MiB") : median >= 1024 ? (1024.0, "KiB") : (1.0, "B")
            divisor = scale
            symbol = name
        case .fraction:
            divisor = 0.01
            symbol = "%"
        case .decibels:
            divisor = 1
            symbol = "dB"
        case .text, .count, .boolean:
            divisor = 1
            symbol = ""
        }
    }

    /// The column title with the unit: `LATENCY (µs)`.
    func title(_ title: String) -> String {
        symbol.isEmpty ? title : "\(title) (\(symbol))"
    }

    /// A cell: `—` for a missing value, `exact` for an infinite SQNR.
    func format(_ value: CellValue) -> String {
        switch value {
        case .missing: return "—"
        case .text(let text): return text
        case .boolean(let flag): return flag ? "yes" : "no"
        case .integer(let integer) where unit == .count: return "\(integer)"
        case .integer(let integer): return format(.number(Double(integer)))
        case .number(let number):
            if unit == .decibels { return number.isInfinite && number > 0 ? "exact" : String(format: "%.1f", number) }
            guard number.isFinite else { return "—" }
            if unit == .fraction && number * 100 >= 1 { return String(format: "%.2f", number * 100) }
            if (unit == .bytes && divisor == 1) || unit == .count { return number == number.rounded() ? String(format: "%.0f", number) : "\(number)" }
            return Self.significant(number / divisor, digits: 3)
        }
    }

    /// `value` with `digits` significant digits in fixed notation (`0.0815`, `59900`, `3.40`).
    static func significant(_ value: Double, digits: Int) -> String {
        guard value.isFinite, value != 0 else { return "0" }
        let magnitude = Int(floor(log10(abs(value))))
        let decimals = max(0, digits - 1 - magnitude)
        let factor = pow(10, Double(magnitude - digits + 1))
        let rounded = magnitude >= digits ? (value / factor).rounded() * factor : value
        return String(format: "%.\(decimals)f", rounded)
    }
}
