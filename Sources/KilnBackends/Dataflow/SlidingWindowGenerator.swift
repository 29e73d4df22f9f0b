import KilnIR

/// The sliding-window generator of a convolution or pooling engine over NCHW data: turns the
/// input into one window vector per output pixel, in FINN's `(ky, kx, c)` order (channels
/// innermost), padding with a fixed code.
///
/// A dense layer is the special case of a 1 × 1 window over `C = K` channels with one "image"
/// per row, so the matrix engines use this one geometry for both.
struct SlidingWindowGenerator: Sendable, Hashable {
    /// Images (or dense rows).
    public let batch: Int
    /// Input channels, height and width.
    public let channels: Int, height: Int, width: Int
    /// Window height and width.
    public let kernelHeight: Int, kernelWidth: Int
    /// Strides and dilations (vertical, horizontal).
    public let strideY: Int, strideX: Int, dilationY: Int, dilationX: Int
    /// Top and left padding.
    public let padTop: Int, padLeft: Int
    /// Output height and width.
    public let outputHeight: Int, outputWidth: Int
    /// Channel groups (the window of group g covers channels `g·C/groups ..< (g+1)·C/groups`).
    public let groups: Int

    /// Creates the geometry.
    public init(batch: Int, channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                strides: [Int] = [1, 1], dilations: [Int] = [1, 1], pads: [Int] = [0, 0, 0, 0],
                outputHeight: Int, outputWidth: Int, groups: Int = 1) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        strideY = strides[0]; strideX = strides[1]; dilationY = dilations[0]; dilationX = dilations[1]
        padTop = pads[0]; padLeft = pads[1]
        self.outputHeight = outputHeight; self.outputWidth = outputWidth
        self.groups = groups
    }

    /// The geometry of a dense layer `x[rows, depth]`: rows as images, a 1 × 1 window.
    public static func dense(rows: Int, depth: Int) -> SlidingWindowGenerator {
        SlidingWindowGenerator(batch: rows, channels: depth, height: 1, width: 1, kernelHeight: 1, kernelWidth: 1,
                               outputHeight: 1, outputWidth: 1)
    }

    /// Channels per group.
    public var groupChannels: Int { channels / max(groups, 1) }
    /// Elements of one window vector (the MVAU's matrix width MW).
    public var windowLength: Int { kernelHeight * kernelWidth * groupChannels }
    /// Output pixels per image.
    public var outputPixels: Int { outputHeight * outputWidth }
    /// Input elements.
    public var inputCount: Int { batch * channels * height * width }

    /// Writes the window of image `n`, group `group`, output pixel `(oy, ox)` into `window`
    /// (`windowLength` elements, `(ky, kx, c)` order); taps in the padding get `padding`.
    @inline(__always)
    public func fill(_ window: UnsafeMutablePointer<Int32>, from input: UnsafeBufferPointer<Int32>,
                     image n: Int, group: Int, oy: Int, ox: Int, padding: Int32) {
        let plane = height * width
        let cg = groupChannels
        let base = (n * channels + group * cg) * plane
        var slot = 0
        for ky in 0..<kernelHeight {
            let y = oy * strideY - padTop + ky * dilationY
            for kx in 0..<kernelWidth {
                let x = ox * strideX - padLeft + kx * dilationX
                if y < 0 || y >= height || x < 0 || x >= width {
                    for c in 0..<cg { window[slot + c] = padding }
                } else {
                    let offset = base + y * width + x
                    for c in 0..<cg { window[slot + c] = input[offset + c * plane] }
                }
                slot += cg
            }
        }
    }

    /// Whether any tap of output pixel `(oy, ox)` lies inside the input.
    public func hasInputTap(oy: Int, ox: Int) -> Bool {
        for ky in 0..<kernelHeight {
            let y = oy * strideY - padTop + ky * dilationY
            guard y >= 0 && y < height else { continue }
            for kx in 0..<kernelWidth {
                let x = ox * strideX - padLeft + kx * dilationX
                if x >= 0 && x < width { return true }
            }
        }
        return false
    }

    /// `3×3 stride 1×1 pad 1,1` for listings.
    public var summary: String {
        "\(kernelHeight)×\(kernelWidth) stride \(strideY)×\(strideX)" + (padTop > 0 || padLeft > 0 ? " pad \(padTop),\(padLeft)" : "")
            + (dilationY > 1 || dilationX > 1 ? " dilation \(dilationY)×\(dilationX)" : "")
    }
}

/// Bytes of `count` elements of `bits` bits each, packed.
@inline(__always)
func packedBytes(_ count: Int, bits: Int) -> Int { (count * bits + 7) / 8 }
