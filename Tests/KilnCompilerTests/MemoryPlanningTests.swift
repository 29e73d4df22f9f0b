import Testing
import KilnIR
import KilnNumerics
@testable import KilnCompiler

@Suite struct MemoryPlanningTests {
    @Test func packedTypesTakeTheirBitWidth() {
        #expect(MemoryPlanning.bytes(of: TensorType(shape: [1, 64, 3, 3], elementType: .binary)) == 72)
        #expect(MemoryPlanning.bytes(of: TensorType(shape: [5], elementType: .int4)) == 3)
        #expect(MemoryPlanning.bytes(of: TensorType(shape: [2, 3], elementType: .q15)) == 12)
        #expect(MemoryPlanning.bytes(of: .float32([10])) == 40)
    }
}
