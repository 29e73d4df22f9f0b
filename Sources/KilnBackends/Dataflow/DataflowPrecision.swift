import KilnCompiler
import KilnDiagnostics
import KilnNumerics
import KilnTargets

/// The weight and activation bit widths of one dataflow layer.
struct LayerPrecision: Sendable, Hashable {
    /// Signed weight bits (narrow symmetric: codes `−(2^(N−1)−1) ... 2^(N−1)−1`).
    public var weightBits: Int
    /// Unsigned activation bits (codes `0 ... 2^M − 1`).
    public var activationBits: Int
}

/// Resolves the bit widths of every dataflow layer: the target default, the compile options'
/// `weightBits` / `activationBits`, then per-layer `layerBits`, each checked against the
/// formats the target stores.
///
/// The `dataflow` section has no default-precision field, so the default is 4-bit weights
/// and activations (FINN's usual choice) when the target stores `i4` and `u4`, else 8 bits.
struct DataflowPrecision: Sendable {
    /// The precision of layers without a per-layer override.
    public let global: LayerPrecision
    /// Per-layer overrides, by node name.
    public let layers: [String: LayerPrecision]

    /// Resolves and validates the options for a target.
    /// - Throws: ``DiagnosticError`` naming the option and the widths the target stores, when a
    ///   requested width is out of range or not among `numerics.storageFormats`.
    public init(target: TargetDescription, options: CompileOptions) throws(DiagnosticError) {
        let formats = Set(target.numerics.storageFormats)
        let fourBit = formats.contains(.int4) && formats.contains(.uint4)
        let defaultBits = fourBit ? 4 : 8
        var findings = DiagnosticCollector(file: target.file)
        func check(_ bits: Int, weights: Bool, option: String) {
            let type = ElementType.integer(bits: bits, signed: weights)
            let range = weights ? 2...8 : 1...8
            let stored = target.numerics.storageFormats.compactMap { format -> Int? in
                if case .integer(let b, let s) = format, s == weights { return b }
                return nil
            }.sorted()
            guard range.contains(bits) else {
                findings.error("\(option) \(bits) is out of range: dataflow \(weights ? "weights" : "activations") take \(range.lowerBound)–\(range.upperBound) bits")
                return
            }
            guard formats.contains(type) else {
                findings.error("\(option) \(bits): \(target.name) stores \(weights ? "signed weights" : "unsigned activations") at \(stored.map(String.init).joined(separator: ", ")) bits only (numerics.storageFormats has no \(type.name))")
                return
            }
        }
        let weightBits = options.weightBits ?? defaultBits
        let activationBits = options.activationBits ?? defaultBits
        check(weightBits, weights: true, option: "weightBits")
        check(activationBits, weights: false, option: "activationBits")
        var layers: [String: LayerPrecision] = [:]
        for (node, bits) in options.layerBits.sorted(by: { $0.key < $1.key }) {
            check(bits.weights, weights: true, option: "layerBits['\(node)'].weights")
            check(bits.activations, weights: false, option: "layerBits['\(node)'].activations")
            layers[node] = LayerPrecision(weightBits: bits.weights, activationBits: bits.activations)
        }
        try findings.throwIfErrors()
        global = LayerPrecision(weightBits: weightBits, activationBits: activationBits)
        self.layers = layers
    }

    /// The precision of a node.
    public func precision(of node: String) -> LayerPrecision { layers[node] ?? global }
}
