import Testing
import KilnNumerics

@Suite("Saturating Q7/Q15/Q31 arithmetic and accumulators")
struct FixedPointArithmeticTests {
    @Test func q15TruncatesTowardNegativeInfinityBeforeSaturating() {
        // (−3 · 16384) >> 15 = −1.5 → −2 (floor), not −1 (toward zero) nor −2 by rounding ties.
        #expect(Q15.multiply(-3, 16384) == -2)
        #expect(Q15.multiply(3, 16384) == 1)
        #expect(Q15.multiply(-1, 1) == -1)  // −2^-15 floors to −1 LSB: never rounds to 0
        #expect(Q15.multiply(-32768, -32768) == 32767)
        #expect(Q15.multiply(-32768, 32767) == -32767)
        #expect(Q15.shift(-3, by: -1) == -2)
        #expect(Q15.shift(16384, by: 1) == 32767)
        #expect(Q15.shift(-16385, by: 1) == -32768)
        #expect(Q15.shift(5, by: Int.max) == 32767)
        #expect(Q15.shift(-5, by: Int.min) == -1)
        #expect(Q15.toQ7(-1) == -1)
        #expect(Q15.scale(-32768, by: -32768, shift: 0) == 32767)
        #expect(Q15.scale(100, by: 100, shift: Int.max) == 32767)
        #expect(Q15.fromFloat(1.5 / 32768) == 1)
        #expect(Q15.fromFloat(-1.5 / 32768) == -1)  // truncation toward zero, no rounding
        #expect(Q15.fromFloat(1e6) == 32767)  // C is undefined here (x86 gives −32768); Kiln saturates
        #expect(Q15.fromFloat(.nan) == 0)
    }

    @Test func exhaustiveQ15AndQ7AgainstWideReference() {
        for a in Int32(-128)...127 {
            for b in Int32(-128)...127 {
                let x = Int8(a), y = Int8(b)
                #expect(Int32(Q7.add(x, y)) == min(max(a + b, -128), 127))
                #expect(Int32(Q7.subtract(x, y)) == min(max(a - b, -128), 127))
                #expect(Int32(Q7.multiply(x, y)) == min(max((a * b) >> 7, -128), 127))
                let p = Int16(truncatingIfNeeded: a * 256 + b), q = Int16(truncatingIfNeeded: b * 256 - a)
                let wideP = Int32(p), wideQ = Int32(q)
                #expect(Int32(Q15.add(p, q)) == min(max(wideP + wideQ, -32768), 32767))
                #expect(Int32(Q15.subtract(p, q)) == min(max(wideP - wideQ, -32768), 32767))
                #expect(Int32(Q15.multiply(p, q)) == min(max((wideP * wideQ) >> 15, -32768), 32767))
            }
        }
    }

    @Test func q31MatchesCMSISSpotValues() {
        // Values produced by cmsisdsp 1.10.3 (portable C) for arm_*_q31.
        let a: [Int32] = [.min, .min, .max, .max, 3, -3, 1 << 30, -(1 << 30), 123_456_789, -987_654_321]
        let b: [Int32] = [.min, .max, .max, .min, 1 << 30, 1 << 30, 3, 3, -55555, 77777]
        let products: [Int32] = [2_147_483_646, -2_147_483_648, 2_147_483_646, -2_147_483_648, 0, -2, 0, -2, -3194, -35772]
        let sums: [Int32] = [.min, -1, .max, -1, 1_073_741_827, 1_073_741_821, 1_073_741_827, -1_073_741_821, 123_401_234, -987_576_544]
        let negated: [Int32] = [.max, .max, -.max, -.max, -3, 3, -(1 << 30), 1 << 30, -123_456_789, 987_654_321]
        let scaled: [Int32] = [.min, .min, 2_147_483_644, 2_147_483_644, 0, -4, 1 << 30, -(1 << 30), 123_456_788, -987_654_324]
        let halved: [Int32] = [-(1 << 30), -(1 << 30), (1 << 30) - 1, (1 << 30) - 1, 1, -2, 1 << 29, -(1 << 29), 61_728_394, -493_827_161]
        let floats: [Float] = [0.5, -0.5, 1, -1, 1.5, -2, 3e-10, 0.9999999]
        let fromFloats: [Int32] = [1 << 30, -(1 << 30), .max, .min, .max, .min, 0, 2_147_483_392]
        #expect(zip(a, b).map(Q31.multiply) == products)
        #expect(zip(a, b).map(Q31.add) == sums)
        #expect(a.map(Q31.negate) == negated)
        #expect(a.map { Q31.scale($0, by: 1 << 30, shift: 1) } == scaled)
        #expect(a.map { Q31.shift($0, by: -1) } == halved)
        #expect(floats.map(Q31.fromFloat) == fromFloats)
        #expect([Int32.min, .max, 65535, -65537, -1].map(Q31.toQ15) == [-32768, 32767, 0, -2, -1])
        #expect([Int16(-32768), 32767, -1].map(Q15.toQ31) == [.min, 2_147_418_112, -65536])
        #expect([Int8(-128), 127, -1].map(Q7.toQ31) == [.min, 2_130_706_432, -16_777_216])
    }

    @Test func accumulatorsWrapOrSaturateAndCountOverflows() throws {
        var wrapping = try Accumulator(bitWidth: 32, overflow: .wrap)
        var saturating = try Accumulator(bitWidth: 32, overflow: .saturate)
        for _ in 0..<3 {
            wrapping.multiplyAdd(-32768, -32768)  // 2^30 each
            saturating.multiplyAdd(-32768, -32768)
        }
        #expect(wrapping.value == Int64(Int32(truncatingIfNeeded: 3 << 30)))
        #expect(wrapping.overflowCount == 1)
        #expect(saturating.value == Int64(Int32.max))
        #expect(saturating.overflowCount == 2)  // the second and third MACs both overflow
        saturating.add(-1)
        #expect(saturating.value == Int64(Int32.max) - 1)
        #expect(saturating.overflowCount == 2)  // the second and third MACs both overflow

        var forty = try Accumulator(bitWidth: 40, overflow: .saturate)
        for _ in 0..<600 { forty.multiplyAdd(-2_147_483_648, 2_147_483_647) }  // ≈ −2^62 each: overflows 40 bits at once
        #expect(forty.value == -(Int64(1) << 39))
        #expect(forty.overflowCount == 600)

        var wide = try Accumulator(bitWidth: 64, overflow: .wrap)
        wide.add(.max)
        wide.add(1)
        #expect(wide.value == .min)
        #expect(wide.overflowCount == 1)
        var wideSaturating = try Accumulator(bitWidth: 64, overflow: .saturate)
        wideSaturating.add(.min)
        wideSaturating.multiplyAdd(.min, .min)  // 2^126 − 2^63: exact 128-bit sum, no trap
        #expect(wideSaturating.value == .max)
        #expect(wideSaturating.overflowCount == 1)
        wideSaturating.reset()
        #expect(wideSaturating.value == 0 && wideSaturating.overflowCount == 0)

        // Exhaustive small width against a wide reference: 8-bit accumulator of int8 products.
        for overflow in OverflowBehavior.allCases {
            var accumulator = try Accumulator(bitWidth: 8, overflow: overflow)
            var reference: Int64 = 0, overflows = 0
            for a in Int64(-8)...7 { for b in Int64(-8)...7 {
                accumulator.multiplyAdd(a, b)
                let exact = reference + a * b
                if exact < -128 || exact > 127 { overflows += 1 }
                reference = overflow == .saturate ? min(max(exact, -128), 127) : Int64(Int8(truncatingIfNeeded: exact))
                #expect(accumulator.value == reference)
            } }
            #expect(accumulator.overflowCount == overflows)
        }
        #expect(throws: NumericsError.self) { try Accumulator(bitWidth: 65) }
    }

    @Test func kernelsRejectMismatchedSizes() {
        #expect(throws: NumericsError.self) { try FixedPointKernels.dotProduct([Int16(1)], [1, 2]) }
        #expect(throws: NumericsError.self) { try FixedPointKernels.matrixMultiply([Int16(1), 2], [1], rows: 1, inner: 2, columns: 1) }
        #expect(throws: NumericsError.self) { try FixedPointKernels.matrixMultiply([Int16(1)], [1], rows: -1, inner: -1, columns: 1) }
        #expect(throws: NumericsError.self) { try FIRFilter<Int16>(coefficients: []) }
    }
}
