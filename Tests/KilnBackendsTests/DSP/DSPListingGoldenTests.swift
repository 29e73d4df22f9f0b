import Foundation
import Testing
import KilnTestSupport
import KilnCompiler
@testable import KilnBackends

/// The listing of the padded/strided CNN on the Cortex-M4, against a golden file.
/// Re-record with `KILN_RECORD=1 swift test --filter DSPListingGolden` (a record run fails).
@Suite struct DSPListingGoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/cnn-padded-strided.stm32l4r5-cortex-m4.listing.txt")

    @Test func cnnListingMatchesGolden() throws {
        let program = try DSPFixtures.compiler().compile(DSPFixtures.model("cnn-padded-strided"),
                                                         for: DSPFixtures.q7Target("stm32l4r5-cortex-m4"))
        let listing = program.listing() + "\n"
        let golden = GoldenFile(Self.golden)
        let outcome = try golden.check(listing)
        #expect(outcome == .matches, "\(golden.explain(outcome, rerecord: "swift test --filter DSPListingGolden"))")
    }
}
