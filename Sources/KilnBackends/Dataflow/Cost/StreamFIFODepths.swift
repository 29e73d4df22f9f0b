/// The depths, in stream words, of the FIFOs at one engine's input and output as a folding file
/// gives them (FINN's `inFIFODepths` / `outFIFODepths` node attributes); nil where the file gives
/// none.
///
/// The FIFO between two engines is as deep as the larger depth either side gives (FINN's
/// `InsertFIFO`: `max(outFIFODepths of the producer, inFIFODepths of the consumer)`); when the
/// streams differ in width, the producer's output depth is the FIFO before the width converter and
/// the consumer's input depth the one after it. A FIFO neither side sizes is deep enough never to
/// fill — what FINN's FIFO sizing (`set_fifo_depths`) builds, and what FINN's cycle estimate
/// `max(get_exp_cycles)` assumes.
struct StreamFIFODepths: Sendable, Hashable {
    /// The FIFO in front of the engine, in words of its input stream.
    var input: Int?
    /// The FIFO after the engine, in words of its output stream.
    var output: Int?

    /// Creates the depths.
    init(input: Int? = nil, output: Int? = nil) {
        self.input = input
        self.output = output
    }
}
