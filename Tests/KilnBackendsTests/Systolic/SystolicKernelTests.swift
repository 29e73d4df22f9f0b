import Testing
import KilnCompiler
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets
@testable import KilnBackends

/// Hand-checked arithmetic and SCALE-Sim counts of the systolic GEMM.
@Suite struct SystolicKernelTests {
    @Test func foldsAndSRAMWordsFollowTheDataflow() {
        let ws = SystolicTiling(m: 4, k: 3, n: 5, rows: 2, columns: 2, dataflow: .ws)
        #expect(ws.folds == (2, 3) && ws.ifmapReads == 36 && ws.filterReads == 15 && ws.ofmapWrites == 40)
        let os = SystolicTiling(m: 4, k: 3, n: 5, rows: 2, columns: 2, dataflow: .os)
        #expect(os.folds == (2, 3) && os.ifmapReads == 36 && os.filterReads == 30 && os.ofmapWrites == 20)
        let inputStationary = SystolicTiling(m: 4, k: 3, n: 5, rows: 2, columns: 2, dataflow: .is)
        #expect(inputStationary.folds == (2, 2) && inputStationary.ifmapReads == 12 && inputStationary.filterReads == 30
                && inputStationary.ofmapWrites == 40)
    }

    @Test(arguments: [SystolicSection.Dataflow.ws, .os, .is])
    func tiledProductEqualsTheWholeProductWithWrap(_ dataflow: SystolicSection.Dataflow) {
        let m = 5, k = 7, n = 3
        let a = (0..<m * k).map { Int32(($0 * 37) % 255) - 128 }
        var b = (0..<n * k).map { Int32(($0 * 53) % 255) - 127 }
        b[0] = Int32.max   // forces int32 wrap
        var tiled = [Int32](repeating: 11, count: m * n)
        SystolicGEMMUnit.multiply(a, b, into: &tiled, tiling: SystolicTiling(m: m, k: k, n: n, rows: 2, columns: 2, dataflow: dataflow))
        for row in 0..<m {
            for column in 0..<n {
                var sum: Int32 = 11
                for kk in 0..<k { sum = sum &+ a[row * k + kk] &* b[column * k + kk] }
                #expect(tiled[row * n + column] == sum)
            }
        }
    }

    /// x = [200, 0] (u8, zero point 128) · w = [[1, 2], [−1, 2]] + bias 10, multiplier 0.5:
    /// column 0: (72 + 128 + 10) · 0.5 = 105; column 1: (144 − 256 + 10) · 0.5 = −51 → 0.
    @Test func denseShiftsTheZeroPointAndSaturatesOnTheOutputPath() throws {
        var builder = GraphBuilder(name: "dense")
        let x = builder.input("x", .quantized([1, 2], .uint8, scale: 1, zeroPoint: 128))
        let w = builder.constant("w", Tensor(shape: [2, 2], elementType: .int8, codes: [1, 2, -1, 2],
                                             quantization: QuantizationParameters(scale: 0.5)))
        let b = builder.constant("b", Tensor(shape: [2], elementType: .int32, codes: [10, 10]))
        let y = try builder.node(.dense, [x, w, b], name: "fc", outputTypes: [.quantized([1, 2], .uint8, scale: 1)])
        builder.output(y)
        let program = try FPGATestSupport.compiler.compile(try builder.build(), for: FPGATestSupport.target("scalesim-google-tpu-ws"))
        let input = ["x": Tensor(shape: [1, 2], elementType: .uint8, codes: [200, 0], quantization: QuantizationParameters(scale: 1, zeroPoint: 128))]
        let output = try FunctionalSimulator(program: program).run(input).outputs[0].codes!
        #expect(output == [105, 0])
        #expect(try ReferenceInterpreter(graph: program.graph).run(input)[0].codes! == output)
        #expect(program.kernelSteps[0].kernel.name == "systolic-gemm-ws")
    }
}
