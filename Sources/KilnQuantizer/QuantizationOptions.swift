import KilnDiagnostics
import KilnNumerics

/// What post-training quantization produces: bit widths, granularity, calibration and pruning.
///
/// The defaults give ONNX Runtime's static QDQ quantization: int8 symmetric per-channel weights
/// (range ±127, zero point 0), uint8 asymmetric per-tensor activations, min/max calibration.
public struct QuantizationOptions: Sendable, Hashable {
    /// The width of weight codes, `2...8` (signed, symmetric, narrow range: ±(2^(bits−1) − 1)).
    public var weightBits: Int
    /// Weight widths of single layers (by node name) that differ from ``weightBits``.
    public var layerWeightBits: [String: Int] = [:]
    /// The width of activation codes, `2...8`.
    public var activationBits: Int
    /// One scale per output channel (true) or one per weight tensor (false).
    public var perChannelWeights: Bool
    /// Signed activations with zero point 0 (true) or unsigned asymmetric activations (false).
    public var symmetricActivations: Bool
    /// How activation ranges are calibrated.
    public var calibrationMethod: CalibrationMethod
    /// Magnitude pruning of weights before quantization, or nil for none.
    public var pruning: WeightPruning?
    /// Weights-only quantization to this format (activations stay float, ``weightBits``,
    /// ``activationBits`` and the calibration method are not used), or nil for full integer quantization.
    public var weightsOnly: WeightOnlyFormat?
    /// Cross-layer equalization of consecutive conv2d weights before calibration (``CrossLayerEqualizationPass``).
    public var crossLayerEqualization = false
    /// Correction of each conv2d / dense bias for the mean error weight quantization causes on the
    /// calibration data (``BiasCorrectionPass``; integer quantization only).
    public var biasCorrection = false
    /// Layer-wise rounding optimization of integer weights on the calibration data
    /// (``AdaptiveRoundingPass``, AdaRound-style); integer quantization only.
    public var adaptiveRounding = false
    /// GPTQ-style weight updates on the calibration data (``AdaptiveRoundingPass`` with
    /// ``AdaptiveRoundingPass/Method/hessianUpdates``); integer quantization only, not with ``adaptiveRounding``.
    public var hessianWeightUpdates = false
    /// SmoothQuant migration strength α (0...1) for dense layers (``SmoothQuantPass``), or nil for none.
    public var smoothQuantAlpha: Double?

    /// Creates options; call ``validate()`` before use with values from users.
    public init(weightBits: Int = 8, activationBits: Int = 8, perChannelWeights: Bool = true,
                symmetricActivations: Bool = false, calibrationMethod: CalibrationMethod = .minMax,
                pruning: WeightPruning? = nil) {
        self.weightBits = weightBits
        self.activationBits = activationBits
        self.perChannelWeights = perChannelWeights
        self.symmetricActivations = symmetricActivations
        self.calibrationMethod = calibrationMethod
        self.pruning = pruning
    }

    /// The bit widths Kiln quantizes to.
    public static let supportedBits = 2...8

    /// Checks bit widths and sparsity.
    /// - Throws: ``DiagnosticError`` naming the option that is out of range.
    public func validate() throws(DiagnosticError) {
        var findings = DiagnosticCollector()
        if !Self.supportedBits.contains(weightBits) {
            findings.error("weight bit width \(weightBits) is outside \(Self.supportedBits.lowerBound)...\(Self.supportedBits.upperBound)")
        }
        for (layer, bits) in layerWeightBits.sorted(by: { $0.key < $1.key }) where !Self.supportedBits.contains(bits) {
            findings.error("weight bit width \(bits) of layer '\(layer)' is outside \(Self.supportedBits.lowerBound)...\(Self.supportedBits.upperBound)")
        }
        if !Self.supportedBits.contains(activationBits) {
            findings.error("activation bit width \(activationBits) is outside \(Self.supportedBits.lowerBound)...\(Self.supportedBits.upperBound)")
        }
        if case .grouped(let bits, let size) = weightsOnly, !Self.supportedBits.contains(bits) || size < 2 {
            findings.error("group-wise weights need \(Self.supportedBits.lowerBound)...\(Self.supportedBits.upperBound) bits and groups of at least 2 (got \(bits) bits, groups of \(size))")
        }
        if case .integer(let bits) = weightsOnly, !Self.supportedBits.contains(bits) {
            findings.error("weights-only bit width \(bits) is outside \(Self.supportedBits.lowerBound)...\(Self.supportedBits.upperBound)")
        }
        if let alpha = smoothQuantAlpha, !(alpha >= 0 && alpha <= 1) {
            findings.error("SmoothQuant strength \(alpha) is outside 0...1")
        }
        if weightsOnly != nil && (biasCorrection || adaptiveRounding || hessianWeightUpdates) {
            findings.error("bias correction, adaptive rounding and GPTQ work on integer quantization, not on weights-only quantization")
        }
        if adaptiveRounding && hessianWeightUpdates {
            findings.error("adaptive rounding and GPTQ both choose the weight codes; give one")
        }
        if let pruning, !(pruning.sparsity >= 0 && pruning.sparsity <= 1) {
            findings.error("pruning sparsity \(pruning.sparsity) is outside 0...1")
        }
        try findings.throwIfErrors()
    }

    /// The weight width of the layer (node) named `layer`.
    public func weightBits(for layer: String) -> Int { layerWeightBits[layer] ?? weightBits }

    /// The scheme of weight codes: signed, symmetric, narrow range.
    var weightScheme: QuantizationScheme {
        try! QuantizationScheme(bits: weightBits, signed: true, symmetric: true, narrowRange: true)
    }

    /// The scheme of activation codes.
    var activationScheme: QuantizationScheme {
        try! QuantizationScheme(bits: activationBits, signed: symmetricActivations, symmetric: symmetricActivations)
    }
}
