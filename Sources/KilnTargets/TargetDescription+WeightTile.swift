import KilnDiagnostics

extension TargetDescription {
    /// Checks that some memory level that holds weights can hold a weight tile of `bytes` bytes.
    ///
    /// The compiler calls this once it knows a model's largest weight tile; a target file alone
    /// cannot tell.
    /// - Parameters:
    ///   - bytes: the size of the largest weight tile, in bytes.
    ///   - tileName: how the finding names the tile (`weights of node 'conv3'`).
    /// - Returns: nil if it fits, otherwise an error finding at the largest weight-holding level.
    public func checkWeightTileFits(bytes: Int, tileName: String) -> Diagnostic? {
        let weightLevels = memory.enumerated().filter { $0.element.holdsWeights }
        guard let largest = weightLevels.max(by: { $0.element.sizeBytes.value < $1.element.sizeBytes.value }) else {
            return Diagnostic(.error, "no memory level holds weights, so \(tileName) (\(bytes) bytes) cannot be placed",
                              at: SourceLocation(file: file, place: "memory"))
        }
        guard bytes > largest.element.sizeBytes.value else { return nil }
        return Diagnostic(.error,
            "\(tileName) needs \(bytes) bytes, but the largest level that holds weights ('\(largest.element.name)') has \(largest.element.sizeBytes.value) bytes",
            at: SourceLocation(file: file, place: "memory[\(largest.offset)].sizeBytes"))
    }
}
