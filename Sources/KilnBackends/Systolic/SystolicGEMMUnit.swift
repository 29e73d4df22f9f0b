import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets

/// A conv2d / dense / matmul run as GEMM tiles on a rows × columns systolic array
/// (SCALE-Sim's model), one GEMM per convolution group or per batch entry of a batched matmul.
///
/// Arithmetic: the ifmap operand matrix is built by im2col (`(ky, kx, c)` order), each element
/// entering the array zero-point-shifted (`x − zx`, 9-bit; padding enters as 0); filters enter
/// as `w − zw`. Every PE multiplies and adds into an int32 partial sum that wraps; the tiles
/// are visited in the dataflow's fold order (ws: K × N tiles held, M streamed; os: M × N
/// tiles, K streamed; is: K × M tiles, N streamed), partial sums of successive folds added in
/// the ofmap buffer, which starts at the bias. The output path requantizes per channel with
/// the node's rule (``OutputRequantizer``).
struct SystolicGEMMUnit: TargetKernel {
    /// `systolic-gemm-<dataflow>`.
    public let name: String
    /// The node.
    public let nodes: [Node]
    /// Activations, weights (or the right operand), bias.
    public let inputs: [String]
    /// The output.
    public let outputs: [String]

    /// The array size and dataflow.
    public let rows: Int, columns: Int
    /// The dataflow.
    public let dataflow: SystolicSection.Dataflow
    /// How the node's operands become GEMM matrices.
    enum Operands: Sendable {
        /// Convolution via im2col; weights reordered to `[group][N][K]`.
        case convolution(SlidingWindowGenerator, filters: [Int32])
        /// `x[M, K] · w[K, N]` with constant weights stored `[N][K]`.
        case dense(filters: [Int32])
        /// `a[M, K] · b[K, N]` with `b` an activation, zero points per column of `b`.
        case matmul(rightZeroPoints: [Int32])
        /// `a[G, M, K] · b[G, K, N]` (leading dimensions flattened to the `groups` count G), both
        /// activations, one GEMM per batch entry: attention's QKᵀ and value products.
        case batchedMatmul(rightZeroPoint: Int32)
    }
    let operands: Operands
    /// GEMM shape per group.
    let m: Int, k: Int, n: Int, groups: Int
    let bias: [Int32]?
    let requantizer: OutputRequantizer
    let types: (input: TensorType, weight: TensorType, output: TensorType)
    let levels: (ifmap: String, filter: String, ofmap: String, dram: String?)

    /// `sign`: the threshold add (its constant the extra input) and sign the output path writes
    /// (``SystolicSignFusion``), else nil.
    init(node: Node, operands: Operands, m: Int, k: Int, n: Int, groups: Int, bias: [Int32]?, requantizer: OutputRequantizer,
         types: (input: TensorType, weight: TensorType, output: TensorType), target: TargetDescription, systolic: SystolicSection,
         sign: SystolicSignFusion? = nil) {
        nodes = [node] + (sign?.nodes ?? [])
        inputs = node.inputs.filter { !$0.isEmpty } + (sign?.constants ?? [])
        outputs = [sign?.output ?? node.outputs[0]]
        rows = systolic.rows.value
        columns = systolic.columns.value
        dataflow = systolic.dataflow
        name = "systolic-gemm-\(systolic.dataflow.rawValue)"
        self.operands = operands
        self.m = m; self.k = k; self.n = n; self.groups = groups
        self.bias = bias
        self.requantizer = requantizer
        self.types = types
        func level(_ word: String, _ fallback: String) -> String {
            target.memory.first { $0.name.lowercased().contains(word) }?.name ?? fallback
        }
        levels = (level("ifmap", target.activationLevelName), level("filter", target.weightLevelName),
                  level("ofmap", target.activationLevelName), target.memory.first { !$0.onChip }?.name)
    }

    /// The tiling of one group's GEMM.
    public var tiling: SystolicTiling { SystolicTiling(m: m, k: k, n: n, rows: rows, columns: columns, dataflow: dataflow) }

    /// Runs every group's GEMM tile by tile, then the output path.
    public func execute(_ values: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let x = values.first?.codes else {
            throw DiagnosticError(.error("\(name) expects integer codes", place: nodes[0].place))
        }
        let zx = types.input.quantizationZero
        let outputChannels = n * groups
        var result = [Int32](repeating: 0, count: m * outputChannels)
        var a = [Int32](repeating: 0, count: m * k)
        var filters = [Int32](repeating: 0, count: n * k)
        var partial = [Int32](repeating: 0, count: m * n)
        for group in 0..<groups {
            // Operand matrices of this group.
            switch operands {
            case .convolution(let window, let all):
                guard x.count == window.inputCount else {
                    throw DiagnosticError(.error("\(name) expects \(window.inputCount) input codes", place: nodes[0].place))
                }
                x.withUnsafeBufferPointer { input in
                    a.withUnsafeMutableBufferPointer { a in
                        var row = 0
                        for image in 0..<window.batch {
                            for oy in 0..<window.outputHeight {
                                for ox in 0..<window.outputWidth {
                                    window.fill(a.baseAddress! + row * k, from: input, image: image, group: group, oy: oy, ox: ox, padding: zx)
                                    row += 1
                                }
                            }
                        }
                        for index in 0..<a.count { a[index] = a[index] &- zx }
                    }
                }
                filters = Array(all[group * n * k ..< (group + 1) * n * k])
            case .dense(let all):
                guard x.count == m * k else { throw DiagnosticError(.error("\(name) expects \(m * k) input codes", place: nodes[0].place)) }
                for index in 0..<m * k { a[index] = x[index] &- zx }
                filters = all
            case .matmul(let zeroPoints):
                guard values.count > 1, let right = values[1].codes, x.count == m * k, right.count == k * n else {
                    throw DiagnosticError(.error("\(name) expects a[\(m),\(k)] and b[\(k),\(n)] integer codes", place: nodes[0].place))
                }
                for index in 0..<m * k { a[index] = x[index] &- zx }
                for kk in 0..<k { for column in 0..<n { filters[column * k + kk] = right[kk * n + column] &- zeroPoints[column] } }
            case .batchedMatmul(let zeroPoint):
                guard values.count > 1, let right = values[1].codes, x.count == groups * m * k, right.count == groups * k * n else {
                    throw DiagnosticError(.error("\(name) expects a[\(groups),\(m),\(k)] and b[\(groups),\(k),\(n)] integer codes", place: nodes[0].place))
                }
                let leftStart = group * m * k, rightStart = group * k * n
                for index in 0..<m * k { a[index] = x[leftStart + index] &- zx }
                for kk in 0..<k { for column in 0..<n { filters[column * k + kk] = right[rightStart + kk * n + column] &- zeroPoint } }
            }
            // The ofmap buffer starts at the bias.
            for row in 0..<m { for column in 0..<n { partial[row * n + column] = bias?[group * n + column] ?? 0 } }
            Self.multiply(a, filters, into: &partial, tiling: tiling)
            // Output path.
            for row in 0..<m {
                for column in 0..<n {
                    let channel = group * n + column
                    switch operands {
                    case .convolution(let window, _):
                        let image = row / window.outputPixels, pixel = row % window.outputPixels
                        result[(image * outputChannels + channel) * window.outputPixels + pixel] = requantizer.apply(partial[row * n + column], channel: channel)
                    case .dense, .matmul:
                        result[row * outputChannels + channel] = requantizer.apply(partial[row * n + column], channel: channel)
                    case .batchedMatmul:
                        // Entry after entry; per-tensor parameters, so the requantizer holds one entry's N columns.
                        result[(group * m + row) * n + column] = requantizer.apply(partial[row * n + column], channel: column)
                    }
                }
            }
        }
        return [Tensor(type: types.output, storage: .int32(result))]
    }

    /// `partial[M×N] += a[M×K] · filtersᵀ` visiting tiles in the dataflow's fold order.
    static func multiply(_ a: [Int32], _ filters: [Int32], into partial: inout [Int32], tiling: SystolicTiling) {
        let m = tiling.m, k = tiling.k, n = tiling.n, rows = tiling.rows, columns = tiling.columns
        a.withUnsafeBufferPointer { a in
            filters.withUnsafeBufferPointer { b in
                partial.withUnsafeMutableBufferPointer { c in
                    // The interpreter's pointer dot product: a debug build runs a `for` over a
                    // range through the generic iterator at every step.
                    guard let aBase = a.baseAddress, let bBase = b.baseAddress else { return }  // empty: nothing to add
                    @inline(__always) func dot(_ row: Int, _ column: Int, _ k0: Int, _ k1: Int) -> Int32 {
                        DotProduct.wrappingSum(aBase + row * k + k0, bBase + column * k + k0, count: k1 - k0)
                    }
                    switch tiling.dataflow {
                    case .ws:   // K × N tile stationary, M rows stream through
                        for k0 in stride(from: 0, to: k, by: rows) {
                            let k1 = min(k0 + rows, k)
                            for n0 in stride(from: 0, to: n, by: columns) {
                                let n1 = min(n0 + columns, n)
                                for row in 0..<m { for column in n0..<n1 { c[row * n + column] = c[row * n + column] &+ dot(row, column, k0, k1) } }
                            }
                        }
                    case .os:   // M × N outputs stationary, K streams
                        for m0 in stride(from: 0, to: m, by: rows) {
                            let m1 = min(m0 + rows, m)
                            for n0 in stride(from: 0, to: n, by: columns) {
                                let n1 = min(n0 + columns, n)
                                for row in m0..<m1 { for column in n0..<n1 { c[row * n + column] = c[row * n + column] &+ dot(row, column, 0, k) } }
                            }
                        }
                    case .is:   // K × M inputs stationary, N filters stream
                        for k0 in stride(from: 0, to: k, by: rows) {
                            let k1 = min(k0 + rows, k)
                            for m0 in stride(from: 0, to: m, by: columns) {
                                let m1 = min(m0 + columns, m)
                                for column in 0..<n { for row in m0..<m1 { c[row * n + column] = c[row * n + column] &+ dot(row, column, k0, k1) } }
                            }
                        }
                    }
                }
            }
        }
    }

    /// MACs, SRAM words per buffer (SCALE-Sim conventions), DRAM traffic, requantizations.
    public func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let t = tiling
        counts.multiplyAccumulates[MultiplyAccumulateKind(types.input.elementType, types.weight.elementType)] = m * k * n * groups
        let inputBytes = (types.input.elementType.bitWidth + 7) / 8
        let weightBytes = (types.weight.elementType.bitWidth + 7) / 8
        counts.bytesRead[levels.ifmap, default: 0] += t.ifmapReads * groups * inputBytes
        counts.bytesRead[levels.filter, default: 0] += t.filterReads * groups * weightBytes
        counts.bytesWritten[levels.ofmap, default: 0] += t.ofmapWrites * groups * 4   // int32 partial sums
        if let dram = levels.dram {
            // Each operand fetched once and each output written once (the SRAMs hold a layer).
            counts.bytesRead[dram, default: 0] += MemoryPlanningSizes.bytes(types.input) + MemoryPlanningSizes.bytes(types.weight)
            counts.bytesWritten[dram, default: 0] += MemoryPlanningSizes.bytes(types.output)
        }
        counts.aluOperations = requantizer.requantizes ? m * n * groups : 0
        counts.instructions[.systolicFold] = t.folds.rows * t.folds.columns * groups
        return counts
    }

    /// The GEMM shape, the mapping onto the array, the fold loop, the SRAM traffic.
    public func listing() -> [String] {
        let t = tiling
        let map = t.mapping
        let names: (String, String, String) = switch dataflow {
        case .ws: ("K", "N", "M")
        case .os: ("M", "N", "K")
        case .is: ("K", "M", "N")
        }
        let repeats: String
        if case .batchedMatmul = operands { repeats = " × \(groups) batch entries (two activations)" } else { repeats = groups > 1 ? " × \(groups) groups" : "" }
        var lines = ["gemm M \(m) × K \(k) × N \(n)\(repeats) (\(types.input.elementType.name)×\(types.weight.elementType.name) → i32)"]
        if case .convolution(let window, _) = operands {
            lines.append("im2col: \(types.input.elementType.name)[\(window.batch),\(window.channels),\(window.height),\(window.width)] \(window.summary) → M = \(m) pixels × K = \(window.kernelHeight)·\(window.kernelWidth)·\(window.groupChannels), x − \(types.input.quantizationZero), padding 0")
        }
        lines.append("\(dataflow.rawValue) on \(rows)×\(columns): \(names.0)=\(map.rows) → rows (\(t.folds.rows) fold\(t.folds.rows == 1 ? "" : "s")), \(names.1)=\(map.columns) → columns (\(t.folds.columns) fold\(t.folds.columns == 1 ? "" : "s")), \(names.2)=\(map.streamed) streams")
        lines.append("for fold in 0..<\(t.folds.rows * t.folds.columns * groups) { load tile; stream \(map.streamed); psum += tile product (i32 wrap) }  ; ofmap starts at bias")
        lines.append("SRAM words per group: ifmap \(t.ifmapReads) reads, filter \(t.filterReads) reads, ofmap \(t.ofmapWrites) writes")
        lines.append(requantizer.writesSign ? "output path: sign (2·acc + 1 saturated to ±1; the threshold is the bias) → \(types.output)"
                     : requantizer.requantizes ? "output path: requantize \(nodes[0].requantization.rawValue) per channel → \(types.output)" : "output path: i32 accumulators")
        return lines
    }
}

/// Byte sizes of tensor types (sub-byte packed), as memory planning counts them.
enum MemoryPlanningSizes {
    static func bytes(_ type: TensorType) -> Int { packedBytes(Shape.elementCount(type.shape) ?? 0, bits: type.elementType.bitWidth) }
}

extension Instruction {
    /// One fold of a GEMM onto the array (a weight tile loaded and streamed through).
    public static let systolicFold = Instruction("systolic.folds")
}
