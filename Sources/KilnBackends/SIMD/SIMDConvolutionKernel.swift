import KilnCompiler
import KilnDiagnostics
import KilnHostKernels
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets

/// An int8 conv2d on a SIMD CPU: NCHW codes re-encoded to NHWC bytes, an im2col row per output
/// pixel in (ky, kx, c) order (padding filled with the activation zero point), the GEMM
/// micro-kernel against weights packed once, and the requantization epilogue. Grouped
/// convolutions run one GEMM per group. Depthwise ones (one channel per group) that accumulate
/// exactly are simulated by the reference's direct ``DepthwiseConvolution`` kernel on weights
/// centered once at lowering: exact int32 sums give the same bits in any order, so the GEMM's
/// one-column-per-channel loop and the direct loop agree; their cost is still counted as the
/// GEMM loop nest the target runs. On hosts with `KilnHostKernels`' GEMM, most convolutions skip
/// the im2col rows: the GEMM reads each window where it lies in a bordered NHWC buffer and writes
/// NCHW planes directly (``InPlaceWindows``), with `vpdpbusd` on bytes where the sums are exact.
struct SIMDConvolutionKernel: TargetKernel {
    let node: Node
    let scheme: SIMDDotProductScheme
    let attributes: Convolution
    let inputType: TensorType, weightType: TensorType, outputType: TensorType
    let encoding: Int8OperandEncoding
    /// One packed weight block per group.
    let packed: [Int8GEMM.PackedWeights]
    let requantizer: SIMDRequantizer
    let levels: SIMDMemoryLevels
    let inputs: [String]
    let geometry: ConvolutionShape
    /// The operands of the direct depthwise route, or nil when the GEMM runs.
    let depthwise: DepthwiseOperands?
    /// Where the host GEMM reads each window in place, or nil when im2col rows are built.
    let inPlace: InPlaceWindows?

    /// The host GEMM's in-place reading of a convolution (no im2col): the sample's codes go once
    /// into an NHWC int16 buffer bordered by the activation zero point, and row m (output pixel
    /// `oy·OW + ox`) reads kernel position (ky, kx) of its window at `rowOffsets[m] +
    /// tapOffsets[ky·KW + kx]`, the group's channels in order: the im2col row's (ky, kx, c)
    /// order, read where it lies. Taken on hosts with `KilnHostKernels`' GEMM when each group
    /// has an even channel count (a depth pair never straddles two kernel positions, so pairs,
    /// and the saturation of `vpmaddubsw` pairs, are the im2col rows' pairs) and no weight has a
    /// zero point (no row sums to subtract).
    struct InPlaceWindows: Sendable {
        /// The bordered buffer's height and width, and its border above and left of the image.
        let paddedHeight: Int, paddedWidth: Int, padTop: Int, padLeft: Int
        /// Element offset of each output pixel's window origin in the buffer.
        let rowOffsets: [Int]
        /// Element offset of each kernel position from the window origin.
        let tapOffsets: [Int]
        /// Whether the buffer holds unsigned bytes for `vpdpbusd` (``Int8GEMM/multiplyBytes(_:rows:weights:threads:)``)
        /// instead of int16 for the pair GEMM: on AVX-512 VNNI hosts, for exact sums, when every
        /// encoded activation is a byte 0…255, each group's channel count a multiple of 4 (a quad
        /// never straddles two kernel positions) and the weights are quad-packed.
        let bytes: Bool

        init(_ g: ConvolutionShape, _ attributes: Convolution, bytes: Bool) {
            self.bytes = bytes
            let strideY = attributes.strides[0], strideX = attributes.strides[1]
            let dilationY = attributes.dilations[0], dilationX = attributes.dilations[1]
            padTop = attributes.pads[0]
            padLeft = attributes.pads[1]
            // Covers every tap of every window, and the whole image.
            paddedHeight = max(padTop + g.height, (g.outputHeight - 1) * strideY + (g.kernelHeight - 1) * dilationY + 1)
            paddedWidth = max(padLeft + g.width, (g.outputWidth - 1) * strideX + (g.kernelWidth - 1) * dilationX + 1)
            let rowLength = paddedWidth * g.channels
            rowOffsets = (0..<g.pixels).map { m in (m / g.outputWidth) * strideY * rowLength + (m % g.outputWidth) * strideX * g.channels }
            tapOffsets = (0..<(g.kernelHeight * g.kernelWidth)).map { t in
                (t / g.kernelWidth) * dilationY * rowLength + (t % g.kernelWidth) * dilationX * g.channels
            }
        }
    }

    /// A depthwise convolution's weights and biases, centered once at lowering, for
    /// ``DepthwiseConvolution`` (exact accumulation only).
    struct DepthwiseOperands: Sendable {
        /// `w − zw[o]` per weight (O × 1 × KH × KW).
        let weights: [Int32]
        /// The bias code per output channel.
        let biases: [Int32]
        /// The window arithmetic.
        let window: WindowGeometry
    }

    /// The shape arithmetic of the convolution.
    struct ConvolutionShape: Sendable, Hashable {
        let batch: Int, channels: Int, height: Int, width: Int
        let outputChannels: Int, outputHeight: Int, outputWidth: Int
        let kernelHeight: Int, kernelWidth: Int, groups: Int
        var channelsPerGroup: Int { channels / groups }
        var outputsPerGroup: Int { outputChannels / groups }
        var depth: Int { kernelHeight * kernelWidth * channelsPerGroup }
        var pixels: Int { outputHeight * outputWidth }
    }

    var name: String { "\(scheme.instruction.name)-conv2d" }
    var nodes: [Node] { [node] }
    var outputs: [String] { node.outputs }

    /// Lowers the conv2d `node` of `graph`, or says why it cannot.
    static func lower(node: Node, graph: Graph, scheme: SIMDDotProductScheme, target: TargetDescription) -> LoweringMatch {
        guard case .conv2d(let attributes) = node.operation,
              let x = node.input(0), let w = node.input(1),
              let inputType = graph.types[x], let weightType = graph.types[w], let outputType = graph.types[node.outputs[0]] else {
            return .rejected("not a conv2d with input and weight")
        }
        guard let encoding = Int8OperandEncoding(scheme: scheme, first: inputType.elementType, second: weightType.elementType) else {
            return .rejected("needs 8-bit integer input and weights, got \(inputType.elementType.name) × \(weightType.elementType.name)")
        }
        guard let weights = graph.constants[w]?.codes else { return .rejected("weights must be constants to be packed") }
        let bias = node.input(2).flatMap { graph.constants[$0]?.codes }
        if node.input(2) != nil && bias == nil { return .rejected("the bias must be a constant int32 tensor") }
        if node.accumulation == .pairwiseSaturatingInt16 && !scheme.saturatesPairs {
            return .rejected("the graph asks for saturating pair sums, which \(scheme.instruction.name) does not compute")
        }
        // An exact (`wrappingInt32`) node on a saturating instruction is one the adaptation pass left
        // exact on purpose (a depthwise conv, a TFLite node): the library widens to int16 there.
        let shape = ConvolutionShape(batch: inputType.shape[0], channels: inputType.shape[1], height: inputType.shape[2], width: inputType.shape[3],
                                     outputChannels: outputType.shape[1], outputHeight: outputType.shape[2], outputWidth: outputType.shape[3],
                                     kernelHeight: weightType.shape[2], kernelWidth: weightType.shape[3], groups: attributes.groups)
        let requantizer: SIMDRequantizer
        do { requantizer = try SIMDRequantizer(node: node, input: inputType, weight: weightType, output: outputType, channels: shape.outputChannels) }
        catch { return .rejected(error.diagnostics.map(\.message).joined(separator: "; ")) }

        let za = (inputType.quantization?.zeroPoint(at: 0) ?? 0) &+ encoding.firstOffset
        let taps = shape.kernelHeight * shape.kernelWidth
        let perGroup = shape.channelsPerGroup
        let packed = (0..<shape.groups).map { group -> Int8GEMM.PackedWeights in
            let first = group * shape.outputsPerGroup
            let zeros = (0..<shape.outputsPerGroup).map { (weightType.quantization?.zeroPoint(at: first + $0) ?? 0) &+ encoding.secondOffset }
            return Int8GEMM.PackedWeights(depth: shape.depth, columns: shape.outputsPerGroup, firstZero: za, signedZeros: zeros,
                                          bias: { bias?[first + $0] ?? 0 }) { k, n in
                // k runs over (ky, kx, c); OIHW weights are [o][c][ky][kx].
                let c = k % perGroup, tap = k / perGroup
                return weights[((first + n) * perGroup + c) * taps + tap] &+ encoding.secondOffset
            }
        }
        var depthwise: DepthwiseOperands?
        if perGroup == 1 && node.accumulation == .wrappingInt32 {
            let zeros = (0..<shape.outputChannels).map { weightType.quantization?.zeroPoint(at: $0) ?? 0 }
            depthwise = DepthwiseOperands(weights: weights.indices.map { weights[$0] &- zeros[$0 / taps] },
                                          biases: (0..<shape.outputChannels).map { bias?[$0] ?? 0 },
                                          window: WindowGeometry(input: inputType.shape, kernel: (shape.kernelHeight, shape.kernelWidth),
                                                                 strides: attributes.strides, dilations: attributes.dilations,
                                                                 pads: attributes.pads, output: outputType.shape))
        }
        var inPlace: InPlaceWindows?
        if case .host = Int8GEMM.Route.default, depthwise == nil, perGroup % 2 == 0, !packed.contains(where: \.needsRowSums) {
            let first = Int64(encoding.firstOffset)
            let unsignedBytes = inputType.elementType.minimumCode + first >= 0 && inputType.elementType.maximumCode + first <= 255
            let bytes = node.accumulation == .wrappingInt32 && unsignedBytes && perGroup % 4 == 0 && packed.allSatisfy { !$0.quads.isEmpty }
            inPlace = InPlaceWindows(shape, attributes, bytes: bytes)
        }
        return .lowered(SIMDConvolutionKernel(node: node, scheme: scheme, attributes: attributes, inputType: inputType,
                                              weightType: weightType, outputType: outputType, encoding: encoding, packed: packed,
                                              requantizer: requantizer, levels: SIMDMemoryLevels(target: target),
                                              inputs: node.inputs.filter { !$0.isEmpty }, geometry: shape, depthwise: depthwise,
                                              inPlace: inPlace))
    }

    private var saturatingPairs: Bool { node.accumulation == .pairwiseSaturatingInt16 }
    private var pairedWeights: Bool { !(scheme.pairsProductsInInt16 && packed.contains { $0.hasMinus128 }) }

    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let x = inputs.first, let codes = x.codes, x.shape == inputType.shape else {
            throw DiagnosticError(.error("expected \(inputType) input codes", place: node.place))
        }
        let g = geometry
        let threads = ParallelSamples.activeProcessorCount
        let za = (inputType.quantization?.zeroPoint(at: 0) ?? 0) &+ encoding.firstOffset
        if let inPlace, case .host(let level) = Int8GEMM.Route.default {
            return [Tensor(type: outputType, storage: .int32(multiplyInPlace(codes, inPlace, level: level, zero: za, threads: threads)))]
        }
        if let depthwise {
            // Every output element is written by the kernel, then requantized in place.
            let count = g.batch * g.outputChannels * g.pixels
            let output = [Int32](unsafeUninitializedCapacity: count) { buffer, written in
                DepthwiseConvolution.accumulate(codes, inputZero: inputType.quantization?.zeroPoint(at: 0) ?? 0, weights: depthwise.weights,
                                                biases: depthwise.biases, geometry: depthwise.window, outputChannels: g.outputChannels,
                                                into: buffer.baseAddress!, threads: threads)
                for plane in 0..<(g.batch * g.outputChannels) {
                    let values = buffer.baseAddress! + plane * g.pixels
                    requantizer.apply(channel: plane % g.outputChannels, count: g.pixels, from: values, stride: 1, into: values, stride: 1)
                }
                written = count
            }
            return [Tensor(type: outputType, storage: .int32(output))]
        }
        var output = [Int32](repeating: 0, count: g.batch * g.outputChannels * g.pixels)
        let depth = packed[0].paddedDepth
        let plane = g.height * g.width
        var nhwc = [Int16](repeating: 0, count: plane * g.channels)
        // A 1×1, stride-1, unpadded convolution's im2col rows are the NHWC pixels themselves.
        let pixelsAreRows = isPointwise && depth == g.channels
        var columns = [Int16](repeating: 0, count: pixelsAreRows ? 0 : g.pixels * depth)
        var accumulators = [Int32](repeating: 0, count: g.pixels * g.outputsPerGroup)
        for n in 0..<g.batch {
            // NCHW codes → NHWC hardware bytes.
            codes.withUnsafeBufferPointer { source in
                nhwc.withUnsafeMutableBufferPointer { destination in
                    kiln_nchw_to_padded_nhwc16(g.channels, g.height, g.width, source.baseAddress! + n * g.channels * plane,
                                               encoding.firstOffset, 0, 0, g.height, g.width, 0, destination.baseAddress!)
                }
            }
            for group in 0..<g.groups {
                if !pixelsAreRows { fillColumns(&columns, from: nhwc, group: group, zero: Int16(truncatingIfNeeded: za), depth: depth) }
                (pixelsAreRows ? nhwc : columns).withUnsafeBufferPointer { a in
                    accumulators.withUnsafeMutableBufferPointer { raw in
                        Int8GEMM.multiply(rows: g.pixels, a: a.baseAddress!, weights: packed[group], saturatingPairs: saturatingPairs,
                                          output: raw.baseAddress!, threads: threads)
                        // Write channel-major (NCHW), then requantize each plane as one contiguous run
                        // (the vector epilogue of ``Requantizer``).
                        output.withUnsafeMutableBufferPointer { planes in
                            for j in 0..<g.outputsPerGroup {
                                let channel = group * g.outputsPerGroup + j
                                let plane = planes.baseAddress! + (n * g.outputChannels + channel) * g.pixels
                                var source = raw.baseAddress! + j
                                for p in 0..<g.pixels {
                                    plane[p] = source.pointee
                                    source += g.outputsPerGroup
                                }
                                requantizer.apply(channel: channel, count: g.pixels, from: plane, stride: 1, into: plane, stride: 1)
                            }
                        }
                    }
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    /// The in-place route (``InPlaceWindows``): per sample, the codes go once into the bordered
    /// NHWC buffer, each group's GEMM reads its windows there and writes its accumulators straight
    /// into the group's NCHW output planes, which are then requantized as contiguous runs.
    private func multiplyInPlace(_ codes: [Int32], _ windows: InPlaceWindows, level: kiln_pair_gemm_level, zero: Int32,
                                 threads: Int) -> [Int32] {
        let g = geometry
        let plane = g.height * g.width, bordered = windows.paddedHeight * windows.paddedWidth * g.channels
        // Int16 elements for the pair GEMM, or bytes for `vpdpbusd`; the other buffer stays empty.
        let (shortCount, byteCount) = windows.bytes ? (0, bordered) : (bordered, 0)
        var shorts = [Int16](unsafeUninitializedCapacity: shortCount) { _, count in count = shortCount }
        var bytes = [UInt8](unsafeUninitializedCapacity: byteCount) { _, count in count = byteCount }
        // Every element is written: each group's GEMM covers all its pixels and channels.
        let count = g.batch * g.outputChannels * g.pixels
        return [Int32](unsafeUninitializedCapacity: count) { planes, written in
            codes.withUnsafeBufferPointer { source in
                shorts.withUnsafeMutableBufferPointer { shorts in
                    bytes.withUnsafeMutableBufferPointer { bytes in
                        windows.rowOffsets.withUnsafeBufferPointer { rowOffsets in
                            windows.tapOffsets.withUnsafeBufferPointer { tapOffsets in
                                for n in 0..<g.batch {
                                    let sample = source.baseAddress! + n * g.channels * plane
                                    if windows.bytes {
                                        kiln_nchw_to_padded_nhwc8(g.channels, g.height, g.width, sample, encoding.firstOffset, windows.padTop,
                                                                  windows.padLeft, windows.paddedHeight, windows.paddedWidth,
                                                                  UInt8(truncatingIfNeeded: zero), bytes.baseAddress!)
                                    } else {
                                        kiln_nchw_to_padded_nhwc16(g.channels, g.height, g.width, sample, encoding.firstOffset, windows.padTop,
                                                                   windows.padLeft, windows.paddedHeight, windows.paddedWidth,
                                                                   Int16(truncatingIfNeeded: zero), shorts.baseAddress!)
                                    }
                                    for group in 0..<g.groups {
                                        let first = (n * g.outputChannels + group * g.outputsPerGroup) * g.pixels
                                        let output = kiln_gemm_output(values: planes.baseAddress! + first, row_stride: 1, column_stride: g.pixels)
                                        let channel = group * g.channelsPerGroup, taps = tapOffsets.count
                                        if windows.bytes {
                                            let rows = kiln_gemm_byte_rows(a: bytes.baseAddress! + channel, row_offsets: rowOffsets.baseAddress!,
                                                                           row_stride: 0, tap_offsets: tapOffsets.baseAddress!, taps: taps,
                                                                           tap_depth: g.channelsPerGroup)
                                            Int8GEMM.multiplyBytes(Int8GEMM.ByteOperands(rows: rows, output: output), rows: g.pixels,
                                                                   weights: packed[group], threads: threads)
                                        } else {
                                            let rows = kiln_gemm_rows(a: shorts.baseAddress! + channel, row_offsets: rowOffsets.baseAddress!,
                                                                      row_stride: 0, tap_offsets: tapOffsets.baseAddress!, taps: taps,
                                                                      tap_depth: g.channelsPerGroup)
                                            Int8GEMM.multiply(HostGEMMOperands(rows: rows, output: output), level: level, rows: g.pixels,
                                                              weights: packed[group], saturatingPairs: saturatingPairs, threads: threads)
                                        }
                                        for j in 0..<g.outputsPerGroup {
                                            let values = planes.baseAddress! + first + j * g.pixels
                                            requantizer.apply(channel: group * g.outputsPerGroup + j, count: g.pixels, from: values, stride: 1,
                                                              into: values, stride: 1)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            written = count
        }
    }

    /// Whether the convolution is 1×1 with stride 1, no padding and one group.
    private var isPointwise: Bool {
        geometry.kernelHeight == 1 && geometry.kernelWidth == 1 && geometry.groups == 1 && attributes.strides.allSatisfy { $0 == 1 }
            && attributes.pads.allSatisfy { $0 == 0 }
    }

    /// im2col for one group: row `oy·OW + ox` holds the window in (ky, kx, c) order, padded
    /// positions hold the activation zero point, the depth padding holds 0.
    private func fillColumns(_ columns: inout [Int16], from nhwc: [Int16], group: Int, zero: Int16, depth: Int) {
        let g = geometry
        let perGroup = g.channelsPerGroup
        let strideY = attributes.strides[0], strideX = attributes.strides[1]
        let dilationY = attributes.dilations[0], dilationX = attributes.dilations[1]
        let padTop = attributes.pads[0], padLeft = attributes.pads[1]
        nhwc.withUnsafeBufferPointer { source in
            columns.withUnsafeMutableBufferPointer { rows in
                for oy in 0..<g.outputHeight {
                    for ox in 0..<g.outputWidth {
                        var k = (oy * g.outputWidth + ox) * depth
                        for ky in 0..<g.kernelHeight {
                            let y = oy * strideY - padTop + ky * dilationY
                            for kx in 0..<g.kernelWidth {
                                let xx = ox * strideX - padLeft + kx * dilationX
                                if y >= 0 && y < g.height && xx >= 0 && xx < g.width {
                                    let base = (y * g.width + xx) * g.channels + group * perGroup
                                    for c in 0..<perGroup { rows[k + c] = source[base + c] }
                                } else {
                                    for c in 0..<perGroup { rows[k + c] = zero }
                                }
                                k += perGroup
                            }
                        }
                        for _ in g.depth..<depth { rows[k] = 0; k += 1 }
                    }
                }
            }
        }
    }

    func countActions() -> ActionCounts {
        let g = geometry
        let depth = packed[0].paddedDepth
        var counts = ActionCounts()
        let perGroupRuns = g.batch * g.groups
        counts.multiplyAccumulates[MultiplyAccumulateKind(inputType.elementType, weightType.elementType)] =
            perGroupRuns * g.pixels * g.outputsPerGroup * g.depth
        let tiles = ((g.pixels + scheme.tileRows - 1) / scheme.tileRows) * ((g.outputsPerGroup + scheme.tileColumns - 1) / scheme.tileColumns)
        let steps = (g.depth + scheme.depthStep - 1) / scheme.depthStep
        for (name, count) in scheme.instructionsPerStep(pairedWeights: pairedWeights) { counts.instructions[Instruction(name), default: 0] += perGroupRuns * tiles * steps * count }
        for (name, count) in scheme.instructionsPerTileEpilogue { counts.instructions[Instruction(name), default: 0] += perGroupRuns * tiles * count }
        let inputElements = g.batch * g.channels * g.height * g.width
        if encoding.flipsActivations {
            counts.instructions[Instruction(scheme.signFlipInstruction), default: 0] += (inputElements + scheme.vectorBytes - 1) / scheme.vectorBytes
        }
        let outputElements = g.batch * g.outputChannels * g.pixels
        let rowSums = packed[0].needsRowSums ? perGroupRuns * g.pixels * g.depth + outputElements : 0
        counts.aluOperations = outputElements * (1 + requantizer.aluOperationsPerOutput) + rowSums
        let columnBytes = g.pixels * depth
        let columnBlocks = (g.outputsPerGroup + Int8GEMM.blockColumns - 1) / Int8GEMM.blockColumns
        counts.bytesRead[levels.activations] = inputElements + perGroupRuns * columnBytes * columnBlocks
        counts.bytesWritten[levels.activations] = perGroupRuns * columnBytes + SIMDMemoryLevels.bytes(outputElements, of: outputType.elementType)
        let rowBlocks = (g.pixels + scheme.tileRows - 1) / scheme.tileRows
        counts.bytesRead[levels.weights] = perGroupRuns * rowBlocks * depth * g.outputsPerGroup + 4 * g.outputChannels
        return counts
    }

    func listing() -> [String] {
        let g = geometry
        let depth = packed[0].paddedDepth
        var lines = [
            "layout: input NCHW → NHWC bytes\(encoding.flipsActivations ? " (\(scheme.signFlipInstruction) 0x80: \(encoding.firstOffset > 0 ? "s8 → u8" : "u8 → s8"))" : ""); weights packed [\(g.groups) groups][\(packed[0].columnBlocks) blocks of 16 channels][K=\(depth)][16], once at compile time",
            scheme.summary,
            "for n in 0..<\(g.batch), group in 0..<\(g.groups):",
            "  im2col \(g.pixels) rows × K=\(g.depth) (ky, kx, c order\(depth > g.depth ? ", zero-padded to \(depth)" : ""); padding taps = zero point \(((inputType.quantization?.zeroPoint(at: 0) ?? 0) &+ encoding.firstOffset)))",
            "  for tile in 0..<\((g.pixels + scheme.tileRows - 1) / scheme.tileRows) pixel tiles × \((g.outputsPerGroup + scheme.tileColumns - 1) / scheme.tileColumns) channel tiles:",
            "    for k in stride(0, \(g.depth), \(scheme.depthStep)): " + scheme.instructionsPerStep(pairedWeights: pairedWeights).sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "),
        ]
        if saturatingPairs { lines.append("    (pairs (k, k+1) of the (ky, kx, c) axis saturate to int16 before vpmaddwd widens them)") }
        if !pairedWeights { lines.append("    (a weight is −128: products widened one at a time, no int16 pairing)") }
        lines.append("    epilogue: + (bias − za·Σw) per channel\(packed[0].needsRowSums ? " − zw·Σx per pixel" : ""); \(requantizer.summary)")
        return lines
    }
}
