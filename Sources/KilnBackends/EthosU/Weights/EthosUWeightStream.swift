import Foundation

/// A layer's weights as Vela hands them to its encoder (`weight_compressor.encode_weight_and_scale_tensor`):
/// OHWI, zero points subtracted (depthwise: C×H×W×1; fully connected: O×1×1×I), and the sizes of
/// the streams Vela encodes from them.
///
/// A stream is Vela's per-channel scale and bias records (10 bytes each: 40-bit bias, 32-bit
/// scale, 6-bit shift; `encode_bias`), padded to 16 bytes, followed by the weights reordered into
/// the order the MAC array consumes them (``reorder(channels:ofmBlockDepth:partKernel:ifmMicroDepth:ofmMicroDepth:subKernelHeight:subKernelWidth:)``,
/// Vela `mlw_codec.reorder`) and compressed by the encoder of the Vela core the target follows
/// (``EthosUWeightCodec``, ``EthosUSection/core``). On an NPU with several cores
/// (the U65-512) each depth slice holds one such stream per core, core `c` taking output channels
/// `c, c + cores, …` with OFM blocks `⌊(depth + cores − 1 − c) / cores⌋` deep (Vela
/// `weight_compressor.encode_weight_and_scale_tensor`, regor `EncodeWeightAndScaleTensor`).
/// Both cores reorder alike (regor: `EthosUWeightOrdering` in `ethos_u55_weight_encoder.cpp`) and
/// lay a slice out alike (regor `TryEncodeWeightAndScaleTensor`: each core's scale records padded
/// to 16 bytes, then its weights); only the compression differs.
final class EthosUWeights: Sendable, Hashable {
    /// OHWI values.
    let values: [Int16]
    let outputDepth: Int, height: Int, width: Int, inputDepth: Int
    let isDepthwise: Bool
    /// Whether a scale and bias record precedes the weights of each channel.
    let hasScales: Bool

    /// Encoded sizes by weight values and encoding parameters, shared by every compilation in
    /// the process (the plan and the lowering of one compilation, and each target of a
    /// comparison, encode the same layers); emptied when it holds more than `cacheLimit` entries.
    private static let cache = SizeCache()
    static let cacheLimit = 4096

    /// A lock-guarded size table.
    final class SizeCache: @unchecked Sendable {
        struct Key: Hashable {
            let values: [Int16]
            let parameters: [Int]
        }
        private let lock = NSLock()
        private var sizes: [Key: Int] = [:]

        func size(_ key: Key, encode: () -> Int) -> Int {
            lock.lock()
            if let size = sizes[key] {
                lock.unlock()
                return size
            }
            lock.unlock()
            let size = encode()
            lock.lock()
            if sizes.count >= EthosUWeights.cacheLimit { sizes.removeAll() }
            sizes[key] = size
            lock.unlock()
            return size
        }
    }

    init(values: [Int16], outputDepth: Int, height: Int, width: Int, inputDepth: Int, isDepthwise: Bool, hasScales: Bool) {
        precondition(values.count == outputDepth * height * width * inputDepth, "OHWI weights of the stated shape")
        self.values = values
        self.outputDepth = outputDepth
        self.height = height
        self.width = width
        self.inputDepth = inputDepth
        self.isDepthwise = isDepthwise
        self.hasScales = hasScales
    }

    static func == (lhs: EthosUWeights, rhs: EthosUWeights) -> Bool { lhs === rhs }
    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// The encoded bytes of output channels `channels` (scale records and weight stream), for a
    /// pass with OFM blocks `ofmBlockDepth` deep walking its kernel part-kernel first or depth first.
    func encodedBytes(channels: Range<Int>, ofmBlockDepth: Int, partKernel: Bool, section: EthosUSection,
                      dilationHeight: Int, dilationWidth: Int) -> Int {
        let cores = min(section.cores.value, channels.count)
        guard cores > 1 else {
            return streamBytes(channels: channels, ofmBlockDepth: ofmBlockDepth, partKernel: partKernel, section: section,
                               dilationHeight: dilationHeight, dilationWidth: dilationWidth)
        }
        return (0..<cores).reduce(0) { total, core in
            let stream = coreWeights(channels, core: core, cores: cores)
            return total + stream.streamBytes(channels: 0..<stream.outputDepth, ofmBlockDepth: Self.coreBlockDepth(ofmBlockDepth, core: core, cores: cores),
                                              partKernel: partKernel, section: section, dilationHeight: dilationHeight, dilationWidth: dilationWidth)
        }
    }

    /// The weights core `core` of `cores` encodes of output channels `channels`: every
    /// `cores`-th channel from `channels.lowerBound + core`.
    func coreWeights(_ channels: Range<Int>, core: Int, cores: Int) -> EthosUWeights {
        let perChannel = height * width * inputDepth
        let own = Array(stride(from: channels.lowerBound + core, to: channels.upperBound, by: cores))
        var values: [Int16] = []
        values.reserveCapacity(own.count * perChannel)
        for channel in own { values += self.values[channel * perChannel..<(channel + 1) * perChannel] }
        return EthosUWeights(values: values, outputDepth: own.count, height: height, width: width, inputDepth: inputDepth,
                             isDepthwise: isDepthwise, hasScales: hasScales)
    }

    /// The OFM block depth of core `core`'s stream when the pass's blocks are `ofmBlockDepth` deep.
    static func coreBlockDepth(_ ofmBlockDepth: Int, core: Int, cores: Int) -> Int {
        (ofmBlockDepth + cores - 1 - core) / cores
    }

    /// The bytes of one core's stream of `channels`: scale records padded to 16 bytes, then the
    /// reordered and compressed weights.
    func streamBytes(channels: Range<Int>, ofmBlockDepth: Int, partKernel: Bool, section: EthosUSection,
                     dilationHeight: Int, dilationWidth: Int) -> Int {
        let parameters = [outputDepth, height, width, inputDepth, isDepthwise ? 1 : 0, hasScales ? 1 : 0, channels.lowerBound, channels.upperBound,
                          min(ofmBlockDepth, outputDepth), partKernel ? 1 : 0, dilationHeight, dilationWidth,
                          section.ifmMicroBlock.value.depth, section.ofmMicroBlock.value.depth, section.core == .regor ? 1 : 0]
        return Self.cache.size(.init(values: values, parameters: parameters)) {
            let reordered = reorder(channels: channels, ofmBlockDepth: ofmBlockDepth, partKernel: partKernel,
                                    ifmMicroDepth: section.ifmMicroBlock.value.depth, ofmMicroDepth: section.ofmMicroBlock.value.depth,
                                    subKernelHeight: EthosUBlockConfig.subKernelMaximum / max(dilationHeight, 1),
                                    subKernelWidth: EthosUBlockConfig.subKernelMaximum / max(dilationWidth, 1))
            return (hasScales ? roundUp(10 * channels.count, 16) : 0) + EthosUWeightCodec.encode(reordered, core: section.core).count
        }
    }

    /// The weights of `channels` in the order the MAC array reads them (Vela `mlw_codec.reorder`):
    /// per OFM block, per IFM block (32 channels deep depth first, 16 part-kernel first), per
    /// sub-kernel of at most 8×8 (÷ dilation), then micro-blocks of OFM × IFM channels for each
    /// kernel position — or, part-kernel first, kernel positions (padded to 4) within each IFM
    /// micro-block; depthwise kernels padded to 4 positions. Positions outside the layer are zeros.
    func reorder(channels: Range<Int>, ofmBlockDepth: Int, partKernel: Bool, ifmMicroDepth: Int, ofmMicroDepth: Int,
                 subKernelHeight: Int, subKernelWidth: Int) -> [Int16] {
        let ofmDepth = channels.count, ifmDepth = inputDepth
        let ifmBlockDepth = partKernel ? 16 : 32
        var out: [Int16] = []
        out.reserveCapacity(ofmDepth * height * width * ifmDepth)
        let (height, width, first) = (height, width, channels.lowerBound)
        let depthwise = isDepthwise
        values.withUnsafeBufferPointer { values in
            for ofmBlock in stride(from: 0, to: ofmDepth, by: ofmBlockDepth) {
                let clippedOfmBlock = min(ofmBlockDepth, ofmDepth - ofmBlock)
                for ifmBlock in stride(from: 0, to: depthwise ? 1 : ifmDepth, by: ifmBlockDepth) {
                    let clippedIfmBlock = depthwise ? ifmMicroDepth : (partKernel ? min(ifmBlockDepth, ifmDepth - ifmBlock) : ifmBlockDepth)
                    for subY in stride(from: 0, to: height, by: subKernelHeight) {
                        let subHeight = min(height - subY, subKernelHeight)
                        for subX in stride(from: 0, to: width, by: subKernelWidth) {
                            let subWidth = min(width - subX, subKernelWidth)
                            var elements = subWidth * subHeight
                            if partKernel || depthwise { elements = roundUp(elements, 4) }  // int8 feature maps
                            let outerDepth = partKernel ? clippedIfmBlock : 1, innerDepth = partKernel ? 1 : clippedIfmBlock
                            for outer in stride(from: 0, to: outerDepth, by: ifmMicroDepth) {
                                for ofmMicro in stride(from: 0, to: clippedOfmBlock, by: ofmMicroDepth) {
                                    for element in 0..<elements {
                                        let kx = element % subWidth, ky = element / subWidth
                                        for inner in stride(from: 0, to: innerDepth, by: ifmMicroDepth) {
                                            for ofmZ in 0..<ofmMicroDepth {
                                                for ifmZ in 0..<(depthwise ? 1 : ifmMicroDepth) {
                                                    let ifm = ifmBlock + inner + outer + ifmZ, ofm = ofmBlock + ofmMicro + ofmZ
                                                    let inside = ifm < ifmDepth && ofm < ofmDepth && ky < subHeight
                                                    out.append(inside ? values[(((first + ofm) * height + subY + ky) * width + subX + kx) * ifmDepth + ifm] : 0)
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
        return out
    }
}
