import Testing
import KilnCompiler
@testable import KilnBackends

/// The weight buffers of a staged pass as Vela's live ranges hold them, against the ranges
/// `vela --verbose-allocation` prints (`Tests/Fixtures/vela/allocations/`; operator *k* runs at
/// time 2*k*, hands over at 2*k* + 1): the first part from the previous operator's hand-over
/// unless the operator is the network's first, and only the part holding the last slice
/// through the operator's own hand-over.
@Suite struct EthosUStagedBufferTests {
    typealias Staging = EthosUWeightBuffering

    /// kws on the U55-128, operator 0, double-buffered in an even number of slices:
    /// `WB_double_1120_op0` 0–0 and `WB_double2_3360_op0` 0–1.
    @Test func firstOperatorDoesNotPrebuffer() {
        #expect(Staging.stagedBuffers([1120, 3360], sliceCount: 4, prebuffered: false) == [
            WorkingBuffer(bytes: 1120, fillsDuringPreviousStep: false, heldThroughHandOver: false),
            WorkingBuffer(bytes: 3360, fillsDuringPreviousStep: false, heldThroughHandOver: true),
        ])
    }

    /// kws on the U55-128, operator 1, one buffer: `WB_single_1328_op1` 1–3.
    @Test func singleBufferSpansBothHandOvers() {
        #expect(Staging.stagedBuffers([1328], sliceCount: 1, prebuffered: true) == [
            WorkingBuffer(bytes: 1328, fillsDuringPreviousStep: true, heldThroughHandOver: true),
        ])
    }

    /// ResNet-8 on the U55-64, operator 9, an even number of slices: `WB_double_17440_op9` 17–18,
    /// `WB_double2_17472_op9` 18–19. MobileNetV2 on the U65-512, operator 29, an odd number:
    /// `WB_double_1120_op29` 57–59, `WB_double2_1024_op29` 58–58.
    @Test func lastSlicePartIsHeld() {
        #expect(Staging.stagedBuffers([17440, 17472], sliceCount: 2, prebuffered: true) == [
            WorkingBuffer(bytes: 17440, fillsDuringPreviousStep: true, heldThroughHandOver: false),
            WorkingBuffer(bytes: 17472, fillsDuringPreviousStep: false, heldThroughHandOver: true),
        ])
        #expect(Staging.stagedBuffers([1120, 1024], sliceCount: 3, prebuffered: true) == [
            WorkingBuffer(bytes: 1120, fillsDuringPreviousStep: true, heldThroughHandOver: true),
            WorkingBuffer(bytes: 1024, fillsDuringPreviousStep: false, heldThroughHandOver: false),
        ])
    }

    /// Two parts, the largest even and the largest odd slice, for more than one slice; the whole
    /// stream for one (Vela's `doubleBufferSizes`, `TryWeightBuffering`).
    @Test func partsAreTheLargestEvenAndOddSlices() {
        #expect(Staging.bufferParts([300, 200, 400, 100]) == [400, 200])
        #expect(Staging.bufferParts([500]) == [500])
    }
}
