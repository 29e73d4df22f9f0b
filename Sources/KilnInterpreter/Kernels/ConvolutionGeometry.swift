import KilnIR

/// The index arithmetic of a 2-D sliding window (convolution or pooling) over NCHW data.
public struct WindowGeometry: Sendable {
    /// Input dimensions (NCHW).
    public let batch: Int, channels: Int, height: Int, width: Int
    /// Window size.
    public let kernelHeight: Int, kernelWidth: Int
    /// Window steps.
    public let strideY: Int, strideX: Int
    /// Tap spacing inside the window.
    public let dilationY: Int, dilationX: Int
    /// Leading padding.
    public let padTop: Int, padLeft: Int
    /// Output spatial size.
    public let outputHeight: Int, outputWidth: Int

    /// The geometry of a window of `kernel` (height, width) over an NCHW `input` giving an NCHW
    /// `output`; `pads` are `[top, left, bottom, right]`.
    public init(input: [Int], kernel: (Int, Int), strides: [Int], dilations: [Int], pads: [Int], output: [Int]) {
        batch = input[0]; channels = input[1]; height = input[2]; width = input[3]
        kernelHeight = kernel.0; kernelWidth = kernel.1
        strideY = strides[0]; strideX = strides[1]
        dilationY = dilations[0]; dilationX = dilations[1]
        padTop = pads[0]; padLeft = pads[1]
        outputHeight = output[2]; outputWidth = output[3]
    }

    /// Calls `body(ky, kx, y, x)` for each window tap of output position (oy, ox) that lies
    /// inside the input (padding taps are skipped).
    @inline(__always)
    public func forEachTap(_ oy: Int, _ ox: Int, _ body: (Int, Int, Int, Int) -> Void) {
        for ky in 0..<kernelHeight {
            let y = oy * strideY - padTop + ky * dilationY
            if y < 0 || y >= height { continue }
            for kx in 0..<kernelWidth {
                let x = ox * strideX - padLeft + kx * dilationX
                if x < 0 || x >= width { continue }
                body(ky, kx, y, x)
            }
        }
    }

    /// The number of window taps of output position (oy, ox), counting padded taps or not.
    func tapCount(_ oy: Int, _ ox: Int, includingPadding: Bool, paddedHeight: Int, paddedWidth: Int) -> Int {
        var count = 0
        for ky in 0..<kernelHeight {
            let y = oy * strideY - padTop + ky * dilationY
            let inside = includingPadding ? (y < paddedHeight - padTop) : (y >= 0 && y < height)
            if !inside { continue }
            for kx in 0..<kernelWidth {
                let x = ox * strideX - padLeft + kx * dilationX
                if includingPadding ? (x < paddedWidth - padLeft) : (x >= 0 && x < width) { count += 1 }
            }
        }
        return count
    }
}
