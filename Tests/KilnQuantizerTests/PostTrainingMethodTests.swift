import Testing
import KilnIR
import KilnInterpreter
import KilnNumerics
@testable import KilnQuantizer

/// Post-training methods on the shipped digits models against plain min-max quantization,
/// measured with the reference interpreter on the 540-image test split.
@Suite struct PostTrainingMethodTests {
    /// Per-tensor int8 on the depthwise-separable CNN: with cross-layer equalization (dw → relu → pw)
    /// top-1 stays within one point (5 of 540 images) of float. The shipped model's depthwise
    /// ranges are mild, so plain per-tensor int8 loses nothing either (529 vs float 528); at 4-bit
    /// per-tensor weights equalization raises the SQNR of the pair's output (pw, 13.6 → 15.7 dB;
    /// dw itself stays at 18.7–18.9 dB).
    @Test func crossLayerEqualizationOnTheDepthwiseCNN() throws {
        var options = QuantizationOptions(perChannelWeights: false)
        options.crossLayerEqualization = true
        let equalized = try DigitsQuantizationTests.quantize("dscnn_residual", options)
        print("dscnn_residual per-tensor int8 + CLE \(equalized.quantized)/540, float \(equalized.float)/540")
        #expect(equalized.quantized >= equalized.float - 5)

        let fourBit = QuantizationOptions(weightBits: 4, perChannelWeights: false)
        var fourBitEqualized = fourBit
        fourBitEqualized.crossLayerEqualization = true
        let plain = try DigitsQuantizationTests.quantizeOnly("dscnn_residual", fourBit)
        let cle = try DigitsQuantizationTests.quantizeOnly("dscnn_residual", fourBitEqualized)
        let sqnr = { (result: QuantizationResult, node: String) in result.layers.first { $0.node == node }!.signalToQuantizationNoiseRatio }
        print("4-bit per-tensor dw \(sqnr(plain, "dw")) -> \(sqnr(cle, "dw")), pw \(sqnr(plain, "pw")) -> \(sqnr(cle, "pw"))")
        #expect(sqnr(cle, "pw") > sqnr(plain, "pw") + 1)
    }

    /// Bias correction at 4-bit per-tensor weights (8-bit activations): the mean weight error is
    /// gone from every corrected layer, so every layer's SQNR rises (by 0.6 to 5.5 dB on these models).
    /// Top-1 moves within noise (measured once, not asserted: cnn 530 → 532, dscnn_residual 521 → 517
    /// of 540), so the test runs only the calibration data.
    @Test(arguments: ["cnn", "dscnn_residual"])
    func biasCorrectionAtFourBits(_ name: String) throws {
        let base = QuantizationOptions(weightBits: 4, perChannelWeights: false)
        var options = base
        options.biasCorrection = true
        let plain = try DigitsQuantizationTests.quantizeOnly(name, base)
        let corrected = try DigitsQuantizationTests.quantizeOnly(name, options)
        for (before, after) in zip(plain.layers, corrected.layers) {
            #expect(after.signalToQuantizationNoiseRatio > before.signalToQuantizationNoiseRatio + 0.5,
                    "\(before.node): \(before.signalToQuantizationNoiseRatio) dB -> \(after.signalToQuantizationNoiseRatio) dB")
        }
    }

    /// Adaptive rounding at 4-bit per-channel weights beats round-to-nearest at 4 bits on both
    /// shipped CNNs (top-1 on the test split: cnn 528 → 529, dscnn_residual 520 → 527 of 540) and
    /// raises every layer's SQNR (by 1.2 to 6.9 dB).
    @Test(arguments: ["cnn", "dscnn_residual"])
    func adaptiveRoundingBeatsRoundToNearestAtFourBits(_ name: String) throws {
        let base = QuantizationOptions(weightBits: 4)
        var options = base
        options.adaptiveRounding = true
        let nearest = try DigitsQuantizationTests.quantize(name, base)
        let adaptive = try DigitsQuantizationTests.quantize(name, options)
        print("\(name) 4-bit weights: round-to-nearest \(nearest.quantized)/540, adaptive \(adaptive.quantized)/540, float \(nearest.float)/540")
        #expect(adaptive.quantized > nearest.quantized)
        for (before, after) in zip(nearest.result.layers, adaptive.result.layers) {
            #expect(after.signalToQuantizationNoiseRatio > before.signalToQuantizationNoiseRatio + 1,
                    "\(before.node): \(before.signalToQuantizationNoiseRatio) dB -> \(after.signalToQuantizationNoiseRatio) dB")
        }
    }

    /// GPTQ-style updates at 4-bit per-channel weights beat round-to-nearest at 4 bits on both
    /// shipped CNNs (top-1 on the test split: cnn 528 → 529, dscnn_residual 520 → 526 of 540) and
    /// raise every layer's SQNR (by 2.0 to 7.9 dB). Against adaptive rounding on the same grid:
    /// cnn 529 for both, GPTQ's SQNR higher on every layer (conv2 16.6 against 15.5 dB);
    /// dscnn_residual 526 against 527, GPTQ's SQNR higher on dw, conv3, gap and logits, lower on conv1,
    /// pw and add (by at most 0.4 dB).
    @Test(arguments: ["cnn", "dscnn_residual"])
    func hessianUpdatesAgainstRoundToNearestAndAdaptiveRounding(_ name: String) throws {
        let base = QuantizationOptions(weightBits: 4)
        var adaptiveOptions = base, hessianOptions = base
        adaptiveOptions.adaptiveRounding = true
        hessianOptions.hessianWeightUpdates = true
        let nearest = try DigitsQuantizationTests.quantize(name, base)
        let adaptive = try DigitsQuantizationTests.quantize(name, adaptiveOptions)
        let hessian = try DigitsQuantizationTests.quantize(name, hessianOptions)
        func sqnr(_ result: QuantizationResult) -> String {
            result.layers.map { "\($0.node) \(String(format: "%.2f", $0.signalToQuantizationNoiseRatio))" }.joined(separator: ", ")
        }
        print("\(name) 4-bit weights top-1 of 540: round-to-nearest \(nearest.quantized), adaptive \(adaptive.quantized), GPTQ \(hessian.quantized), float \(nearest.float)")
        print("  SQNR dB nearest: \(sqnr(nearest.result))\n  adaptive: \(sqnr(adaptive.result))\n  GPTQ: \(sqnr(hessian.result))")
        #expect(hessian.quantized > nearest.quantized)
        for (before, after) in zip(nearest.result.layers, hessian.result.layers) {
            #expect(after.signalToQuantizationNoiseRatio > before.signalToQuantizationNoiseRatio + 1,
                    "\(name) \(after.node): \(before.signalToQuantizationNoiseRatio) → \(after.signalToQuantizationNoiseRatio) dB")
        }
    }

    /// The GPTQ solver's factor: `Uᵀ U (G + λI) = I` with λ 1 % of G's mean diagonal; with
    /// uncorrelated inputs (diagonal G) there is nothing to compensate and every code is the
    /// nearest; with correlated inputs a rounding error moves the next weight's code.
    @Test func hessianSolverFactorAndUpdates() throws {
        let gram: [Double] = [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]
        let solver = try #require(HessianRoundingSolver(gram: gram, size: 3))
        let damped = (0 ..< 9).map { gram[$0] + ($0 % 4 == 0 ? 0.03 : 0) }
        for i in 0 ..< 3 {
            for j in 0 ..< 3 {
                let inverse = (0 ..< 3).map { k in (0 ..< 3).reduce(0.0) { $0 + solver.factor[$1 * 3 + i] * solver.factor[$1 * 3 + k] } }
                let product = (0 ..< 3).reduce(0.0) { $0 + inverse[$1] * damped[$1 * 3 + j] }
                #expect(abs(product - (i == j ? 1 : 0)) < 1e-12, "\(i),\(j): \(product)")
            }
        }
        let weights: [Float] = [0.4, -0.26, 0.7]
        let diagonal = try #require(HessianRoundingSolver(gram: [1, 0, 0, 0, 1, 0, 0, 0, 1], size: 3))
        #expect(diagonal.quantize(weights: weights, codes: [0, 0, 7], scale: 0.1, maximumCode: 7, fixed: [false, false, true]) == [4, -3, 7])
        // Two equal inputs (G all ones): w0 = 0.04 rounds to 0, and its error 0.04 moves to w1 = 0.04 + 0.04 · (1 − ε).
        let coupled = try #require(HessianRoundingSolver(gram: [1, 1, 1, 1], size: 2))
        #expect(coupled.quantize(weights: [0.04, 0.04], codes: [0, 0], scale: 0.1, maximumCode: 7, fixed: [false, false]) == [0, 1])
    }

    /// Equalization leaves the float function unchanged (up to float32 rounding) and equalizes ranges.
    @Test func crossLayerEqualizationPreservesTheFloatModel() throws {
        let graph = try DigitsQuantizationTests.model("dscnn_residual")
        let equalized = try CrossLayerEqualizationPass().run(on: graph)
        let pairs = CrossLayerEqualizationPass.pairs(in: graph)
        #expect(pairs.map { "\($0.first.name)->\($0.second.name)" } == ["dw->pw"])
        let first = WeightQuantizer.channelMaxima(equalized.constants["dw.weight"]!.floats!, shape: equalized.constants["dw.weight"]!.shape, axis: 0)
        let second = WeightQuantizer.channelMaxima(equalized.constants["pw.weight"]!.floats!, shape: equalized.constants["pw.weight"]!.shape, axis: 1)
        for (a, b) in zip(first, second) { #expect(abs(a - b) <= 1e-5 * max(a, b)) }
        let test = try DigitsQuantizationTests.data(for: graph).test
        let before = try ReferenceInterpreter(graph: graph).runBatch([graph.inputs[0]: test])[0].doubles
        let after = try ReferenceInterpreter(graph: equalized).runBatch([graph.inputs[0]: test])[0].doubles
        #expect(zip(before, after).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) })
    }
}

/// Accuracy-driven fallback on the depthwise CNN at 3-bit weights with a 20 dB output SQNR target:
/// plain 3-bit gives 13.8 dB (515/540); widening pw, conv3, logits and dw to 8 bits (conv1 stays at
/// 3) gives 25.0 dB (525/540).
@Suite struct AccuracyFallbackTests {
    @Test func widensTheMostSensitiveLayersUntilTheTargetIsMet() throws {
        let graph = try DigitsQuantizationTests.model("dscnn_residual")
        let (calibration, test) = try DigitsQuantizationTests.data(for: graph)
        let narrow = QuantizationOptions(weightBits: 3)
        let plain = try PostTrainingQuantizer(options: narrow).quantize(graph, calibration: [graph.inputs[0]: calibration])
        let outcome = try AccuracyFallback(options: narrow, minimumOutputDecibels: 20).quantize(graph, calibration: [graph.inputs[0]: calibration])
        let plainDecibels = plain.outputs[0].error.signalToQuantizationNoiseRatioDecibels
        let fallbackDecibels = outcome.result.outputs[0].error.signalToQuantizationNoiseRatioDecibels
        let plainCorrect = try DigitsQuantizationTests.correct(plain.graph, test: test)
        let fallbackCorrect = try DigitsQuantizationTests.correct(outcome.result.graph, test: test)
        print("dscnn_residual 3-bit: output SQNR \(plainDecibels) dB, \(plainCorrect)/540; fallback widened \(outcome.widenedLayers) -> \(fallbackDecibels) dB, \(fallbackCorrect)/540")
        #expect(plainDecibels < 20)
        #expect(outcome.metTarget && fallbackDecibels >= 20)
        #expect(!outcome.widenedLayers.isEmpty && outcome.widenedLayers.count < outcome.result.layers.count)
        for layer in outcome.result.layers where layer.weightType != nil {
            #expect(layer.weightType?.elementType.bitWidth == (outcome.widenedLayers.contains(layer.node) ? 8 : 3))
        }
        // The first layer to widen is the one with the lowest SQNR in the plain quantization.
        #expect(outcome.widenedLayers.first == plain.layers.min { $0.signalToQuantizationNoiseRatio < $1.signalToQuantizationNoiseRatio }?.node)
        #expect(fallbackCorrect >= plainCorrect)
    }
}

/// SmoothQuant on the MLP's dense layers (fc1 → relu → logits is the one foldable site).
@Suite struct SmoothQuantTests {
    @Test func migrationPreservesTheFloatModelAndBalancesRanges() throws {
        let graph = try DigitsQuantizationTests.model("mlp")
        let (calibration, test) = try DigitsQuantizationTests.data(for: graph)
        let samples = try CalibrationSamples([graph.inputs[0]: calibration], for: graph)
        #expect(SmoothQuantPass.sites(in: graph).map { "\($0.producer.name)->\($0.dense.name)" } == ["fc1->logits"])
        let smoothed = try SmoothQuantPass(alpha: 0.5, samples: samples).run(on: graph)
        let before = try ReferenceInterpreter(graph: graph).runBatch([graph.inputs[0]: test])[0].doubles
        let after = try ReferenceInterpreter(graph: smoothed).runBatch([graph.inputs[0]: test])[0].doubles
        #expect(zip(before, after).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) })
        // With α = 0.5 each input channel's activation range equals its weight row's range.
        let interpreter = try ReferenceInterpreter(graph: smoothed)
        let logits = smoothed.nodes.first { $0.name == "logits" }!
        let weights = smoothed.constants[logits.inputs[1]]!
        let rows = weights.shape[0]
        var xMaxima = [Float](repeating: 0, count: rows)
        for feed in samples.feeds {
            let x = try interpreter.runKeepingIntermediates(feed)[logits.inputs[0]]!
            for (index, value) in x.floats!.enumerated() { xMaxima[index % rows] = max(xMaxima[index % rows], abs(value)) }
        }
        let wMaxima = WeightQuantizer.channelMaxima(weights.floats!, shape: weights.shape, axis: 0)
        for (a, w) in zip(xMaxima, wMaxima) where a > 0 { #expect(abs(a - w) <= 1e-4 * max(a, w)) }

        // Against plain min-max at 4-bit per-tensor weights and activations: output SQNR
        // 16.6 → 17.8 dB, top-1 508 → 516 of 540 (float 524). At 8 bits both give 524 and 42.0 dB.
        let plainOptions = QuantizationOptions(weightBits: 4, activationBits: 4, perChannelWeights: false)
        var smoothOptions = plainOptions
        smoothOptions.smoothQuantAlpha = 0.5
        let plain = try DigitsQuantizationTests.quantize("mlp", plainOptions)
        let smooth = try DigitsQuantizationTests.quantize("mlp", smoothOptions)
        let decibels = { (result: QuantizationResult) in result.outputs[0].error.signalToQuantizationNoiseRatioDecibels }
        #expect(decibels(smooth.result) > decibels(plain.result) + 0.5)
        #expect(smooth.quantized > plain.quantized)
    }
}
