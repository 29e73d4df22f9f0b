import Testing
import KilnNumerics

private let int8Range = Int32(-128)...Int32(127)

/// The multipliers used across the exhaustive tests: ties (powers of two), ordinary scales,
/// multipliers above one (left shifts) and ONNX-style products of scales.
private let realMultipliers: [Double] = [
    1, 0.5, 0.25, 0.125, 1.0 / 128, 1.0 / 3, 0.75, 0.1, 0.0123, 0.0009765625, 0.00371,
    1.5, 3, 17.25, 1000, Double(Float(0.02) * Float(0.005) / Float(0.07)),
]

@Suite("Requantization rules against exact references")
struct RequantizationTests {
    @Test func floatScaleExhaustiveInt8Products() throws {
        for real in realMultipliers {
            for zeroPoint: Int32 in [0, 100] {
                let requantizer = try FloatScaleRequantizer(multiplier: Float(real), zeroPoint: zeroPoint, outputType: .int8)
                var mismatches = 0
                for a in int8Range {
                    for b in int8Range {
                        let accumulator = a * b
                        let expected = Exact.floatScale(accumulator, multiplier: Float(real), zeroPoint: zeroPoint, low: -128, high: 127)
                        if Int64(requantizer.apply(accumulator)) != expected { mismatches += 1 }
                    }
                }
                #expect(mismatches == 0, "multiplier \(real), zero point \(zeroPoint)")
            }
        }
    }

    @Test func floatScaleMultiplierIsComputedInFloat32() throws {
        let multiplier = try FloatScaleRequantizer.multiplier(inputScale: 0.02, weightScale: 0.005, outputScale: 0.07)
        #expect(multiplier == (Float(0.02) * Float(0.005)) / Float(0.07))
        #expect(throws: NumericsError.self) { try FloatScaleRequantizer.multiplier(inputScale: 0, weightScale: 1, outputScale: 1) }
        #expect(throws: NumericsError.self) { try FloatScaleRequantizer.multiplier(inputScale: .nan, weightScale: 1, outputScale: 1) }
        #expect(throws: NumericsError.self) { try FloatScaleRequantizer(multiplier: 1, zeroPoint: 200, outputType: .int8) }
    }

    @Test func floatScaleSampledInt16AndLargeAccumulators() throws {
        var generator = SplitMix64(state: 7)
        for real in realMultipliers + [1e-6, 3.0517578125e-05] {
            let requantizer = try FloatScaleRequantizer(multiplier: Float(real), zeroPoint: 5, outputType: .int16)
            for _ in 0..<4000 {
                let a = Int32.random(in: -32768...32767, using: &generator), b = Int32.random(in: -32768...32767, using: &generator)
                // Products beyond 2^24 exercise the rounding of Float(acc) itself.
                let accumulator = a * b
                #expect(Int64(requantizer.apply(accumulator))
                        == Exact.floatScale(accumulator, multiplier: Float(real), zeroPoint: 5, low: -32768, high: 32767))
            }
        }
        let extreme = try FloatScaleRequantizer(multiplier: 3e38, zeroPoint: 0, outputType: .int32)
        #expect(extreme.apply(Int32.max) == Int32.max)
        #expect(extreme.apply(Int32.min) == Int32.min)
    }

    @Test func floatScaleTiesAreHalfToEven() throws {
        let half = try FloatScaleRequantizer(multiplier: 0.5, zeroPoint: 0, outputType: .int8)
        #expect([5, 7, -5, -7, 1, -1].map(half.apply) == [2, 4, -2, -4, 0, 0])
        #expect(half.apply(1000) == 127)
        #expect(half.apply(-1000) == -128)
        let unsigned = try FloatScaleRequantizer(multiplier: 0.5, zeroPoint: 128, outputType: .uint8)
        #expect(unsigned.apply(-1000) == 0)
        #expect(unsigned.apply(1000) == 255)
    }

    @Test func fixedPointExhaustiveInt8Products() throws {
        for real in realMultipliers {
            let multiplier = try FixedPointMultiplier(real: real)
            for zeroPoint: Int32 in [0, 100] {
                let requantizer = try FixedPointRequantizer(multiplier: multiplier, zeroPoint: zeroPoint, outputType: .int8)
                var mismatches = 0
                for a in int8Range {
                    for b in int8Range {
                        let accumulator = a * b
                        let expected = Exact.fixedPoint(accumulator, multiplier: multiplier, zeroPoint: zeroPoint, low: -128, high: 127)
                        if Int64(requantizer.apply(accumulator)) != expected { mismatches += 1 }
                    }
                }
                #expect(mismatches == 0, "multiplier \(real), zero point \(zeroPoint)")
            }
        }
    }

    @Test func fixedPointSampledInt16AndExtremes() throws {
        var generator = SplitMix64(state: 11)
        for real in realMultipliers + [2.3e-9, 1e-5, 65536.5] {
            let multiplier = try FixedPointMultiplier(real: real)
            let requantizer = try FixedPointRequantizer(multiplier: multiplier, zeroPoint: -7, outputType: .int16)
            var accumulators: [Int32] = [0, 1, -1, Int32.max, Int32.min, Int32.max - 1, Int32.min + 1]
            for _ in 0..<4000 {
                accumulators.append(Int32.random(in: -32768...32767, using: &generator) * Int32.random(in: -32768...32767, using: &generator))
            }
            for accumulator in accumulators {
                #expect(Int64(requantizer.apply(accumulator))
                        == Exact.fixedPoint(accumulator, multiplier: multiplier, zeroPoint: -7, low: -32768, high: 32767))
            }
        }
    }

    @Test func doublingHighMultiplyMatchesExactAndCFormulation() {
        // (a << 24) · b / 2^31 = a·b / 128: ties whenever a·b ≡ 64 (mod 128); (a << 24)·(b << 24) covers Int32.min².
        for (leftShift, rightShift) in [(24, 0), (24, 24), (16, 15)] {
            var mismatches = 0
            for a in int8Range {
                for b in int8Range {
                    let x = a << leftShift, y = b << rightShift
                    let result = FixedPointMath.saturatingRoundingDoublingHighMultiply(x, y)
                    let exact = Exact.clamp(Exact.round(Int64(x) * Int64(y), dividedByPowerOfTwo: 31, tie: .up), Int64(Int32.min), Int64(Int32.max))
                    if Int64(result) != exact || result != Exact.doublingHighMultiplyAsInC(x, y) { mismatches += 1 }
                }
            }
            #expect(mismatches == 0)
        }
        #expect(FixedPointMath.saturatingRoundingDoublingHighMultiply(Int32.min, Int32.min) == Int32.max)
        #expect(FixedPointMath.saturatingRoundingDoublingHighMultiply(Int32.min, Int32.max) == Int32.min + 1)
        // Ties go toward +∞: 0.5 → 1, −0.5 → 0, −1.5 → −1.
        #expect(FixedPointMath.saturatingRoundingDoublingHighMultiply(1 << 30, 1) == 1)
        #expect(FixedPointMath.saturatingRoundingDoublingHighMultiply(-(1 << 30), 1) == 0)
        #expect(FixedPointMath.saturatingRoundingDoublingHighMultiply(-(3 << 29), 2) == -1)
    }

    @Test func roundingDivideByPowerOfTwoIsHalfAwayFromZero() {
        var mismatches = 0
        for a in int8Range {
            for b in int8Range {
                let x = (a * b) << 15 | (a & 0x7FFF)
                for exponent in [0, 1, 2, 7, 15, 16, 30, 31] {
                    let expected = Exact.round(Int64(x), dividedByPowerOfTwo: exponent, tie: .awayFromZero)
                    if Int64(FixedPointMath.roundingDivideByPowerOfTwo(x, exponent: exponent)) != expected { mismatches += 1 }
                }
            }
        }
        #expect(mismatches == 0)
        #expect([5, -5, 3, -3, 7, -7].map { FixedPointMath.roundingDivideByPowerOfTwo($0, exponent: 1) } == [3, -3, 2, -2, 4, -4])
        #expect(FixedPointMath.roundingDivideByPowerOfTwo(Int32.min, exponent: 31) == -1)
        #expect(FixedPointMath.roundingDivideByPowerOfTwo(Int32.max, exponent: 31) == 1)
    }

    /// Single rounding (TFLite's FULLY_CONNECTED, `CMSIS_NN_USE_SINGLE_ROUNDING`) is the exact
    /// product `acc · M / 2^(31 − shift)` rounded once, ties toward +∞, over sampled accumulators
    /// and multipliers of both shift signs; and it differs from double rounding where the pinned
    /// example says.
    @Test func singleRoundingIsOneRoundingOfTheExactProduct() throws {
        var generator = SplitMix64(state: 12)
        for _ in 0..<20_000 {
            let real = Double.random(in: 1e-6...4, using: &generator)
            let multiplier = try FixedPointMultiplier(real: real)
            let accumulator = Int32.random(in: -(1 << 24)...(1 << 24), using: &generator)
            let exact = Exact.round(Int64(accumulator) * Int64(multiplier.quantizedMultiplier),
                                    dividedByPowerOfTwo: 31 - multiplier.shift, tie: .up)
            #expect(Int64(multiplier.applySingleRounding(accumulator)) == Exact.clamp(exact, Int64(Int32.min), Int64(Int32.max)))
        }
        // 5 · 0.25 = 1.25 → 1 once; double rounding gives 2 (see the next test).
        let quarter = try FixedPointMultiplier(real: 0.25)
        #expect(quarter.applySingleRounding(5) == 1 && quarter.apply(5) == 2)
        #expect(quarter.applySingleRounding(-6) == -1 && quarter.applySingleRounding(6) == 2)
    }

    @Test func fixedPointPinsDoubleRoundingAndSaturation() throws {
        let quarter = try FixedPointRequantizer(multiplier: FixedPointMultiplier(real: 0.25), zeroPoint: 0, outputType: .int8)
        // 5 · 0.25 = 1.25, but SRDHM rounds 2.5 up to 3 and the divide rounds 1.5 away to 2.
        #expect(quarter.apply(5) == 2)
        #expect(quarter.apply(6) == 2)
        #expect(quarter.apply(-6) == -2)
        #expect(quarter.apply(10_000) == 127)
        #expect(quarter.apply(-10_000) == -128)
        let big = try FixedPointRequantizer(multiplier: FixedPointMultiplier(real: 1000), zeroPoint: 0, outputType: .int32)
        // 1000 = (1000/1024) · 2^10: the left shift by 10 saturates to Int32 (C would overflow),
        // then the high multiply scales the saturated value by 1000/1024.
        let mantissa = big.multiplier.quantizedMultiplier
        #expect(big.apply(Int32.max / 2) == FixedPointMath.saturatingRoundingDoublingHighMultiply(Int32.max, mantissa))
        #expect(big.apply(Int32.min / 2) == FixedPointMath.saturatingRoundingDoublingHighMultiply(Int32.min, mantissa))
        #expect(big.apply(3) == 3000)
    }

    @Test func quantizeMultiplierDecomposition() throws {
        func parts(_ real: Double) throws -> (Int32, Int) {
            let multiplier = try FixedPointMultiplier(real: real)
            return (multiplier.quantizedMultiplier, multiplier.shift)
        }
        #expect(try parts(0.5) == (1 << 30, 0))
        #expect(try parts(1.0) == (1 << 30, 1))
        #expect(try parts(0.75) == (1_610_612_736, 0))
        #expect(try parts(3.0) == (1_610_612_736, 2))
        #expect(try parts(0) == (0, 0))
        #expect(try parts(1 - 0x1p-40) == (1 << 30, 1))  // the mantissa rounds up to 2^31 and is halved
        #expect(try parts(0x1p-32) == (1 << 30, -31))
        #expect(try parts(0x1p-33) == (0, 0))
        for real in realMultipliers {
            let multiplier = try FixedPointMultiplier(real: real)
            #expect(abs(multiplier.realValue - real) <= Double(sign: .plus, exponent: multiplier.shift - 32, significand: 1))
            #expect(multiplier.quantizedMultiplier >= 1 << 30)
        }
        for bad in [-1.0, .nan, .infinity, 0x1p40] {
            #expect(throws: NumericsError.self) { try FixedPointMultiplier(real: bad) }
        }
        #expect(throws: NumericsError.self) { try FixedPointMultiplier(quantizedMultiplier: 5, shift: 40) }
    }

    @Test func powerOfTwoShiftExhaustiveInt8Products() throws {
        for shift in 0...16 {
            for rounding in PowerOfTwoShiftRequantizer.Rounding.allCases {
                for zeroPoint: Int32 in [0, 9] {
                    let requantizer = try PowerOfTwoShiftRequantizer(shift: shift, rounding: rounding, zeroPoint: zeroPoint, outputType: .int8)
                    var mismatches = 0
                    for a in int8Range {
                        for b in int8Range {
                            let accumulator = Int64(a * b)
                            let divided = rounding == .halfUp
                                ? Exact.round(accumulator, dividedByPowerOfTwo: shift, tie: .up)
                                : Exact.round(accumulator - (accumulator & ((1 << shift) - 1)), dividedByPowerOfTwo: shift, tie: .up)
                            if Int64(requantizer.apply(accumulator)) != Exact.clamp(divided + Int64(zeroPoint), -128, 127) { mismatches += 1 }
                        }
                    }
                    #expect(mismatches == 0, "shift \(shift) \(rounding)")
                }
            }
        }
    }

    @Test func powerOfTwoShiftTiesAndEdges() throws {
        let rounding = try PowerOfTwoShiftRequantizer(shift: 1, rounding: .halfUp, outputType: .int16)
        let truncating = try PowerOfTwoShiftRequantizer(shift: 1, rounding: .truncate, outputType: .int16)
        #expect([5, -5, 3, -3].map(rounding.apply) == [3, -2, 2, -1])   // ties toward +∞
        #expect([5, -5, 3, -3].map(truncating.apply) == [2, -3, 1, -2])  // toward −∞
        let wide = try PowerOfTwoShiftRequantizer(shift: 1, rounding: .halfUp, zeroPoint: 1, outputType: .int32)
        #expect(wide.apply(Int64.max) == Int32.max)  // (x + 1) would overflow Int64 in a naive implementation
        #expect(wide.apply(Int64.min) == Int32.min)
        let full = try PowerOfTwoShiftRequantizer(shift: 63, rounding: .halfUp, outputType: .int8)
        #expect(full.apply(Int64.max) == 1)
        #expect(full.apply(Int64.min) == -1)
        #expect(throws: NumericsError.self) { try PowerOfTwoShiftRequantizer(shift: 64, outputType: .int8) }
        #expect(throws: NumericsError.self) { try PowerOfTwoShiftRequantizer(shift: 2, zeroPoint: 300, outputType: .int8) }
    }

    @Test func roundingModesPinTies() {
        #expect([2.5, 3.5, -2.5].map(RoundingMode.halfToEven.round) == [2, 4, -2])
        #expect([2.5, 3.5, -2.5].map(RoundingMode.halfAwayFromZero.round) == [3, 4, -3])
        #expect([2.5, 3.5, -2.5].map(RoundingMode.halfUp.round) == [3, 4, -2])
        #expect([2.5, -2.5].map(RoundingMode.towardNegativeInfinity.round) == [2, -3])
        #expect([2.5, -2.5].map(RoundingMode.towardZero.round) == [2, -2])
        let expectations: [RoundingMode: Exact.Tie] = [.halfToEven: .even, .halfAwayFromZero: .awayFromZero, .halfUp: .up]
        for (mode, tie) in expectations {
            for x in Int64(-1000)...1000 { for shift in 0...4 {
                #expect(mode.divide(x, byPowerOfTwo: shift) == Exact.round(x, dividedByPowerOfTwo: shift, tie: tie))
            } }
        }
        #expect(RoundingMode.towardZero.divide(-5, byPowerOfTwo: 1) == -2)
        #expect(RoundingMode.towardNegativeInfinity.divide(-5, byPowerOfTwo: 1) == -3)
        #expect(RoundingMode.halfUp.divide(Int64.max, byPowerOfTwo: 63) == 1)
    }
}
