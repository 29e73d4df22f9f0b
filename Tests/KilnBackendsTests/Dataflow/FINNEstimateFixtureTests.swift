import Foundation
@testable import KilnBackends
import Testing

/// Kiln's FINN estimate formulas against the numbers FINN's own functions return
/// (`Tests/Fixtures/finn/estimates.json`, written by `tools/finn/make_finn_estimates.py`).
@Suite struct FINNEstimateFixtureTests {
    typealias Case = (attributes: [String: Any], finn: [String: Int])

    nonisolated(unsafe) static let document: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/finn/estimates.json")
        let data = try! Data(contentsOf: url)
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static func cases(_ key: String) -> [Case] {
        (document[key] as! [[String: Any]]).map { ($0["attributes"] as! [String: Any], $0["finn"] as! [String: Int]) }
    }

    /// `UINT4` → (4, unsigned); `BINARY` → (1, unsigned); `INT32` → (32, signed).
    static func bits(_ name: Any?) -> (bits: Int, signed: Bool) {
        let text = name as! String
        if text == "BINARY" { return (1, false) }
        if text.hasPrefix("UINT") { return (Int(text.dropFirst(4))!, false) }
        return (Int(text.dropFirst(3))!, true)
    }

    static func ints(_ value: Any?) -> [Int] { value as! [Int] }
    static func style(_ value: Any?) -> FabricMemoryStyle { FabricMemoryStyle(rawValue: value as! String)! }

    static func check(_ finn: [String: Int], cycles: Int, resources: FabricResources?, _ attributes: [String: Any]) {
        #expect(cycles == finn["cycles"], "cycles of \(attributes)")
        guard let resources else { return }
        #expect(resources.lookupTables == finn["luts"], "LUTs of \(attributes)")
        #expect(resources.blockRam18k == finn["bram18"], "BRAM_18K of \(attributes)")
        #expect(resources.ultraRams == finn["uram"], "URAM of \(attributes)")
        #expect(resources.dspSlices == finn["dsps"], "DSPs of \(attributes)")
    }

    @Test func fixtureCoversEveryEngine() {
        for key in ["mvau", "vvau", "thresholding", "slidingWindow", "pool", "globalAccumulatingPool"] {
            #expect(!Self.cases(key).isEmpty, "\(key)")
        }
        #expect((Self.document["finn"] as! String).hasPrefix("finn-plus"))
    }

    @Test func matrixVectorUnitMatchesFINN() {
        for (a, finn) in Self.cases("mvau") {
            let input = Self.bits(a["inputDataType"]), weight = Self.bits(a["weightDataType"])
            let noActivation = a["noActivation"] as! Int == 1
            let estimate = MatrixVectorEstimate(
                matrixWidth: a["MW"] as! Int, matrixHeight: a["MH"] as! Int, processingElements: a["PE"] as! Int,
                simdLanes: a["SIMD"] as! Int, vectors: Self.ints(a["numInputVectors"]).reduce(1, *),
                inputBits: input.bits, inputSigned: input.signed, weightBits: weight.bits,
                outputBits: noActivation ? nil : Self.bits(a["outputDataType"]).bits,
                multipliers: MultiplierStyle(rawValue: a["resType"] as! String)!, memory: Self.style(a["ram_style"]),
                thresholdMemory: Self.style(a["ram_style_thresholds"]))
            Self.check(finn, cycles: estimate.cycles, resources: estimate.resources, a)
        }
    }

    @Test func vectorVectorUnitMatchesFINN() {
        for (a, finn) in Self.cases("vvau") {
            let input = Self.bits(a["inputDataType"]), weight = Self.bits(a["weightDataType"])
            let kernel = Self.ints(a["Kernel"]), dim = Self.ints(a["Dim"])
            let estimate = VectorVectorEstimate(
                channels: a["Channels"] as! Int, kernelHeight: kernel[0], kernelWidth: kernel[1], outputPixels: dim[0] * dim[1],
                processingElements: a["PE"] as! Int, simdLanes: a["SIMD"] as! Int, inputBits: input.bits,
                inputSigned: input.signed, weightBits: weight.bits,
                outputBits: a["noActivation"] as! Int == 1 ? nil : Self.bits(a["outputDataType"]).bits,
                multipliers: MultiplierStyle(rawValue: a["resType"] as! String)!, memory: Self.style(a["ram_style"]))
            Self.check(finn, cycles: estimate.cycles, resources: estimate.resources, a)
        }
    }

    @Test func thresholdingUnitMatchesFINN() {
        for (a, finn) in Self.cases("thresholding") {
            let estimate = ThresholdingEstimate(
                channels: a["NumChannels"] as! Int, processingElements: a["PE"] as! Int, steps: a["numSteps"] as! Int,
                vectors: Self.ints(a["numInputVectors"]).reduce(1, *), inputBits: Self.bits(a["inputDataType"]).bits,
                thresholdBits: Self.bits(a["weightDataType"]).bits, memory: Self.style(a["ram_style"]))
            Self.check(finn, cycles: estimate.cycles, resources: estimate.resources, a)
        }
    }

    @Test func slidingWindowGeneratorMatchesFINN() {
        for (a, finn) in Self.cases("slidingWindow") {
            let kernel = Self.ints(a["ConvKernelDim"]), input = Self.ints(a["IFMDim"]), output = Self.ints(a["OFMDim"])
            let stride = Self.ints(a["Stride"]), dilation = Self.ints(a["Dilation"])
            let estimate = SlidingWindowEstimate(
                channels: a["IFMChannels"] as! Int, inputHeight: input[0], inputWidth: input[1], outputHeight: output[0],
                outputWidth: output[1], kernelHeight: kernel[0], kernelWidth: kernel[1], strideY: stride[0], strideX: stride[1],
                dilationY: dilation[0], dilationX: dilation[1], simdLanes: a["SIMD"] as! Int,
                bits: Self.bits(a["inputDataType"]).bits, depthwise: a["depthwise"] as! Int == 1,
                parallelWindow: a["parallel_window"] as! Int == 1, memory: Self.style(a["ram_style"]))
            Self.check(finn, cycles: estimate.cycles, resources: estimate.resources, a)
        }
    }

    @Test func poolsMatchFINN() {
        for (a, finn) in Self.cases("pool") {
            let out = Self.ints(a["OutImgDims"])
            let estimate = PoolEstimate(channels: a["Channels"] as! Int, processingElements: a["PE"] as! Int,
                                        windowElements: Self.ints(a["KernelSize"]).reduce(1, *), outputPixels: out.reduce(1, *),
                                        batch: a["BatchSize"] as! Int)
            Self.check(finn, cycles: estimate.cycles, resources: nil, a)
        }
        for (a, finn) in Self.cases("globalAccumulatingPool") {
            let estimate = GlobalAccumulatingPoolEstimate(channels: a["NumChannels"] as! Int, processingElements: a["PE"] as! Int,
                                                          vectors: Self.ints(a["numInputVectors"]).reduce(1, *))
            Self.check(finn, cycles: estimate.cycles, resources: nil, a)
        }
    }
}
