import Foundation
import Testing
import KilnTestSupport
import KilnCompiler
@testable import KilnBackends

/// The listing of a small CNN, pinned by golden files; `KILN_RECORD=1` re-records them (and fails).
@Suite struct FPGAListingGoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test(arguments: [("cnn-padded-strided", "pynq-z1-zynq7020-finn"), ("cnn-padded-strided", "scalesim-google-tpu-ws")])
    func listingMatchesGolden(_ model: String, _ target: String) throws {
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model(model), for: FPGATestSupport.target(target))
        let listing = program.listing() + "\n"
        let golden = GoldenFile(Self.golden.appendingPathComponent("\(model)@\(target).listing"))
        let outcome = try golden.check(listing)
        #expect(outcome == .matches, "\(golden.explain(outcome, rerecord: "swift test --filter FPGAListingGolden"))")
    }
}
