import KilnJSON

/// The full-factorial grid of a sweep: every combination of the parameters' values, numbered
/// in row-major order (the last `--vary` changes fastest).
struct SweepGrid {
    /// The largest grid `kiln sweep` accepts.
    static let maximumPointCount = 10_000_000

    /// The parameters, in `--vary` order.
    let parameters: [SweepParameter]
    /// The number of grid points (the product of the value counts).
    let count: Int

    /// Creates the grid.
    /// - Throws: ``UsageError`` if a path is varied twice or the grid has more than
    ///   ``maximumPointCount`` points.
    init(_ parameters: [SweepParameter]) throws(UsageError) {
        var seen = Set<[TargetFieldPath.Component]>()
        for parameter in parameters where !seen.insert(parameter.path.components).inserted {
            throw UsageError("--vary \(parameter.path.text) is given twice; list all its values in one --vary")
        }
        var count = 1
        for parameter in parameters {
            let (product, overflow) = count.multipliedReportingOverflow(by: parameter.values.count)
            guard !overflow, product <= Self.maximumPointCount else {
                throw UsageError("the sweep grid has more than \(Self.maximumPointCount) points; vary fewer values")
            }
            count = product
        }
        self.parameters = parameters
        self.count = parameters.isEmpty ? 0 : count
    }

    /// The value of each parameter at grid point `index` (0 ≤ index < ``count``).
    func values(at index: Int) -> [JSONValue] {
        var remainder = index
        var chosen = [JSONValue](repeating: .null, count: parameters.count)
        for position in parameters.indices.reversed() {
            let values = parameters[position].values
            chosen[position] = values[remainder % values.count]
            remainder /= values.count
        }
        return chosen
    }

    /// The base document with every parameter set to its value at grid point `index`.
    func document(at index: Int, base: JSONValue) -> JSONValue {
        var document = base
        for (parameter, value) in zip(parameters, values(at: index)) {
            document = parameter.path.replacing(in: document, with: parameter.replacement(for: value)) ?? document
        }
        return document
    }
}
