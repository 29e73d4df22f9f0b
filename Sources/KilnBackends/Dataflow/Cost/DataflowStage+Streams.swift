extension DataflowStage {
    /// The stage's engines as loops of stream transfers (``StreamEngine``) under a folding, each
    /// with as many iterations per inference as its FINN cycle estimate (``engines(_:)``):
    /// * matrix–vector unit (finn-hlslib `Matrix_Vector_Activate_Batch`): `NF·SF` iterations per
    ///   vector, one `SIMD`-wide input word in each of the first `SF` (the first output fold, then
    ///   kept in its input buffer), one `PE`-wide output word at the end of each of the `NF` folds;
    /// * vector–vector unit (`Vector_Vector_Activate_Batch`): an input word every iteration, an
    ///   output word at the end of each `kH·kW/SIMD` iterations;
    /// * thresholding, adding streams: one word in and one out per iteration;
    /// * pooling after its window (`Pool_batch`): a window word per iteration, an output word per
    ///   `kH·kW` iterations;
    /// * sliding-window generators and global pooling: their input and output words spread evenly
    ///   over their cycles (their exact order is not modelled), the generator reading the unpadded
    ///   image (FMPadding is not modelled).
    func streamEngines(_ folding: DataflowFolding) -> [StreamEngine] {
        let pe = folding.processingElements, simd = folding.simdLanes
        let cycles = engines(folding).map(\.cycles)
        switch shape {
        case .matrix(let w, let o, _, _, _, _, let depthwise, let dense):
            let pixels = w.batch * w.outputPixels
            let matrix: StreamEngine
            if depthwise {
                let fold = w.kernelHeight * w.kernelWidth / simd
                matrix = StreamEngine(name: "vvau", iterations: cycles[1], read: .leading(span: 1, period: 1), write: .trailing(period: fold))
            } else {
                let sf = w.windowLength / simd, nf = o / pe
                matrix = StreamEngine(name: "mvau", iterations: nf * sf * pixels, read: .leading(span: sf, period: nf * sf), write: .trailing(period: sf))
            }
            if dense { return [matrix] }
            let lanes = windowSimd(folding)
            let window = StreamEngine(name: "swg", iterations: max(cycles[0], matrix.inputWords),
                                      read: .spread(words: w.batch * w.height * w.width * (w.channels / lanes)),
                                      write: .spread(words: matrix.inputWords))
            return [window, matrix]
        case .thresholding(let c, let vectors, _, _):
            return [StreamEngine(name: "thresholding", iterations: vectors * c / pe, read: .leading(span: 1, period: 1), write: .trailing(period: 1))]
        case .maxPool(let w, _):
            let k = w.kernelHeight * w.kernelWidth
            let pool = StreamEngine(name: "pool", iterations: cycles[1], read: .leading(span: 1, period: 1), write: .trailing(period: k))
            let window = StreamEngine(name: "swg", iterations: max(cycles[0], pool.inputWords),
                                      read: .spread(words: w.batch * w.height * w.width * (w.channels / pe)), write: .spread(words: pool.inputWords))
            return [window, pool]
        case .globalPool(let c, let pixels, let batch, _):
            let words = batch * c / pe
            return [StreamEngine(name: "global-accumulating-pool", iterations: cycles[0], read: .spread(words: pixels * words), write: .spread(words: words)),
                    StreamEngine(name: "thresholding", iterations: words, read: .leading(span: 1, period: 1), write: .trailing(period: 1))]
        case .addStreams(let elements, _):
            return [StreamEngine(name: "add-streams", iterations: elements / pe, read: .leading(span: 1, period: 1), write: .trailing(period: 1))]
        case .none:
            return []
        }
    }
}

extension DataflowFoldingPlan {
    /// The design as one chain of engines in program order with its FIFOs (``StreamPipeline``),
    /// for a plan's entries, or nil when no stage has a FIFO depth from a folding file (every FIFO deep enough, where the
    /// interval is the slowest engine's cycles without simulating).
    ///
    /// FIFOs inside a stage (a sliding window into its matrix engine) are deep enough. Between two
    /// stages whose words per inference differ, a width converter (``StreamEngine/widthConverter(input:output:)``)
    /// sits between the producer's output FIFO and the consumer's input FIFO; otherwise one FIFO as
    /// deep as the larger of the two depths (``StreamFIFODepths``). A design that branches (adding
    /// streams) is simulated as the chain of its stages in program order, with one input stream
    /// per engine. Nil also when an engine would transfer no words (the chain cannot be simulated).
    static func streamPipeline(of entries: [Entry]) -> StreamPipeline? {
        guard entries.contains(where: { $0.fifos != StreamFIFODepths() }) else { return nil }
        var engines: [StreamEngine] = []
        var depths: [Int?] = []
        var previous: StreamFIFODepths?
        for entry in entries {
            let stage = entry.stage.streamEngines(entry.folding)
            guard let first = stage.first else { continue }
            guard stage.allSatisfy({ $0.iterations > 0 && $0.inputWords > 0 && $0.outputWords > 0 }) else { return nil }
            if let producer = engines.last, let out = previous {
                if producer.outputWords == first.inputWords {
                    depths.append([out.output, entry.fifos.input].compactMap { $0 }.max())
                } else {
                    engines.append(.widthConverter(input: producer.outputWords, output: first.inputWords))
                    depths.append(out.output)
                    depths.append(entry.fifos.input)
                }
            }
            depths += Array(repeating: nil, count: stage.count - 1)
            engines += stage
            previous = entry.fifos
        }
        return StreamPipeline(engines: engines, depths: depths)
    }
}
