import Foundation
import Testing
import KilnNumerics

/// Loads `Tests/Fixtures/cmsis-q15/<function>.json` and returns its cases.
private func cases(_ function: String) throws -> [[String: Any]] {
    var url = URL(fileURLWithPath: #filePath)
    while url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
    let file = url.appendingPathComponent("Fixtures/cmsis-q15/\(function).json")
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
    let list = try #require(object?["cases"] as? [[String: Any]])
    #expect(!list.isEmpty)
    return list
}

private func ints(_ value: Any?) throws -> [Int] { try #require(value as? [Int]) }
private func q15(_ value: Any?) throws -> [Int16] { try ints(value).map { Int16($0) } }
private func q7(_ value: Any?) throws -> [Int8] { try ints(value).map { Int8($0) } }
private func int(_ value: Any?) throws -> Int { try #require(value as? Int) }
private func floats(_ value: Any?) throws -> [Float] {
    try #require(value as? [Any]).map { Float(try #require(($0 as? NSNumber)?.doubleValue)) }
}

@Suite("CMSIS-DSP Q15/Q7 golden vectors")
struct CMSISFixtureTests {
    @Test func binaryElementwiseQ15() throws {
        let table: [(String, (Int16, Int16) -> Int16)] = [
            ("arm_add_q15", Q15.add), ("arm_sub_q15", Q15.subtract), ("arm_mult_q15", Q15.multiply),
        ]
        for (function, operation) in table {
            for item in try cases(function) {
                let a = try q15(item["a"]), b = try q15(item["b"])
                #expect(zip(a, b).map(operation) == (try q15(item["expected"])), "\(function)")
            }
        }
    }

    @Test func binaryElementwiseQ7() throws {
        let table: [(String, (Int8, Int8) -> Int8)] = [("arm_add_q7", Q7.add), ("arm_mult_q7", Q7.multiply)]
        for (function, operation) in table {
            for item in try cases(function) {
                let a = try q7(item["a"]), b = try q7(item["b"])
                #expect(zip(a, b).map(operation) == (try q7(item["expected"])), "\(function)")
            }
        }
    }

    @Test func unaryQ15() throws {
        for item in try cases("arm_negate_q15") {
            #expect(try q15(item["src"]).map(Q15.negate) == (try q15(item["expected"])))
        }
        for item in try cases("arm_abs_q15") {
            #expect(try q15(item["src"]).map(Q15.absolute) == (try q15(item["expected"])))
        }
        for item in try cases("arm_offset_q15") {
            let offset = Int16(try int(item["offset"]))
            #expect(try q15(item["src"]).map { Q15.offset($0, by: offset) } == (try q15(item["expected"])))
        }
        for item in try cases("arm_clip_q15") {
            let low = Int16(try int(item["low"])), high = Int16(try int(item["high"]))
            #expect(try q15(item["src"]).map { Q15.clip($0, low: low, high: high) } == (try q15(item["expected"])))
        }
        for item in try cases("arm_scale_q15") {
            let fraction = Int16(try int(item["scaleFract"])), shift = try int(item["shift"])
            #expect(try q15(item["src"]).map { Q15.scale($0, by: fraction, shift: shift) } == (try q15(item["expected"])))
        }
        for item in try cases("arm_shift_q15") {
            let bits = try int(item["shiftBits"])
            #expect(try q15(item["src"]).map { Q15.shift($0, by: bits) } == (try q15(item["expected"])))
        }
    }

    @Test func unaryQ7() throws {
        for item in try cases("arm_clip_q7") {
            let low = Int8(try int(item["low"])), high = Int8(try int(item["high"]))
            #expect(try q7(item["src"]).map { Q7.clip($0, low: low, high: high) } == (try q7(item["expected"])))
        }
        for item in try cases("arm_scale_q7") {
            let fraction = Int8(try int(item["scaleFract"])), shift = try int(item["shift"])
            #expect(try q7(item["src"]).map { Q7.scale($0, by: fraction, shift: shift) } == (try q7(item["expected"])))
        }
        for item in try cases("arm_shift_q7") {
            let bits = try int(item["shiftBits"])
            #expect(try q7(item["src"]).map { Q7.shift($0, by: bits) } == (try q7(item["expected"])))
        }
    }

    @Test func conversions() throws {
        for item in try cases("arm_q15_to_q7") { #expect(try q15(item["src"]).map(Q15.toQ7) == (try q7(item["expected"]))) }
        for item in try cases("arm_q7_to_q15") { #expect(try q7(item["src"]).map(Q7.toQ15) == (try q15(item["expected"]))) }
        for item in try cases("arm_q15_to_float") { #expect(try q15(item["src"]).map(Q15.toFloat) == (try floats(item["expected"]))) }
        for item in try cases("arm_q7_to_float") { #expect(try q7(item["src"]).map(Q7.toFloat) == (try floats(item["expected"]))) }
        for item in try cases("arm_float_to_q15") { #expect(try floats(item["src"]).map(Q15.fromFloat) == (try q15(item["expected"]))) }
        for item in try cases("arm_float_to_q7") { #expect(try floats(item["src"]).map(Q7.fromFloat) == (try q7(item["expected"]))) }
    }

    @Test func dotProducts() throws {
        for item in try cases("arm_dot_prod_q15") {
            #expect(try FixedPointKernels.dotProduct(try q15(item["a"]), try q15(item["b"])) == Int64(try int(item["expected"])))
        }
        for item in try cases("arm_dot_prod_q7") {
            let result = try FixedPointKernels.dotProduct(try q7(item["a"]), try q7(item["b"]), accumulatorBits: 32)
            #expect(result == Int64(try int(item["expected"])))
        }
    }

    @Test func matrixProducts() throws {
        let table: [(String, FixedPointKernels.Options)] = [("arm_mat_mult_q15", .init()), ("arm_mat_mult_fast_q15", .fastWrapping)]
        for (function, options) in table {
            for item in try cases(function) {
                let result = try FixedPointKernels.matrixMultiply(try q15(item["A"]), try q15(item["B"]), rows: try int(item["M"]),
                                                                  inner: try int(item["K"]), columns: try int(item["N"]), options: options)
                #expect(result == (try q15(item["expected"])), "\(function)")
            }
        }
        for item in try cases("arm_mat_mult_q7") {
            let result = try FixedPointKernels.matrixMultiply(try q7(item["A"]), try q7(item["B"]), rows: try int(item["M"]),
                                                              inner: try int(item["K"]), columns: try int(item["N"]),
                                                              options: .init(accumulatorBits: 32))
            #expect(result == (try q7(item["expected"])))
        }
        for item in try cases("arm_mat_vec_mult_q15") {
            let result = try FixedPointKernels.matrixVectorMultiply(try q15(item["A"]), try q15(item["x"]),
                                                                    rows: try int(item["M"]), columns: try int(item["K"]))
            #expect(result == (try q15(item["expected"])))
        }
    }

    @Test func convolutions() throws {
        let table: [(String, FixedPointKernels.Options)] = [("arm_conv_q15", .init()), ("arm_conv_fast_q15", .fastWrapping)]
        for (function, options) in table {
            for item in try cases(function) {
                let result = try FixedPointKernels.convolve(try q15(item["a"]), try q15(item["b"]), options: options)
                #expect(result == (try q15(item["expected"])), "\(function)")
            }
        }
        for item in try cases("arm_conv_q7") {
            let result = try FixedPointKernels.convolve(try q7(item["a"]), try q7(item["b"]), options: .init(accumulatorBits: 32))
            #expect(result == (try q7(item["expected"])))
        }
    }

    @Test func firFilters() throws {
        let table: [(String, FixedPointKernels.Options)] = [("arm_fir_q15", .init()), ("arm_fir_fast_q15", .fastSaturating)]
        for (function, options) in table {
            for item in try cases(function) {
                var filter = try FIRFilter(coefficients: try q15(item["pCoeffs"]), options: options)
                #expect(filter.process(try q15(item["src"])) == (try q15(item["expected"])), "\(function)")
            }
        }
        for item in try cases("arm_fir_q7") {
            var filter = try FIRFilter(coefficients: try q7(item["pCoeffs"]), options: .init(accumulatorBits: 32))
            #expect(filter.process(try q7(item["src"])) == (try q7(item["expected"])))
        }
    }

    @Test func firStreamingMatchesOneBlock() throws {
        let coefficients: [Int16] = [1200, -32768, 32767, 5, -7, 9000]
        let input: [Int16] = (0..<40).map { Int16(truncatingIfNeeded: $0 &* 7919 &- 20000) }
        var whole = try FIRFilter(coefficients: coefficients)
        var split = try FIRFilter(coefficients: coefficients)
        #expect(whole.process(input) == split.process(Array(input[..<13])) + split.process(Array(input[13...])))
    }
}
