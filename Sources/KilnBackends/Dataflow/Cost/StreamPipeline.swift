/// A chain of streaming engines joined by FIFOs of finite or unbounded depth, simulated cycle by
/// cycle to find its steady-state interval and its first inference's latency.
///
/// Every FINN / finn-hlslib engine is one `#pragma HLS PIPELINE II=1` loop whose iterations do a
/// blocking read of at most one input word and a blocking write of at most one output word; an
/// iteration whose read finds its FIFO empty, or whose write finds it full, stalls the loop.
/// ``StreamEngine`` holds where in its loop an engine reads and writes (for the matrix–vector unit:
/// its SIMD-wide input words only in the first output fold of each vector, one PE-wide output word
/// at the end of every fold — finn-hlslib `mvau.hpp`, `Matrix_Vector_Activate_Batch`).
///
/// Rules of the simulation (one clock cycle per step):
/// * each engine runs at most one iteration per cycle, if its read (if any) finds a word written
///   in an earlier cycle and its write (if any) finds a free slot at the start of the cycle: a
///   depth-2 FIFO sustains one word per cycle, a depth-1 FIFO one word every two cycles (why FINN
///   and Vivado HLS make 2 the smallest stream depth, UG1399 "HLS Stream Library");
/// * the first engine's source always has a word (the input stream is prefetched from memory into
///   a deep FIFO, as BNN-PYNQ's `Mem2Stream` into its 1,024-deep `memInStrm`) and the last
///   engine's sink always has space;
/// * an iteration's read and write happen in the same cycle (the loop's pipeline depth is not
///   modelled: it adds a few cycles to the latency, and with shallow FIFOs it lengthens every
///   stall handshake, so a stalling chain runs somewhat slower in hardware than here).
///
/// With every FIFO unbounded the interval is exactly the slowest engine's iterations per inference
/// (FINN's `max(get_exp_cycles)`); finite FIFOs can stall an engine that is not the slowest and
/// make the interval longer.
struct StreamPipeline: Sendable {
    /// The engines in stream order.
    let engines: [StreamEngine]
    /// The depth of the FIFO in front of engine `k + 1` (between engine `k` and `k + 1`), in words;
    /// nil for a FIFO deep enough never to fill.
    let depths: [Int?]

    /// Creates a pipeline; `depths` has one entry fewer than `engines`, and every engine runs at
    /// least one iteration per inference.
    init(engines: [StreamEngine], depths: [Int?]) {
        precondition(depths.count == max(engines.count - 1, 0), "one FIFO between each pair of engines")
        self.engines = engines
        self.depths = depths
    }

    /// The simulated timing.
    struct Timing: Sendable, Hashable {
        /// Steady-state cycles between two inferences leaving the last engine.
        var intervalCycles: Double
        /// Cycles from the start until the last engine finishes the first inference.
        var firstLatencyCycles: Int
    }

    /// Runs `inferences` inferences back to back (at least 2) and measures the steady-state interval
    /// over the second half of them: `(c[n−1] − c[h−1]) / (n − h)` with `h = ⌈n/2⌉`, `c[i]` the cycle
    /// the last engine finishes inference `i`. Nil when the engines' word counts disagree so that
    /// the chain cannot advance (a consumer waiting for words its producer never writes).
    func simulate(inferences: Int = 8) -> Timing? {
        let count = max(inferences, 2)
        let last = max(engines.count - 1, 0)
        guard !engines.isEmpty, engines.allSatisfy({ $0.iterations > 0 }) else { return nil }
        var occupancy = [Int](repeating: 0, count: last)
        var done = [Int](repeating: 0, count: engines.count)
        let totals = engines.map { $0.iterations * count }
        var finished: [Int] = []
        var cycle = 0
        var change = [Int](repeating: 0, count: last)
        while done[last] < totals[last] {
            for k in change.indices { change[k] = 0 }
            var progressed = false
            for (k, engine) in engines.enumerated() where done[k] < totals[k] {
                let step = done[k] % engine.iterations
                let reads = k > 0 && engine.read.transfers(at: step, of: engine.iterations)
                let writes = k < last && engine.write.transfers(at: step, of: engine.iterations)
                if reads && occupancy[k - 1] == 0 { continue }
                if writes, let limit = depths[k], occupancy[k] >= limit { continue }
                if reads { change[k - 1] -= 1 }
                if writes { change[k] += 1 }
                done[k] += 1
                progressed = true
            }
            guard progressed else { return nil }
            for k in change.indices { occupancy[k] += change[k] }
            cycle += 1
            if done[last] % engines[last].iterations == 0 && done[last] / engines[last].iterations > finished.count {
                finished.append(cycle)
            }
        }
        let half = (count + 1) / 2
        let interval = Double(finished[count - 1] - finished[half - 1]) / Double(count - half)
        return Timing(intervalCycles: interval, firstLatencyCycles: finished[0])
    }
}

/// One engine's II=1 loop per inference: how many iterations it runs and in which it reads an
/// input word or writes an output word.
struct StreamEngine: Sendable, Hashable {
    /// Where in an engine's loop one stream transfers a word.
    enum Pattern: Sendable, Hashable {
        /// One word in each of the first `span` iterations of every `period` (the matrix–vector
        /// unit's input: `span` = SF, `period` = NF·SF; every iteration when both are 1).
        case leading(span: Int, period: Int)
        /// One word in the last iteration of every `period` (the matrix–vector unit's output:
        /// `period` = SF).
        case trailing(period: Int)
        /// `words` words spread evenly over the loop (iteration `i` transfers when
        /// `⌊(i+1)·words/n⌋ > ⌊i·words/n⌋`): the rate of an engine whose exact order Kiln does not
        /// model (sliding windows, global pooling).
        case spread(words: Int)

        /// Whether iteration `step` of an `iterations`-long loop transfers a word.
        func transfers(at step: Int, of iterations: Int) -> Bool {
            switch self {
            case .leading(let span, let period): return step % period < span
            case .trailing(let period): return step % period == period - 1
            case .spread(let words): return (step + 1) * words / iterations > step * words / iterations
            }
        }

        /// The words an `iterations`-long loop transfers.
        func words(over iterations: Int) -> Int {
            switch self {
            case .leading(let span, let period): return iterations / period * span + min(iterations % period, span)
            case .trailing(let period): return iterations / period
            case .spread(let words): return words
            }
        }
    }

    /// The engine's name (`mvau`, `swg`, `dwc`, ...).
    let name: String
    /// Loop iterations per inference.
    let iterations: Int
    /// Where it reads its input words.
    let read: Pattern
    /// Where it writes its output words.
    let write: Pattern

    /// Input words per inference.
    var inputWords: Int { read.words(over: iterations) }
    /// Output words per inference.
    var outputWords: Int { write.words(over: iterations) }

    /// finn-hlslib's `StreamingDataWidthConverter_Batch` between a producer writing `input` words
    /// and a consumer reading `output` words per inference: wide to narrow reads one word and writes
    /// one word per iteration for `input·r` iterations (`r = output/input`); narrow to wide reads
    /// every iteration and writes every `r`-th; widths that are not multiples spread both over
    /// `max(input, output)` iterations (FINN's generic converter, whose order Kiln does not model).
    static func widthConverter(input: Int, output: Int) -> StreamEngine {
        if output % input == 0 {
            return StreamEngine(name: "dwc", iterations: output, read: .leading(span: 1, period: output / input), write: .trailing(period: 1))
        }
        if input % output == 0 {
            return StreamEngine(name: "dwc", iterations: input, read: .leading(span: 1, period: 1), write: .trailing(period: input / output))
        }
        let iterations = max(input, output)
        return StreamEngine(name: "dwc", iterations: iterations, read: .spread(words: input), write: .spread(words: output))
    }
}
