extension SMLADMultiplyAccumulateKernel: DSPScheduledKernel {
    /// The emitted loops, as the listing shows them:
    ///
    /// * `im2col` (per column, i.e. per output position and group): per 4 q7 taps `ldr`,
    ///   `sxtb16` ×2, `pkhbt` ×2 (convolution only), `str` ×2; per 2 q15 taps `ldr`, `str`;
    /// * `mac` (per output): per 4 taps the weight `ldr` (×2 for q15 weights) and `sxtb16` ×2 (q7
    ///   weights), the column `ldr` ×2, `smlad` ×2;
    /// * `channel` (per output): bias `ldr` and rounding `add`, a tail pair (`ldr` ×2, `smlad`), a
    ///   tail single (`ldrsb`/`ldrsh`, `ldrsh`, `smlabb`), `asr`, `ssat`/`usat` (+ `cmp`/`mov` ×2
    ///   for a clip), the store;
    /// * `column` (per column): the loop over output positions and groups.
    ///
    /// Every loop ends in `subs`/`bne` unless the target has zero-overhead loops.
    func loops() -> [DSPLoop] {
        let weights = memory.weightLevel, activations = memory.activationLevel
        let columns = positions * groups, outputs = positions * outputChannels
        let quads = depth / 4, tail = depth % 4
        let inputBytes = (inputElement.bitWidth + 7) / 8, weightBytes = (weightElement.bitWidth + 7) / 8
        let outputBytes = (outputType.elementType.bitWidth + 7) / 8
        let control = !zeroOverheadLoops
        typealias I = DSPInstruction

        let fill: DSPLoop
        if inputBytes == 1 {
            var body = [I("ldr", activations), I("sxtb16"), I("sxtb16")]
            if case .convolution = layout { body += [I("pkhbt"), I("pkhbt")] }
            body += [I("str", activations), I("str", activations)]
            fill = DSPLoop(name: "im2col", body: body, iterations: (depth + 3) / 4, entries: columns, loopControl: control)
        } else {
            fill = DSPLoop(name: "im2col", body: [I("ldr", activations), I("str", activations)],
                           iterations: (depth + 1) / 2, entries: columns, loopControl: control)
        }

        var mac = weightBytes == 1 ? [I("ldr", weights), I("sxtb16"), I("sxtb16")] : [I("ldr", weights), I("ldr", weights)]
        mac += [I("ldr", activations), I("ldr", activations), I("smlad"), I("smlad")]

        let shifts = requantizers.contains { $0.shift > 0 }
        let clamps = !fusedRelu && (Int64(lowerBound) > outputType.elementType.minimumCode || Int64(upperBound) < outputType.elementType.maximumCode)
        var channel: [I] = []
        if hasBias { channel.append(I("ldr", weights)) }
        if shifts { channel.append(I("add")) }
        if tail >= 2 { channel += [I("ldr", weights), I("ldr", activations), I("smlad")] }
        if tail % 2 == 1 { channel += [I(weightBytes == 1 ? "ldrsb" : "ldrsh", weights), I("ldrsh", activations), I("smlabb")] }
        if shifts { channel.append(I("asr")) }
        channel.append(I(fusedRelu ? "usat" : "ssat"))
        if clamps { channel += [I("cmp"), I("mov"), I("cmp"), I("mov")] }
        channel.append(I(outputBytes == 1 ? "strb" : "strh", activations))

        return [
            fill,
            DSPLoop(name: "mac", body: mac, iterations: quads, entries: outputs, loopControl: control),
            DSPLoop(name: "channel", body: channel, iterations: outputsPerGroup, entries: columns, loopControl: control),
            DSPLoop(name: "column", body: [], iterations: columns, entries: 1, loopControl: control),
        ]
    }
}
