import KilnDiagnostics

/// Runs `body`; if it throws, prefixes `component` to the place of every finding, so that a
/// failure deep inside a model reads `graph.node[3].attribute[0].t: ...`.
///
/// The component is built only when an error passes through, so this costs nothing on success.
@inline(__always)
func withinPlace<Result>(
    _ component: @autoclosure () -> String,
    _ body: () throws(DiagnosticError) -> Result
) throws(DiagnosticError) -> Result {
    do {
        return try body()
    } catch {
        let prefix = component()
        throw DiagnosticError(error.diagnostics.map { finding in
            var copy = finding
            if let place = copy.location.place, !place.isEmpty {
                copy.location.place = place.hasPrefix("[") ? prefix + place : prefix + "." + place
            } else {
                copy.location.place = prefix
            }
            return copy
        })
    }
}
