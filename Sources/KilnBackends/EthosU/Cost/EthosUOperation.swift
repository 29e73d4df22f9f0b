/// A feature-map shape as Vela's performance model sees it: batch, height, width, channels.
struct FeatureMapShape: Sendable, Hashable {
    var batch = 1, height = 1, width = 1, depth = 1

    var elements: Int { batch * height * width * depth }
    var area: Int { height * width }

    /// Element-wise minimum (Vela `Shape4D.min`).
    func clamped(to other: FeatureMapShape) -> FeatureMapShape {
        .init(batch: min(batch, other.batch), height: min(height, other.height), width: min(width, other.width), depth: min(depth, other.depth))
    }

    /// Each dimension rounded up to a multiple of the other's (Vela `Shape4D.round_up`).
    func roundedUp(to other: FeatureMapShape) -> FeatureMapShape {
        .init(batch: roundUp(batch, other.batch), height: roundUp(height, other.height), width: roundUp(width, other.width),
              depth: roundUp(depth, other.depth))
    }

    /// How many blocks of `block` cover the shape, per dimension (Vela `Shape4D.div_round_up`).
    func blocks(of block: FeatureMapShape) -> FeatureMapShape {
        .init(batch: divideRoundingUp(batch, block.batch), height: divideRoundingUp(height, block.height),
              width: divideRoundingUp(width, block.width), depth: divideRoundingUp(depth, block.depth))
    }
}

/// `value` rounded up to a multiple of `quantum` (≥ 1).
func roundUp(_ value: Int, _ quantum: Int) -> Int { divideRoundingUp(value, quantum) * quantum }

/// ⌈value / divisor⌉ for a divisor ≥ 1.
func divideRoundingUp(_ value: Int, _ divisor: Int) -> Int { (value + divisor - 1) / max(divisor, 1) }

/// The unit of the NPU a pass runs on (Vela `NpuBlockType`).
enum EthosUBlockType: String, Sendable, Hashable {
    /// Conv2D: the MAC array over an M×N kernel and all input channels.
    case convolution
    /// DepthwiseConv2D: one input channel per output channel.
    case depthwise
    /// FullyConnected: a 1×1 kernel over a vector (weights streamed once).
    case vectorProduct
    /// Average and max pooling.
    case pooling
    /// Add, sub, mul and the other elementwise passes.
    case elementwise
}

/// The output-stage class of a pass, which picks its entry of ``EthosUSection/outputCyclesPerElement``
/// (Vela `_estimate_output_cycles_per_element`).
enum EthosUOutputKind: Int, Sendable, Hashable {
    /// Int8 multiplication (Vela index 3).
    case multiply = 3
    /// Add or subtract with rescaling (Vela's "advanced add/sub", index 5).
    case addSubtract = 5
    /// Max pooling (index 6).
    case maxPool = 6
    /// Everything else: convolutions, average pooling, copies (index 7).
    case other = 7
}

/// The activation a pass applies in its output stage, which picks its entry of
/// ``EthosUSection/activationCyclesPerElement``.
enum EthosUActivation: Int, Sendable, Hashable {
    /// A 256-entry lookup table (sigmoid, tanh, ...).
    case lookupTable = 0
    /// A ReLU-like clamp.
    case clamp = 1
    /// None.
    case none = 2
}

/// How a feature map is laid out in memory (Vela `TensorFormat`): NHWC at the graph's edges,
/// NHCWB16 (bricks of 16 channels) between NPU passes.
enum FeatureMapFormat: Sendable, Hashable {
    case nhwc, brick16
}

/// One NPU pass in Vela's terms: what the performance model needs to cost it.
struct EthosUPass: Sendable, Hashable {
    var blockType: EthosUBlockType
    var outputKind: EthosUOutputKind
    var activation: EthosUActivation = .none
    var ifm: FeatureMapShape
    /// The second input of a binary elementwise pass (nil: unary; a 1-element shape: a scalar).
    var ifm2: FeatureMapShape?
    var ofm: FeatureMapShape
    var ifmFormat: FeatureMapFormat
    var ofmFormat: FeatureMapFormat
    var kernelHeight = 1, kernelWidth = 1
    var strideHeight = 1, strideWidth = 1
    var dilationHeight = 1, dilationWidth = 1
    /// Bytes of one bias (0: the pass has no bias / scale tensor).
    var biasBytes = 0
    /// Int8 weights of the pass.
    var weightCount = 0

    /// Whether Vela DMAs the pass's weights into the arena SRAM before use: convolutions and
    /// depthwise convolutions when the weights live in another memory (Vela
    /// `Scheduler.propose_weight_buffering`: fully connected weights are read in place), or, in the
    /// default core, whichever passes its staging test chose (``weightStaging``).
    var buffersWeights: Bool {
        guard weightCount > 0 else { return false }
        switch weightStaging {
        case .inPlace?: return false
        case .staged?: return true
        case nil: return blockType == .convolution || blockType == .depthwise
        }
    }
    /// Whether Vela's default core DMAs this pass's weights into the arena, and what moves
    /// (``EthosUWeightBuffering/regorStaging(_:config:slack:startsChain:)``), as the family's plan
    /// decided; nil: the Python core's rule by block type.
    var weightStaging: EthosUWeightStaging?

    /// The weight values (nil: a pass whose weights Kiln synthesises, such as a mean's unit
    /// kernel; it counts them at their int8 size).
    var weights: EthosUWeights?
    /// The first output channel of ``weights`` this pass computes (a depth slice starts later).
    var firstChannel = 0

    /// The bytes Vela's encoded weight stream of this pass takes under `config`: Vela's 10-byte
    /// scale and bias record per output channel (`weight_compressor.encode_bias`: 40-bit bias,
    /// 32-bit scale, 6-bit shift), padded to 16 bytes, then the compressed weights
    /// (``EthosUWeights``); without weight values, the int8 weights uncompressed.
    func encodedWeightBytes(config: EthosUBlockConfig, section: EthosUSection) -> Int {
        guard let weights else { return roundUp(weightCount + (biasBytes > 0 ? 10 * ofm.depth : 0), 16) }
        let partKernel = blockType == .convolution && config.isPartKernel
        return weights.encodedBytes(channels: firstChannel..<firstChannel + ofm.depth, ofmBlockDepth: config.ofmBlock.depth,
                                    partKernel: partKernel, section: section, dilationHeight: dilationHeight, dilationWidth: dilationWidth)
    }

    /// The dilated kernel height (Vela `Kernel.area_height`).
    var kernelAreaHeight: Int { (kernelHeight - 1) * dilationHeight + 1 }
    /// The dilated kernel width.
    var kernelAreaWidth: Int { (kernelWidth - 1) * dilationWidth + 1 }
    /// Kernel elements (height × width).
    var kernelElements: Int { kernelHeight * kernelWidth }

    /// MACs (Vela `measure_cycle_cost`: kernel area × output elements, × input depth unless depthwise or pooling).
    var multiplyAccumulates: Int {
        switch blockType {
        case .convolution, .vectorProduct: kernelElements * ifm.depth * ofm.elements
        case .depthwise: kernelElements * ofm.elements
        case .pooling, .elementwise: 0
        }
    }
}

/// How Vela's default core feeds a pass its weights.
enum EthosUWeightStaging: Sendable, Hashable {
    /// Read in place from the constants memory.
    case inPlace
    /// DMA'd into the arena in depth slices (while the staging is being decided, only the fact
    /// matters and the traffic is left empty).
    case staged(EthosUStagedWeights)
}

/// The streams of staged weights, which the default core's memory estimate charges
/// (`EthosU55Performance::MeasureAccessCycles` with a `weightStagingMemory`): the weights not
/// prebuffered cross both ports once, the arena serves the weights once per OFM block in width
/// and height, and the scale records are fetched from the constants memory as often.
struct EthosUStagedWeights: Sendable, Hashable {
    /// Encoded weight bytes without the scale records, summed over the depth slices (regor
    /// `totalWeightBytes`: each slice's `weightInfo.encodedSize`).
    var weightBytes = 0
    /// Bytes of scale records (each core's padded to 16 bytes) over the slices: the stream's
    /// allocation less ``weightBytes`` (`InitPerfQuery`'s `encodedScaleSize`).
    var scaleBytes = 0
    /// Bytes of the first slice, DMA'd while the previous pass ran (0: not prebuffered;
    /// `firstWeightDMASize` = `rangeSizes.front()` when `preBuffer`).
    var prebufferedBytes = 0

    /// The bytes of the slices' streams as the constants memory stores them (regor
    /// `EncodeWeightAndScaleTensor` encodes each depth slice on its own, padded to 16 bytes).
    var storedBytes: Int { weightBytes + scaleBytes }
}

extension EthosUPass {
    /// The bytes of this pass's scale and bias records in its encoded stream: per core (channels
    /// dealt out as ``EthosUWeights/coreWeights(_:core:cores:)`` deals them) 10 bytes a channel,
    /// padded to 16 (regor `EncodeWeightAndScaleTensor`); 0 without weight values or scales.
    func encodedScaleBytes(section: EthosUSection) -> Int {
        guard let weights, weights.hasScales else { return 0 }
        return Self.scaleRecordBytes(depth: ofm.depth, cores: section.cores.value)
    }

    /// The bytes of the scale and bias records of `depth` output channels dealt out over `cores`
    /// cores: per core 10 bytes a channel, padded to 16 (regor `EncodeWeightAndScaleTensor`).
    static func scaleRecordBytes(depth: Int, cores: Int) -> Int {
        guard depth > 0 else { return 0 }
        let used = max(min(cores, depth), 1)
        return (0..<used).reduce(0) { $0 + roundUp(10 * ((depth + used - 1 - $1) / used), 16) }
    }
}
