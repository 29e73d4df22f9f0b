import Foundation

/// Progress of a run made of equal units (one target each), with a finer fraction inside the
/// current unit (its samples): the line shows the unit count, the fraction and, once a little
/// work is done, the elapsed time and an estimate of the time left.
///
/// The estimate assumes the remaining units take as long as the finished ones did on average.
struct ProgressMeter {
    /// How many units the run has.
    let total: Int
    /// When the run started.
    let start: Date

    /// Starts a meter of `total` units now.
    init(total: Int, start: Date = Date()) {
        self.total = max(total, 1)
        self.start = start
    }

    /// The progress line of unit `index` (from 0) named `label`, `fraction` of the way through
    /// it (`detail` says how far, e.g. `samples 64/540`), at `now`.
    func line(unit index: Int, label: String, fraction: Double, detail: String = "", now: Date = Date()) -> String {
        var text = "[\(index + 1)/\(total)] \(label)"
        if !detail.isEmpty { text += " · \(detail)" }
        let done = (Double(index) + min(max(fraction, 0), 1)) / Double(total)
        let elapsed = now.timeIntervalSince(start)
        text += " · \(Self.duration(elapsed)) elapsed"
        if done > 0.02 && elapsed >= 1 { text += ", about \(Self.duration(elapsed / done - elapsed)) left" }
        return text
    }

    /// A duration for people: `42 s`, `3 min 05 s`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(max(seconds, 0).rounded())
        return whole < 60 ? "\(whole) s" : String(format: "%d min %02d s", whole / 60, whole % 60)
    }
}
