import KilnDiagnostics

/// Integer arithmetic that reports overflow as a ``DiagnosticError`` instead of trapping.
struct CheckedMath {
    /// Where the numbers come from, for the diagnostic.
    var place: String

    /// `a × b`, or an error naming the place.
    func multiply(_ a: Int, _ b: Int) throws(DiagnosticError) -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw DiagnosticError(.error("the layer is too large to estimate (\(a) × \(b) overflows)", place: place)) }
        return value
    }

    /// `a + b`, or an error naming the place.
    func add(_ a: Int, _ b: Int) throws(DiagnosticError) -> Int {
        let (value, overflow) = a.addingReportingOverflow(b)
        if overflow { throw DiagnosticError(.error("the layer is too large to estimate (\(a) + \(b) overflows)", place: place)) }
        return value
    }

    /// `ceil(a / b)` for `a ≥ 0`, `b ≥ 1`.
    func ceilingDivide(_ a: Int, _ b: Int) -> Int { a / b + (a % b == 0 ? 0 : 1) }
}
