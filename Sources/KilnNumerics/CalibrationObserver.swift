/// Something that watches calibration data and proposes a real range to quantize.
public protocol CalibrationObserver {
    /// Records a batch of values (non-finite values are ignored).
    mutating func observe(_ values: [Float])

    /// The real range to map onto `scheme`'s codes.
    ///
    /// - Throws: ``NumericsError/invalidArgument(_:)`` if nothing finite has been observed.
    func range(for scheme: QuantizationScheme) throws -> (minimum: Float, maximum: Float)
}

extension CalibrationObserver {
    /// The quantization parameters for `scheme` from the observed range.
    ///
    /// - Throws: ``NumericsError`` if nothing has been observed.
    public func parameters(for scheme: QuantizationScheme) throws -> QuantizationParameters {
        let range = try range(for: scheme)
        return try scheme.parameters(minimum: range.minimum, maximum: range.maximum)
    }
}
