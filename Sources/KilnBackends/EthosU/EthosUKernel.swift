import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnTargets

/// One NPU operation: a node (with the ReLU-like clamp Vela fuses into its output stage) run as
/// one or more NPU passes. Its arithmetic is TFLite's reference kernels', which the NPU
/// reproduces for these int8 operators (see docs/numerics.md, "Ethos-U"); its cost is Vela's
/// estimate of each pass, computed once at lowering, with the weight transfers the family's
/// ``EthosUPlan`` charges.
struct EthosUKernel: MatchingKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    /// The graph types of every value the nodes read or write.
    let types: [String: TensorType]
    /// The NPU passes, in order.
    let passes: [EthosUPass]
    /// Vela's estimate of each pass.
    let estimates: [EthosUPassEstimate]
    /// The arena and constants memory levels (for the byte counts).
    let arenaMemory: String, constantMemory: String
    /// A convolution's or fully connected layer's weights at the size of Vela's encoded stream
    /// (compressed weights and 10-byte scale records, ``EthosUPass/encodedWeightBytes(config:section:)``;
    /// one stream per depth slice where the default core stages them in slices; with the records
    /// of Vela's zero bias for a layer without one, ``zeroBiasRecordBytes(_:cores:)``), its bias
    /// at 0 bytes (in the stream's records), any other constant operand at its tensor's size, as Vela
    /// stores them in flash or DRAM, each rounded up to ``readOnlyAlignment``.
    let storedConstantBytes: [String: Int]
    /// The constants Vela adds for the passes it lowers the node to (a MEAN's unit kernel and
    /// multiplier, a softmax's tables and scalars, an activation's table, PAD's padding values:
    /// ``EthosUPassMapping/addedConstants(for:in:weightStreamBytes:)``), at
    /// their stored size rounded up to ``readOnlyAlignment``.
    let addedConstantBytes: [String: Int]
    /// The output's arena bytes where the NPU stores it in 16-channel bricks (NHCWB16): depth
    /// rounded up to 16, as Vela sizes such a tensor (`storage_rounding_quantums`, NHCWB16
    /// (1, 1, 1, 16), `architecture_features.py`; `Tensor.storage_size`).
    let storedOutputBytes: [String: Int]
    /// The weight buffers its passes DMA weights into, as Vela allocates them beside the feature
    /// maps (the pass with the most bytes': passes run one after another).
    let workingBuffers: [WorkingBuffer]

    init(nodeAt index: Int, in context: LoweringContext) throws(LoweringRejection) {
        guard let section = context.target.section(EthosUSection.self) else { throw LoweringRejection("the target has no ethosU section") }
        let graph = context.graph
        let root = graph.nodes[index]
        var covered = [root]
        var activation = EthosUActivation.none
        if [.conv2d, .dense, .maxPool, .averagePool, .globalAveragePool, .add, .sub, .mul].contains(root.kind),
           let next = context.fusibleFollower(of: index, accepts: { [.relu, .clip].contains($0.kind) }) {
            covered.append(graph.nodes[next])
            activation = .clamp
        }
        // A network input (up to views and layout transposes, which move nothing) stays NHWC.
        var source = root.inputs[0]
        while let writer = context.uses.writers[source], Self.passThrough.contains(graph.nodes[writer].kind) { source = graph.nodes[writer].inputs[0] }
        let readsNetworkInput = graph.inputs.contains(source)
        let ifmFormat: FeatureMapFormat = readsNetworkInput ? .nhwc : .brick16
        // A network output (up to the same views and transposes, when they are its only reader) is written NHWC.
        var sink = covered.last!.outputs[0]
        while let readers = context.uses.readers[sink], readers.count == 1, Self.passThrough.contains(graph.nodes[readers[0]].kind) {
            sink = graph.nodes[readers[0]].outputs[0]
        }
        let ofmFormat: FeatureMapFormat = graph.outputs.contains(sink) ? .nhwc : .brick16
        var mapped = try EthosUPassMapping.passes(for: root, in: graph, activation: activation, ifmFormat: ifmFormat, ofmFormat: ofmFormat,
                                             foldsStridedConvolution: readsNetworkInput && section.core == .python)
        guard let arena = context.target.memory.first(where: { $0.name == section.arena.memory }),
              let constants = context.target.memory.first(where: { $0.name == section.constants.memory }) else {
            throw LoweringRejection("the ethosU ports name memory levels the target does not declare")
        }
        let model = EthosUPerformance(section: section, arenaBytesPerCycle: arena.readBytesPerCycle.value,
                                      constantBytesPerCycle: constants.readBytesPerCycle.value)
        let charges = context.plan(as: EthosUPlan.self)?.charges[root.name].flatMap { $0.count == mapped.count ? $0 : nil }
        if let charged = charges {
            for index in mapped.indices { mapped[index].weightStaging = charged[index].weightStaging }
            var estimates = mapped.map(model.estimate)
            for index in estimates.indices { estimates[index].npuCycles = charged[index].cycles }
            self.estimates = estimates
            workingBuffers = charged.map(\.buffers).max { $0.reduce(0) { $0 + $1.bytes } < $1.reduce(0) { $0 + $1.bytes } } ?? []
        } else {
            estimates = mapped.map(model.estimate)
            workingBuffers = []
        }
        passes = mapped
        if let failed = zip(passes, estimates).first(where: { $0.1.blockConfig == nil }) {
            throw LoweringRejection("no OFM block of \(failed.0.blockType.rawValue) fits the \(section.shramBanks.value) KiB SHRAM")
        }
        // Each pass's weight streams: the staged slices' when the default core stages them.
        var streamBytes: [Int] = []
        for (index, (pass, estimate)) in zip(passes, estimates).enumerated() {
            streamBytes.append((charges?[index].storedWeightBytes
                                ?? estimate.blockConfig.map { pass.encodedWeightBytes(config: $0, section: section) } ?? 0)
                               + Self.zeroBiasRecordBytes(pass, cores: section.cores.value))
        }
        var stored: [String: Int] = [:]
        if [.conv2d, .dense].contains(root.kind), let weights = root.input(1), graph.constants[weights] != nil,
           passes.allSatisfy({ $0.weights != nil }) {
            stored[weights] = roundUp(streamBytes.reduce(0, +), Self.readOnlyAlignment)
            if let bias = root.input(2), graph.constants[bias] != nil { stored[bias] = 0 }
        }
        // Any other constant operand (an elementwise operation's): its tensor, aligned.
        for name in root.inputs where stored[name] == nil {
            guard let constant = graph.constants[name], let count = Shape.elementCount(constant.shape),
                  count <= Int.max / 64 else { continue }
            stored[name] = roundUp((count * constant.type.elementType.bitWidth + 7) / 8, Self.readOnlyAlignment)
        }
        storedConstantBytes = stored
        addedConstantBytes = EthosUPassMapping.addedConstants(for: root, in: graph, weightStreamBytes: streamBytes)
            .mapValues { roundUp($0, Self.readOnlyAlignment) }
        let output = covered.last!.outputs[0]
        if ofmFormat == .brick16, let type = graph.types[output], type.shape.count == 4, type.elementType.bitWidth == 8 {
            let padded = [type.shape[0], (type.shape[1] + 15) / 16 * 16, type.shape[2], type.shape[3]]
            storedOutputBytes = Shape.elementCount(padded).map { [output: $0] } ?? [:]
        } else {
            storedOutputBytes = [:]
        }
        nodes = covered
        inputs = root.inputs.filter { !$0.isEmpty }
        soleUseInputs = inputs.filter { context.uses.soleReader(of: $0) == index }
        outputs = covered.last!.outputs
        var types: [String: TensorType] = [:]
        for node in covered { for name in node.inputs + node.outputs where !name.isEmpty { types[name] = graph.types[name] } }
        self.types = types
        arenaMemory = arena.name
        constantMemory = constants.name
    }

    /// The inputs only this kernel reads (Vela's `CanReuseIFMTensors`: one consumer).
    private let soleUseInputs: [String]

    /// A single elementwise pass writes its output over the first input of the same size that
    /// only it reads, as Vela's live ranges merge an elementwise operator's OFM with such an IFM
    /// (`LiveRangeGraph::ReusableIFM`: an IFM with one consumer, the OFM's storage shape and format;
    /// `--verbose-allocation` shows ResNet-8's first ADD output in the range of its second input,
    /// the first being read by a convolution too).
    var outputBufferReuse: OutputBufferReuse? {
        guard passes.count == 1, passes[0].blockType == .elementwise, !soleUseInputs.isEmpty else { return nil }
        return .inPlace(over: soleUseInputs)
    }

    /// The scale records a layer without a bias stores all the same: Vela gives it a bias of zeros
    /// (`fixup_bias_tensors`; regor alike), so each core's stream starts with a record per channel
    /// (10 bytes, padded to 16) that the pass's own weights leave out (its cost follows the layer
    /// as the graph has it). A staged layer stores such records per depth slice; this counts them
    /// once per core (no fixture has a staged layer without a bias).
    static func zeroBiasRecordBytes(_ pass: EthosUPass, cores: Int) -> Int {
        guard let weights = pass.weights, !weights.hasScales else { return 0 }
        return EthosUPass.scaleRecordBytes(depth: pass.ofm.depth, cores: cores)
    }

    /// The alignment of every constant in Vela's read-only area (the default core's
    /// `IncrementalLinearAllocator` rounds each size up to `NPUTensorAlignment`, 16 bytes).
    static let readOnlyAlignment = 16

    /// Operators that only reinterpret or re-lay out a tensor (no NPU pass of their own).
    static let passThrough = OperatorKind.views.union([.transpose])

    /// `ethos-u.<op>` (`+clamp` when an activation is fused).
    var name: String { "ethos-u.\(nodes[0].kind.rawValue)" + (nodes.count > 1 ? "+\(nodes[1].kind.rawValue)" : "") }

    /// Runs the covered nodes with the reference kernels (the NPU's int8 arithmetic is TFLite's).
    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        var values = Dictionary(uniqueKeysWithValues: zip(inputs, operands))
        for node in nodes {
            let arguments = node.inputs.map { $0.isEmpty ? nil : values[$0] }
            let results = try ReferenceInterpreter.execute(node, operands: arguments, outputTypes: node.outputs.map { types[$0]! })
            for (name, tensor) in zip(node.outputs, results) { values[name] = tensor }
        }
        return outputs.map { values[$0]! }
    }

    /// MACs (int8 × int8), feature-map bytes on the arena and weight bytes from the constants memory, as Vela counts them.
    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let macs = passes.reduce(0) { $0 + $1.multiplyAccumulates }
        if macs > 0 { counts.multiplyAccumulates[MultiplyAccumulateKind(.int8, .int8)] = macs }
        counts.aluOperations = passes.filter { $0.blockType == .elementwise || $0.blockType == .pooling }.reduce(0) { $0 + $1.ofm.elements }
        counts.bytesRead[arenaMemory, default: 0] += estimates.reduce(0) { $0 + $1.arenaBytesRead }
        counts.bytesWritten[arenaMemory, default: 0] += estimates.reduce(0) { $0 + $1.arenaBytesWritten }
        counts.bytesRead[constantMemory, default: 0] += estimates.reduce(0) { $0 + $1.constantBytesRead }
        return counts
    }

    /// One line per pass: block type, shapes, block configuration and Vela's cycle split.
    func listing() -> [String] {
        zip(passes, estimates).map { pass, estimate in
            let block = estimate.blockConfig.map { "OFM block \($0.ofmBlock.height)×\($0.ofmBlock.width)×\($0.ofmBlock.depth)\($0.isPartKernel ? " part-kernel" : "")" } ?? ""
            return "\(pass.blockType.rawValue) \(pass.ifm.height)×\(pass.ifm.width)×\(pass.ifm.depth) → \(pass.ofm.height)×\(pass.ofm.width)×\(pass.ofm.depth) "
                + "k\(pass.kernelHeight)×\(pass.kernelWidth) \(block): NPU \(Int(estimate.npuCycles)), arena \(Int(estimate.arenaAccessCycles)), "
                + "constants \(Int(estimate.constantAccessCycles)) cycles"
        }
    }
}
