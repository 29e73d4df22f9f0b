import Foundation
import KilnIR

/// resize over NCHW data, with TensorFlow's coordinate rules (`reference_ops::ResizeNearestNeighbor`
/// and the float `reference_ops::ResizeBilinear`); 8-bit bilinear on codes is TFLite's integer
/// kernel (`TFLiteResizeBilinearKernel`).
///
/// nearest: `scale = alignCorners && out > 1 ? (in − 1)/(out − 1) : in/out` (float),
/// `offset = halfPixelCenters ? 0.5 : 0`, source `min(alignCorners ? round((o + offset)·scale)
/// : floor((o + offset)·scale), in − 1)`, at least 0 with half-pixel centres; exact on codes.
/// bilinear (float): source `y = halfPixelCenters ? (o + 0.5)·scale − 0.5 : o·scale`, the two
/// neighbours `max(floor y, 0)` and `min(ceil y, in − 1)`, weights from `y − floor y`.
enum ResizeKernel {
    static func execute(_ attributes: Resize, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        let planes = x.shape[0] * x.shape[1], height = x.shape[2], width = x.shape[3]
        let outputHeight = attributes.size[0], outputWidth = attributes.size[1]
        func scale(_ input: Int, _ output: Int) -> Float {
            attributes.alignCorners && output > 1 ? Float(input - 1) / Float(output - 1) : Float(input) / Float(output)
        }
        let scaleY = scale(height, outputHeight), scaleX = scale(width, outputWidth)
        if attributes.mode == .nearest {
            func nearest(_ o: Int, _ input: Int, _ scale: Float) -> Int {
                let offset: Float = attributes.halfPixelCenters ? 0.5 : 0
                let position = (Float(o) + offset) * scale
                let source = attributes.alignCorners ? Int(position.rounded(.toNearestOrAwayFromZero)) : Int(position.rounded(.down))
                let clamped = min(source, input - 1)
                return attributes.halfPixelCenters ? max(0, clamped) : clamped
            }
            var offsets: [Int] = []
            offsets.reserveCapacity(planes * outputHeight * outputWidth)
            for p in 0..<planes {
                for oy in 0..<outputHeight {
                    let y = nearest(oy, height, scaleY)
                    for ox in 0..<outputWidth { offsets.append((p * height + y) * width + nearest(ox, width, scaleX)) }
                }
            }
            return DataMovementKernels.gather(x, offsets, outputType)
        }
        guard let values = x.floats else { throw KernelError("bilinear resize of integer codes is defined by TFLite semantics only") }
        func source(_ o: Int, _ scale: Float, _ input: Int) -> (Int, Int, Float) {
            let position = attributes.halfPixelCenters ? (Float(o) + 0.5) * scale - 0.5 : Float(o) * scale
            let low = max(Int(position.rounded(.down)), 0), high = min(Int(position.rounded(.up)), input - 1)
            return (low, high, position - position.rounded(.down))
        }
        var output = [Float](repeating: 0, count: planes * outputHeight * outputWidth)
        for p in 0..<planes {
            for oy in 0..<outputHeight {
                let (y0, y1, dy) = source(oy, scaleY, height)
                for ox in 0..<outputWidth {
                    let (x0, x1, dx) = source(ox, scaleX, width)
                    func at(_ y: Int, _ x: Int) -> Float { values[(p * height + y) * width + x] }
                    output[(p * outputHeight + oy) * outputWidth + ox] = at(y0, x0) * (1 - dy) * (1 - dx) + at(y1, x0) * dy * (1 - dx)
                        + at(y0, x1) * (1 - dy) * dx + at(y1, x1) * dy * dx
                }
            }
        }
        return Tensor(type: outputType, storage: .float32(output))
    }
}
