import KilnIR

/// The window arithmetic of a 2-D max pool over NCHW data (the reference's: padded taps are
/// skipped, a window entirely in the padding yields the zero point).
struct PoolWindow: Sendable, Hashable {
    let batch: Int, channels: Int, height: Int, width: Int
    let kernel: [Int], strides: [Int], dilations: [Int], pads: [Int]
    let outputHeight: Int, outputWidth: Int

    init(input: [Int], output: [Int], attributes: Pooling) {
        batch = input[0]; channels = input[1]; height = input[2]; width = input[3]
        kernel = attributes.kernel; strides = attributes.strides; dilations = attributes.dilations; pads = attributes.pads
        outputHeight = output[2]; outputWidth = output[3]
    }

    /// Calls `body(y, x)` for each tap of output pixel (oy, ox) inside the input.
    @inline(__always)
    func forEachTap(_ oy: Int, _ ox: Int, _ body: (Int, Int) -> Void) {
        for ky in 0..<kernel[0] {
            let y = oy * strides[0] - pads[0] + ky * dilations[0]
            if y < 0 || y >= height { continue }
            for kx in 0..<kernel[1] {
                let x = ox * strides[1] - pads[1] + kx * dilations[1]
                if x < 0 || x >= width { continue }
                body(y, x)
            }
        }
    }

    /// Output elements.
    var outputCount: Int { batch * channels * outputHeight * outputWidth }
    /// Window taps visited in all (data-independent).
    var tapCount: Int {
        var count = 0
        for oy in 0..<outputHeight { for ox in 0..<outputWidth { forEachTap(oy, ox) { _, _ in count += 1 } } }
        return count * batch * channels
    }

    /// The loop nest line of the listing.
    var summary: String {
        "for n in 0..<\(batch), oy in 0..<\(outputHeight), ox in 0..<\(outputWidth): window \(kernel[0])×\(kernel[1]) stride \(strides) pads \(pads)"
    }
}
