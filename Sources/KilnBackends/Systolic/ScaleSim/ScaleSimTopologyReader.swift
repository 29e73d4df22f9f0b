import KilnDiagnostics

/// Reads SCALE-Sim topology CSV files into layer shapes.
///
/// Two formats, as SCALE-Sim v3 reads them (`scalesim/topology_utils.py`):
/// - **conv**: a header line, then `name, IFMAP height, IFMAP width, filter height, filter
///   width, channels, num filter, stride[, N:M],` per layer. A layer whose name contains `DP`
///   is depthwise: SCALE-Sim expands it into one single-channel layer per input channel, named
///   `<name>Channel_<c>` (`load_arrays_conv`).
/// - **gemm**: a header line, then `name, M, N, K[, N:M],` per layer (`load_arrays_gemm`).
///
/// SCALE-Sim drops the text after the last comma of each row, so its files end every row with
/// a comma; Kiln accepts rows with or without it. Blank lines are skipped. Every value is
/// checked (an integer in `1...1_048_576`, filter no larger than the input) and a bad one is a
/// ``DiagnosticError`` naming the file, line and column.
public struct ScaleSimTopologyReader: Sendable {
    /// Which row layout the file uses.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// Convolution rows (SCALE-Sim's default `-i conv`).
        case conv
        /// `M, N, K` rows (SCALE-Sim's `-i gemm`).
        case gemm
    }

    /// The largest accepted dimension, so products of sizes cannot overflow.
    public static let maximumDimension = 1 << 20

    /// The row layout to read.
    public var format: Format

    /// Creates a reader for one format.
    public init(format: Format = .conv) {
        self.format = format
    }

    /// Reads a topology from its text.
    /// - Parameters:
    ///   - text: the CSV text.
    ///   - file: the file name used in diagnostics.
    /// - Returns: the layers in file order, depthwise layers expanded per channel.
    /// - Throws: ``DiagnosticError`` naming the line and column of the first bad value.
    /// - Complexity: O(n) in the text plus the expanded layer count.
    public func read(text: String, file: String) throws(DiagnosticError) -> [ScaleSimLayerShape] {
        var layers: [ScaleSimLayerShape] = []
        var sawHeader = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.scaleSimTrimmed(" \t\r")
            if line.isEmpty { continue }
            if !sawHeader { sawHeader = true; continue }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.scaleSimTrimmed(" \t") }
            if fields.last == "" { fields.removeLast() }
            switch format {
            case .conv: layers += try convLayers(fields, line: lineNumber, file: file)
            case .gemm: layers.append(try gemmLayer(fields, line: lineNumber, file: file))
            }
        }
        if !sawHeader {
            throw DiagnosticError(.error("the topology is empty: expected a header line and one line per layer", file: file))
        }
        return layers
    }

    /// Reads a topology file.
    /// - Parameters:
    ///   - path: the file to read.
    ///   - displayName: the name used in diagnostics (defaults to `path`).
    /// - Throws: ``DiagnosticError`` if the file cannot be read or is malformed.
    public func read(contentsOf path: String, displayName: String? = nil) throws(DiagnosticError) -> [ScaleSimLayerShape] {
        let name = displayName ?? path
        return try read(text: ScaleSimFile.text(at: path, name: name), file: name)
    }

    private func convLayers(_ fields: [String], line: Int, file: String) throws(DiagnosticError) -> [ScaleSimLayerShape] {
        guard fields.count == 8 || fields.count == 9 else {
            throw DiagnosticError(.error("expected 8 columns (name, IFMAP height, IFMAP width, filter height, filter width, channels, num filter, stride) and an optional N:M sparsity column, found \(fields.count)",
                                         file: file, place: "line \(line)"))
        }
        let names = ["IFMAP height", "IFMAP width", "filter height", "filter width", "channels", "num filter", "stride"]
        var values: [Int] = []
        for (offset, label) in names.enumerated() {
            values.append(try dimension(fields[offset + 1], label: label, line: line, column: offset + 2, file: file))
        }
        let (nonZero, block) = try sparsity(fields.count == 9 ? fields[8] : nil, line: line, column: 9, file: file)
        let name = fields[0]
        if name.isEmpty { throw DiagnosticError(.error("the layer name is empty", file: file, place: "line \(line), column 1")) }
        var shape = ScaleSimLayerShape(layer: SystolicLayer(name: name, ifmapHeight: values[0], ifmapWidth: values[1], filterHeight: values[2],
                                                            filterWidth: values[3], channels: values[4], filterCount: values[5],
                                                            strideHeight: values[6], strideWidth: values[6]),
                                       sparsityNonZero: nonZero, sparsityBlock: block, line: line)
        let layer = shape.layer
        if layer.filterHeight > layer.ifmapHeight {
            throw DiagnosticError(.error("filter height \(layer.filterHeight) is larger than IFMAP height \(layer.ifmapHeight)", file: file, place: "line \(line), column 4"))
        }
        if layer.filterWidth > layer.ifmapWidth {
            throw DiagnosticError(.error("filter width \(layer.filterWidth) is larger than IFMAP width \(layer.ifmapWidth)", file: file, place: "line \(line), column 5"))
        }
        guard name.contains("DP") else { return [shape] }
        // SCALE-Sim: one single-channel layer per input channel (topology_utils.py, load_arrays_conv).
        shape.layer.channels = 1
        return (0..<layer.channels).map { channel in
            var row = shape
            row.layer.name = name + "Channel_\(channel)"
            return row
        }
    }

    private func gemmLayer(_ fields: [String], line: Int, file: String) throws(DiagnosticError) -> ScaleSimLayerShape {
        guard fields.count == 4 || fields.count == 5 else {
            throw DiagnosticError(.error("expected 4 columns (name, M, N, K) and an optional N:M sparsity column, found \(fields.count)",
                                         file: file, place: "line \(line)"))
        }
        let m = try dimension(fields[1], label: "M", line: line, column: 2, file: file)
        let n = try dimension(fields[2], label: "N", line: line, column: 3, file: file)
        let k = try dimension(fields[3], label: "K", line: line, column: 4, file: file)
        let (nonZero, block) = try sparsity(fields.count == 5 ? fields[4] : nil, line: line, column: 5, file: file)
        if fields[0].isEmpty { throw DiagnosticError(.error("the layer name is empty", file: file, place: "line \(line), column 1")) }
        // SCALE-Sim's GEMM mapping: [name, M, K, 1, K, 1, N, 1, 1] (topology_utils.py, load_arrays_gemm).
        return ScaleSimLayerShape(layer: .gemm(name: fields[0], m: m, n: n, k: k), sparsityNonZero: nonZero, sparsityBlock: block, line: line)
    }

    private func dimension(_ text: String, label: String, line: Int, column: Int, file: String) throws(DiagnosticError) -> Int {
        guard let value = Int(text), value >= 1, value <= Self.maximumDimension else {
            throw DiagnosticError(.error("\(label) must be an integer in 1...\(Self.maximumDimension), found '\(text)'",
                                         file: file, place: "line \(line), column \(column)"))
        }
        return value
    }

    private func sparsity(_ text: String?, line: Int, column: Int, file: String) throws(DiagnosticError) -> (Int, Int) {
        guard let text else { return (1, 1) }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let n = Int(parts[0].scaleSimTrimmed(" ")), let m = Int(parts[1].scaleSimTrimmed(" ")),
              n >= 1, m >= n, m <= Self.maximumDimension else {
            throw DiagnosticError(.error("the sparsity ratio must be N:M with 1 ≤ N ≤ M, found '\(text)'", file: file, place: "line \(line), column \(column)"))
        }
        return (n, m)
    }
}

