import KilnHostKernels

/// The reference interpreter's direct kernel for convolutions with one input channel per group
/// (depthwise, any channel multiplier), in wrapping int32.
///
/// Each output plane reads one zero-padded copy of its input plane; each window tap adds
/// `weight · input` to a whole output row at once, so the inner loop runs along the row (the
/// NCHW layout puts a row's positions side by side, where the vector lanes go) with no bounds
/// tests. Wrapping int32 addition is associative and commutative modulo 2³², so the tap order
/// differs from the plain loop's without changing a bit. Output planes are split over threads;
/// each plane is computed by one thread, so the result does not depend on the thread count.
/// On x86 with AVX2 or AVX-512 a plane's taps run in `KilnHostKernels`' C loop instead
/// (`kiln_depthwise_plane`: a row's positions in the vector lanes, the taps accumulated in the
/// register; `vpmulld` / `vpaddd` wrap like `&*` / `&+`), the same bits.
///
/// Public so that a backend whose depthwise instructions accumulate exactly (any wrapping int32
/// order gives the same bits) simulates them with this kernel instead of its own copy.
public enum DepthwiseConvolution {
    /// Writes `bias(o) + Σ_taps weight·input` for every output element (NCHW) to `output`.
    /// - Parameters:
    ///   - input: zero-point-centered input codes (NCHW).
    ///   - weights: zero-point-centered weights (O × 1 × KH × KW).
    static func accumulate(_ input: [Int32], weights: [Int32], bias: (Int) -> Int32, layout: ConvolutionKernel.Layout,
                           into output: UnsafeMutablePointer<Int32>, threads: Int) {
        accumulate(input, weights: weights, biases: (0..<layout.outputChannels).map(bias), geometry: layout.geometry,
                   outputChannels: layout.outputChannels, into: output, threads: threads)
    }

    /// Writes `biases[o] + Σ_taps weight·input` for every output element (NCHW) of a convolution
    /// with one input channel per group (`outputChannels` a multiple of the input channels) to
    /// `output`, which has room for `batch × outputChannels × outputHeight × outputWidth` values.
    /// - Parameters:
    ///   - input: input codes (NCHW, `geometry`'s input shape), centered at `inputZero`.
    ///   - inputZero: the input zero point, subtracted without a pass over the input: padding
    ///     holds `inputZero` and each bias becomes `biases[o] − inputZero·Σ_taps weight`, so
    ///     every tap adds `weight·(x − inputZero)` in wrapping int32, the centered input's sum.
    ///   - weights: zero-point-centered weights (O × 1 × KH × KW).
    ///   - threads: how many threads may share the output planes (the result does not depend on it).
    ///   - hostLevel: the `KilnHostKernels` level to use (`KILN_PAIR_GEMM_NONE`: the Swift loop).
    public static func accumulate(_ input: [Int32], inputZero: Int32 = 0, weights: [Int32], biases: [Int32], geometry g: WindowGeometry,
                                  outputChannels: Int, into output: UnsafeMutablePointer<Int32>, threads: Int,
                                  hostLevel: kiln_pair_gemm_level = HostVectorKernels.level) {
        let layout = ConvolutionKernel.Layout(geometry: g, outputChannels: outputChannels, channelsPerGroup: 1, groups: g.channels)
        let paddedHeight = max(g.height + g.padTop, (g.outputHeight - 1) * g.strideY + (g.kernelHeight - 1) * g.dilationY + 1)
        let paddedWidth = max(g.width + g.padLeft, (g.outputWidth - 1) * g.strideX + (g.kernelWidth - 1) * g.dilationX + 1)
        let planes = g.batch * layout.outputChannels
        guard planes > 0, layout.positions > 0 else { return }
        let taps = g.kernelHeight * g.kernelWidth
        let work = planes * layout.positions * taps
        let chunkCount = work < 1 << 18 ? 1 : min(planes, max(threads, 1) * 4)
        let planesPerChunk = (planes + chunkCount - 1) / chunkCount
        let destination = SharedPointer(output)
        input.withUnsafeBufferPointer { inputBuffer in
            weights.withUnsafeBufferPointer { weightBuffer in
                let source = SharedPointer(inputBuffer.baseAddress!), filters = SharedPointer(weightBuffer.baseAddress!)
                ParallelSamples.forEachChunk(chunkCount, threads: threads) { chunk in
                    let first = chunk * planesPerChunk, last = min(planes, first + planesPerChunk)
                    guard first < last else { return }
                    // The border keeps `inputZero`; each plane overwrites the interior row by row.
                    var padded = [Int32](repeating: inputZero, count: paddedHeight * paddedWidth)
                    padded.withUnsafeMutableBufferPointer { padded in
                        for plane in first..<last {
                            let n = plane / layout.outputChannels, o = plane % layout.outputChannels
                            let channel = o / layout.outputsPerGroup
                            let inputPlane = source.pointer + (n * g.channels + channel) * g.height * g.width
                            for y in 0..<g.height {
                                (padded.baseAddress! + (y + g.padTop) * paddedWidth + g.padLeft).update(from: inputPlane + y * g.width, count: g.width)
                            }
                            let outputPlane = destination.pointer + plane * layout.positions
                            let filter = filters.pointer + o * taps
                            var bias = biases[o]
                            if inputZero != 0 { for t in 0..<taps { bias &-= inputZero &* filter[t] } }
                            if hostLevel != KILN_PAIR_GEMM_NONE {
                                var geometry = kiln_depthwise_plane_geometry(
                                    padded_width: paddedWidth, kernel_height: g.kernelHeight, kernel_width: g.kernelWidth,
                                    stride_y: g.strideY, stride_x: g.strideX, dilation_y: g.dilationY, dilation_x: g.dilationX,
                                    output_height: g.outputHeight, output_width: g.outputWidth)
                                kiln_depthwise_plane(hostLevel, &geometry, padded.baseAddress!, filter, bias, outputPlane)
                                continue
                            }
                            for oy in 0..<g.outputHeight {
                                let row = outputPlane + oy * g.outputWidth
                                for ox in 0..<g.outputWidth { row[ox] = bias }
                                for ky in 0..<g.kernelHeight {
                                    for kx in 0..<g.kernelWidth {
                                        let weight = filter[ky * g.kernelWidth + kx]
                                        let start = padded.baseAddress! + (oy * g.strideY + ky * g.dilationY) * paddedWidth + kx * g.dilationX
                                        if g.strideX == 1 {
                                            for ox in 0..<g.outputWidth { row[ox] &+= weight &* start[ox] }
                                        } else {
                                            for ox in 0..<g.outputWidth { row[ox] &+= weight &* start[ox * g.strideX] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
