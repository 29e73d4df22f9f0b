import KilnIR
import KilnNumerics

/// conv2d: float32, and integer with zero points, int32 wrapping accumulation and requantization.
///
/// Each group's input patches are gathered once into a row per output position (im2col, with
/// padded taps as 0 — for integer inputs the zero point is subtracted first, so padding is the
/// zero point); then every output is a dot product of two contiguous rows (``DotProduct``).
///
/// Integer wrapping-int32 convolutions take a faster route with the same result: depthwise
/// layers (one input channel per group) run ``DepthwiseConvolution`` directly on the planes,
/// layers whose centered codes are all −1, 0 or +1 (binarized layers) run
/// ``TernaryConvolution`` on bit-packed rows, and other layers whose centered codes fit in
/// int16 run ``WideningDotProductGEMM`` on int16 patches. `path: .plain` forces the plain loop, which tests compare the fast routes against.
enum ConvolutionKernel {
    /// Which integer route to take.
    enum IntegerPath {
        /// The fastest route whose preconditions hold.
        case automatic
        /// The plain im2col loop (the specification the fast routes are tested against).
        case plain
    }

    static func execute(_ attributes: Convolution, _ x: Tensor, _ w: Tensor, _ bias: Tensor?,
                        _ outputType: TensorType, rule: RequantizationRule,
                        accumulation: Accumulation = .wrappingInt32, path: IntegerPath = .automatic,
                        threads: Int? = nil) throws(KernelError) -> Tensor {
        let geometry = WindowGeometry(input: x.shape, kernel: (w.shape[2], w.shape[3]), strides: attributes.strides,
                                      dilations: attributes.dilations, pads: attributes.pads, output: outputType.shape)
        let layout = Layout(geometry: geometry, outputChannels: w.shape[0], channelsPerGroup: w.shape[1], groups: attributes.groups)

        if let input = x.floats, let weights = w.floats {
            let biasValues = bias?.floats
            var output = [Float](repeating: 0, count: layout.outputCount)
            var patches = [Float](repeating: 0, count: layout.positions * layout.depth)
            let depth = layout.depth, positions = layout.positions, outputsPerGroup = layout.outputsPerGroup
            let offsets = layout.patchOffsets()
            for n in 0..<geometry.batch {
                for group in 0..<attributes.groups {
                    input.withUnsafeBufferPointer { input in
                        offsets.withUnsafeBufferPointer { offsets in
                            patches.withUnsafeMutableBufferPointer { rows in
                                Self.gather(input, base: layout.groupBase(batch: n, group: group), offsets: offsets, into: rows, zero: 0)
                            }
                        }
                    }
                    patches.withUnsafeBufferPointer { rows in
                        weights.withUnsafeBufferPointer { weights in
                            output.withUnsafeMutableBufferPointer { output in
                                for o in group * outputsPerGroup ..< (group + 1) * outputsPerGroup {
                                    let bias = biasValues?[o] ?? 0
                                    let weightRow = weights.baseAddress.map { $0 + o * depth }
                                    let outputRow = output.baseAddress.map { $0 + layout.outputIndex(n, o, 0) }
                                    var position = 0
                                    while position < positions {
                                        outputRow?[position] = bias + DotProduct.sum(rows.baseAddress.map { $0 + position * depth }, weightRow, count: depth)
                                        position += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return Tensor(type: outputType, storage: .float32(output))
        }

        guard let input = x.codes, let weights = w.codes else { throw KernelError("conv2d needs float32 or integer operands") }
        let inputZero = x.type.quantization?.zeroPoint(at: 0) ?? 0
        let centered = Self.centered(input, rowLength: input.count, zeroPoints: [inputZero])
        let weightZero = (0..<layout.outputChannels).map { w.type.quantization?.zeroPoint(at: $0) ?? 0 }
        let centeredWeights = Self.centered(weights, rowLength: layout.depth, zeroPoints: weightZero)
        let biasCodes = bias?.codes
        let requantizer = try Requantizer(rule: rule, input: x.type, weight: w.type, output: outputType, channels: layout.outputChannels)
        var output = [Int32](repeating: 0, count: layout.outputCount)
        if accumulation == .pairwiseSaturatingInt16 {
            // Reduction over the (ky, kx, c) window of the group, channels fastest; padded
            // positions hold the unsigned zero point.
            let encoding = try PairwiseSaturatingAccumulation.Encoding(first: x.type.elementType, second: w.type.elementType)
            let zu = inputZero &+ encoding.unsignedOffset
            let kernelSize = geometry.kernelHeight * geometry.kernelWidth
            let channelsPerGroup = layout.channelsPerGroup
            let plane = geometry.height * geometry.width
            var window = [Int32](repeating: 0, count: layout.depth)
            for n in 0..<geometry.batch {
                for o in 0..<layout.outputChannels {
                    let group = o / layout.outputsPerGroup
                    let zs = weightZero[o] &- encoding.signedOffset
                    for oy in 0..<geometry.outputHeight {
                        for ox in 0..<geometry.outputWidth {
                            for ky in 0..<geometry.kernelHeight {
                                let y = oy * geometry.strideY - geometry.padTop + ky * geometry.dilationY
                                for kx in 0..<geometry.kernelWidth {
                                    let xx = ox * geometry.strideX - geometry.padLeft + kx * geometry.dilationX
                                    let inside = y >= 0 && y < geometry.height && xx >= 0 && xx < geometry.width
                                    for c in 0..<channelsPerGroup {
                                        window[(ky * geometry.kernelWidth + kx) * channelsPerGroup + c] = inside
                                            ? input[(n * geometry.channels + group * channelsPerGroup + c) * plane + y * geometry.width + xx] &+ encoding.unsignedOffset
                                            : zu
                                    }
                                }
                            }
                            let sum = PairwiseSaturatingAccumulation.sum(count: layout.depth, unsignedZero: zu, signedZero: zs, { window[$0] }) { k in
                                let c = k % channelsPerGroup, tap = k / channelsPerGroup
                                return weights[(o * channelsPerGroup + c) * kernelSize + tap] &- encoding.signedOffset
                            }
                            output[layout.outputIndex(n, o, oy * geometry.outputWidth + ox)] = requantizer.apply((biasCodes?[o] ?? 0) &+ sum, channel: o)
                        }
                    }
                }
            }
            return Tensor(type: outputType, storage: .int32(output))
        }
        let threadCount = threads ?? ParallelSamples.activeProcessorCount
        let biasValue = { (o: Int) -> Int32 in biasCodes?[o] ?? 0 }
        output.withUnsafeMutableBufferPointer { buffer in
            let accumulators = buffer.baseAddress!
            if path == .automatic, layout.channelsPerGroup == 1 {
                DepthwiseConvolution.accumulate(centered, weights: centeredWeights, bias: biasValue, layout: layout,
                                                into: accumulators, threads: threadCount)
            } else if path == .automatic, layout.depth > 0, layout.positions > 0, layout.outputChannels > 0,
                      TernaryConvolution.fits(centeredWeights), TernaryConvolution.fits(centered) {
                TernaryConvolution.accumulate(centered, weights: centeredWeights, bias: biasValue, layout: layout, into: accumulators)
            } else if path == .automatic, WideningDotProductGEMM.fits(centered, minus: { _ in 0 }),
                      WideningDotProductGEMM.fits(centeredWeights, minus: { _ in 0 }) {
                accumulateWithGEMM(centered, weights: centeredWeights, bias: biasValue, layout: layout,
                                   into: accumulators, threads: threadCount)
            } else {
                accumulatePlain(centered, weights: centeredWeights, bias: biasValue, layout: layout, into: accumulators)
            }
        }
        output.withUnsafeMutableBufferPointer { buffer in
            for plane in 0..<(geometry.batch * layout.outputChannels) {
                let start = plane * layout.positions
                requantizer.apply(channel: plane % layout.outputChannels,
                                  inPlace: UnsafeMutableBufferPointer(rebasing: buffer[start ..< start + layout.positions]))
            }
        }
        return Tensor(type: outputType, storage: .int32(output))
    }

    /// The specification: every accumulator `bias[o] + Σ_k patch[k]·weight[o][k]` summed in order.
    private static func accumulatePlain(_ centered: [Int32], weights centeredWeights: [Int32], bias: (Int) -> Int32,
                                        layout: Layout, into output: UnsafeMutablePointer<Int32>) {
        var patches = [Int32](repeating: 0, count: layout.positions * layout.depth)
        let depth = layout.depth, positions = layout.positions, outputsPerGroup = layout.outputsPerGroup
        let offsets = layout.patchOffsets()
        for n in 0..<layout.geometry.batch {
            for group in 0..<layout.groups {
                centered.withUnsafeBufferPointer { input in
                    offsets.withUnsafeBufferPointer { offsets in
                        patches.withUnsafeMutableBufferPointer { rows in
                            Self.gather(input, base: layout.groupBase(batch: n, group: group), offsets: offsets, into: rows, zero: 0)
                        }
                    }
                }
                patches.withUnsafeBufferPointer { rows in
                    centeredWeights.withUnsafeBufferPointer { weights in
                        for o in group * outputsPerGroup ..< (group + 1) * outputsPerGroup {
                            let initial = bias(o)
                            let weightRow = weights.baseAddress.map { $0 + o * depth }
                            let outputRow = output + layout.outputIndex(n, o, 0)
                            var position = 0
                            while position < positions {
                                outputRow[position] = initial &+ DotProduct.wrappingSum(rows.baseAddress.map { $0 + position * depth }, weightRow, count: depth)
                                position += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// The same accumulators from int16 patches and ``WideningDotProductGEMM`` (operands must fit).
    private static func accumulateWithGEMM(_ centered: [Int32], weights centeredWeights: [Int32], bias: @escaping (Int) -> Int32,
                                           layout: Layout, into output: UnsafeMutablePointer<Int32>, threads: Int) {
        let depth = WideningDotProductGEMM.paddedDepth(layout.depth)
        var patches = WideningDotProductGEMM.Operand(count: layout.positions, depth: depth)
        for group in 0..<layout.groups {
            var weights = WideningDotProductGEMM.Operand(count: layout.outputsPerGroup, depth: depth)
            for j in 0..<layout.outputsPerGroup {
                let source = (group * layout.outputsPerGroup + j) * layout.depth
                for k in 0..<layout.depth { weights.values[j * depth + k] = Int16(truncatingIfNeeded: centeredWeights[source + k]) }
            }
            let firstOutput = group * layout.outputsPerGroup
            for n in 0..<layout.geometry.batch {
                layout.gatherInt16(centered, batch: n, group: group, into: &patches)
                WideningDotProductGEMM.multiply(patches, weights, initial: { bias(firstOutput + $0) },
                                                into: output + layout.outputIndex(n, firstOutput, 0),
                                                layout: .init(rowStride: 1, columnStride: layout.positions), threads: threads)
            }
        }
    }

    /// `values` minus their zero points (wrapping), in rows of `rowLength` values that share one
    /// zero point (`zeroPoints[row]`). A `while` loop over a pointer: it runs over every input and
    /// weight on every execution, and a debug build runs `indices.map` through generic range
    /// iteration several times slower.
    static func centered(_ values: [Int32], rowLength: Int, zeroPoints: [Int32]) -> [Int32] {
        var result = values
        result.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, rowLength > 0 else { return }
            var index = 0
            while index < buffer.count {
                let zero = zeroPoints[index / rowLength], end = min(index + rowLength, buffer.count)
                while index < end {
                    base[index] = base[index] &- zero
                    index += 1
                }
            }
        }
        return result
    }

    /// Fills `rows` with the input elements at `base + offsets[i]` (`zero` where the offset is
    /// -1: padding). One function per element type: a generic one runs element by element
    /// through value witnesses in a debug build.
    static func gather(_ input: UnsafeBufferPointer<Float>, base: Int, offsets: UnsafeBufferPointer<Int>,
                       into rows: UnsafeMutableBufferPointer<Float>, zero: Float) {
        guard let source = input.baseAddress, let offset = offsets.baseAddress, let target = rows.baseAddress else { return }
        var index = 0
        while index < rows.count {
            let at = offset[index]
            target[index] = at < 0 ? zero : source[base + at]
            index += 1
        }
    }

    /// The integer-code twin of the float `gather` above.
    static func gather(_ input: UnsafeBufferPointer<Int32>, base: Int, offsets: UnsafeBufferPointer<Int>,
                       into rows: UnsafeMutableBufferPointer<Int32>, zero: Int32) {
        guard let source = input.baseAddress, let offset = offsets.baseAddress, let target = rows.baseAddress else { return }
        var index = 0
        while index < rows.count {
            let at = offset[index]
            target[index] = at < 0 ? zero : source[base + at]
            index += 1
        }
    }

    /// Index arithmetic of one convolution: patch rows of `depth = channelsPerGroup · KH · KW`
    /// elements in (channel, ky, kx) order, matching the OIHW weight layout.
    struct Layout {
        let geometry: WindowGeometry
        let outputChannels: Int, channelsPerGroup: Int, groups: Int
        var outputsPerGroup: Int { outputChannels / groups }
        var positions: Int { geometry.outputHeight * geometry.outputWidth }
        var depth: Int { channelsPerGroup * geometry.kernelHeight * geometry.kernelWidth }
        var outputCount: Int { geometry.batch * outputChannels * positions }

        func outputIndex(_ n: Int, _ o: Int, _ position: Int) -> Int { (n * outputChannels + o) * positions + position }

        /// Fills `patches` (rows of padded depth, padding taps and depth padding 0) with the
        /// patches of one batch element and group, narrowed to int16 (the values must fit).
        func gatherInt16(_ input: [Int32], batch n: Int, group: Int, into patches: inout WideningDotProductGEMM.Operand) {
            // The geometry in locals and `while` loops, so that a debug build runs it fast too.
            let height = geometry.height, width = geometry.width, plane = height * width
            let kernelHeight = geometry.kernelHeight, kernelWidth = geometry.kernelWidth
            let strideY = geometry.strideY, strideX = geometry.strideX, dilationY = geometry.dilationY, dilationX = geometry.dilationX
            let padTop = geometry.padTop, padLeft = geometry.padLeft
            let outputHeight = geometry.outputHeight, outputWidth = geometry.outputWidth
            let channels = channelsPerGroup, firstPlane = n * geometry.channels + group * channelsPerGroup
            let rowLength = patches.depth
            input.withUnsafeBufferPointer { input in
                patches.values.withUnsafeMutableBufferPointer { rows in
                    var oy = 0
                    while oy < outputHeight {
                        var ox = 0
                        while ox < outputWidth {
                            var index = (oy * outputWidth + ox) * rowLength
                            var c = 0
                            while c < channels {
                                let base = (firstPlane + c) * plane
                                var ky = 0
                                while ky < kernelHeight {
                                    let y = oy * strideY - padTop + ky * dilationY
                                    let rowInside = y >= 0 && y < height
                                    var kx = 0
                                    while kx < kernelWidth {
                                        let xx = ox * strideX - padLeft + kx * dilationX
                                        let inside = rowInside && xx >= 0 && xx < width
                                        rows[index] = inside ? Int16(truncatingIfNeeded: input[base + y * width + xx]) : 0
                                        index += 1
                                        kx += 1
                                    }
                                    ky += 1
                                }
                                c += 1
                            }
                            ox += 1
                        }
                        oy += 1
                    }
                }
            }
        }

        /// The patch element offsets of one batch element and group (position-major, then
        /// channel, ky, kx), relative to the group's first input plane: -1 for a padding tap.
        /// Computed once per convolution; ``ConvolutionKernel/gather(_:base:offsets:into:zero:)``
        /// applies them. Written as `while` loops with the geometry in locals so that a debug
        /// build runs it fast too.
        func patchOffsets() -> [Int] {
            let height = geometry.height, width = geometry.width, plane = height * width
            let kernelHeight = geometry.kernelHeight, kernelWidth = geometry.kernelWidth
            let strideY = geometry.strideY, strideX = geometry.strideX, dilationY = geometry.dilationY, dilationX = geometry.dilationX
            let outputHeight = geometry.outputHeight, outputWidth = geometry.outputWidth, channels = channelsPerGroup
            var offsets = [Int](repeating: -1, count: positions * depth)
            offsets.withUnsafeMutableBufferPointer { offsets in
                guard var target = offsets.baseAddress else { return }
                var oy = 0
                while oy < outputHeight {
                    var ox = 0
                    while ox < outputWidth {
                        var c = 0
                        while c < channels {
                            var ky = 0
                            while ky < kernelHeight {
                                let y = oy * strideY - geometry.padTop + ky * dilationY
                                var kx = 0
                                while kx < kernelWidth {
                                    let xx = ox * strideX - geometry.padLeft + kx * dilationX
                                    if y >= 0 && y < height && xx >= 0 && xx < width { target.pointee = c * plane + y * width + xx }
                                    target += 1
                                    kx += 1
                                }
                                ky += 1
                            }
                            c += 1
                        }
                        ox += 1
                    }
                    oy += 1
                }
            }
            return offsets
        }

        /// The offset of the first input plane of batch element `n`, group `group`.
        func groupBase(batch n: Int, group: Int) -> Int {
            (n * geometry.channels + group * channelsPerGroup) * geometry.height * geometry.width
        }
    }
}
