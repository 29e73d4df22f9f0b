import Foundation
import Testing
@testable import KilnBackends
import KilnCompiler
import KilnConformance
import KilnIR

/// Every corpus model on every built-in dataflow and systolic target simulates bit-exactly.
@Suite struct FPGAConformanceTests {
    /// Models that cannot run on a target, with the reason. None today: nodes the accelerator
    /// lacks run on the host, and the corpus fits every target.
    static let excluded: [String: String] = [:]

    @Test func everyTargetOfTheFamilyIsTested() {
        #expect(FPGATestSupport.targetNames == ["pynq-z1-zynq7020-finn", "scalesim-google-tpu-ws", "scalesim-scale-32x32-os", "ultra96-zu3eg-finn", "zc706-zynq7045-finn"])
    }

    @Test(arguments: FPGATestSupport.pairs.map { "\($0.0) @ \($0.1)" })
    func conformance(_ pair: String) throws {
        let parts = pair.components(separatedBy: " @ ")
        let (model, targetName) = (parts[0], parts[1])
        if let reason = Self.excluded["\(model)@\(targetName)"] { print("skipped \(pair): \(reason)"); return }
        let outcome = try ConformanceKit.check(model: model, graph: FPGATestSupport.model(model),
                                               target: FPGATestSupport.target(targetName), compiler: FPGATestSupport.compiler)
        print("CONFORMANCE \(outcome)")
        #expect(outcome.compared > 0)
        #expect(outcome.mismatches == 0, "\(outcome)")
        #expect(outcome.acceleratorKernels > 0)
    }
}
