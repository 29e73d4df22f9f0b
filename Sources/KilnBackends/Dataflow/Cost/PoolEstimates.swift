/// FINN's cycle estimate for the pooling engine behind a depthwise sliding window (`Pool_hls`,
/// finn-plus 1.6.1 `pool.py`): `(C · kH·kW / PE) · output pixels · batch`. FINN gives it no
/// resource estimate.
struct PoolEstimate: Sendable, Hashable {
    /// Channels C, PE (divides C), window elements, output pixels, batch.
    public var channels: Int, processingElements: Int, windowElements: Int, outputPixels: Int, batch: Int

    /// Creates an estimate.
    public init(channels: Int, processingElements: Int, windowElements: Int, outputPixels: Int, batch: Int = 1) {
        self.channels = channels; self.processingElements = processingElements; self.windowElements = windowElements
        self.outputPixels = outputPixels; self.batch = batch
    }

    /// `(C·k/PE) · pixels · batch`.
    public var cycles: Int { channels * windowElements / processingElements * outputPixels * batch }
}

/// FINN's cycle estimate for the global accumulating pool (`GlobalAccPool_hls`, finn-plus 1.6.1
/// `globalaccpool.py`): `vectors · C/PE + C/PE` (the stream in, then one output per fold). FINN
/// gives it no resource estimate.
struct GlobalAccumulatingPoolEstimate: Sendable, Hashable {
    /// Channels C, PE (divides C), input vectors (pixels × batch).
    public var channels: Int, processingElements: Int, vectors: Int

    /// Creates an estimate.
    public init(channels: Int, processingElements: Int, vectors: Int) {
        self.channels = channels; self.processingElements = processingElements; self.vectors = vectors
    }

    /// `vectors · C/PE + C/PE`.
    public var cycles: Int { vectors * (channels / processingElements) + channels / processingElements }
}
