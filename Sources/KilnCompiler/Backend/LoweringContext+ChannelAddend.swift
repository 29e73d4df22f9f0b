import KilnIR

extension LoweringContext {
    /// The per-channel values of an `add` that adds a constant to a plain int32 value (no
    /// quantization on either side), broadcast along `channelAxis` only: the `−T_c` of a
    /// quantizer's threshold form `accumulator → add(−T_c) → sign`, which a kernel may fold into
    /// its accumulator or its thresholds. Nil when `node` is not such an add.
    ///
    /// The reference's int32 add wraps to 32 bits; a kernel that folds the values must do the same
    /// (or show the sum cannot wrap).
    ///
    /// - Parameters:
    ///   - node: the candidate `add`.
    ///   - channels: the number of channels on `channelAxis`.
    ///   - channelAxis: the axis of the add's output the values run along.
    /// - Returns: `channels` values (a scalar constant repeated), or nil.
    public func channelAddend(of node: Node, channels: Int, channelAxis: Int) -> [Int32]? {
        guard node.kind == .add, node.inputs.count == 2, let constant = graph.constants[node.inputs[1]],
              let codes = constant.codes, constant.type.elementType == .int32, constant.type.quantization == nil,
              let input = graph.types[node.inputs[0]], let output = graph.types[node.outputs[0]],
              input.elementType == .int32, input.quantization == nil, output == input else { return nil }
        let rank = output.shape.count
        guard constant.shape.count <= rank, channelAxis >= 0, channelAxis < rank else { return nil }
        let aligned = [Int](repeating: 1, count: rank - constant.shape.count) + constant.shape
        for (axis, size) in aligned.enumerated() where size != 1 && !(axis == channelAxis && size == channels) { return nil }
        if aligned[channelAxis] == channels, codes.count == channels { return codes }
        guard codes.count == 1 else { return nil }
        return [Int32](repeating: codes[0], count: channels)
    }
}
