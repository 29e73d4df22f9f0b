import KilnJSON
import KilnNumerics
import KilnTargets

/// The `simd` family: CPU cores with vector dot-product or multiply-add instructions
/// (Arm NEON SDOT, x86 AVX2 `vpmaddubsw`, AVX-512 VNNI `vpdpbusd`).
public struct SIMDFamily: TargetFamilySchema {
    /// Creates the family schema.
    public init() {}

    /// `"simd"`.
    public var name: String { "simd" }
    /// What the family models.
    public var summary: String { "CPU SIMD: vector dot-product / multiply-add instructions" }

    /// The schema of the `simd` section.
    public static let sectionSchema = TargetSchemaSection(path: "simd", fields: [
        .cost("vectorWidthBits", "sourced integer ≥ 8", "Width of one vector register in bits (128 for NEON, 256 for AVX2, 512 for AVX-512).").plausible(8...4096),
        .cost("registerCount", "sourced integer ≥ 1", "Number of architectural vector registers.").plausible(1...1024),
        .cost("vectorInstructionsPerCycle", "sourced number > 0", "Vector instructions of full register width (any kind but loads and stores) issued per cycle per core: the number of vector pipes.").plausible(0.001...1024),
        TargetField("instructions", "array of objects", "Dot-product and multiply-accumulate instructions the kernels use (see `simd.instructions[]`)."),
    ])

    /// The schema of one `simd.instructions[]` element.
    public static let instructionSchema = TargetSchemaSection(path: "simd.instructions[]", fields: [
        TargetField("name", "string", "Mnemonic (`sdot`, `vpmaddubsw`, `vpdpbusd`)."),
        TargetField("inputFormats", "array of element-type names", "Formats of the two multiplied operands, e.g. `[\"u8\", \"i8\"]`; each must be in `numerics.storageFormats`."),
        TargetField("accumulatorFormat", "element-type name", "Format of each output lane (`i16` for `vpmaddubsw`, `i32` for `sdot`)."),
        .cost("lanes", "sourced integer ≥ 1", "Output lanes per instruction.").plausible(1...65536),
        .cost("productsPerLane", "sourced integer ≥ 1", "Products summed into each lane per instruction (4 for `sdot`, 2 for `vpmaddubsw`).").plausible(1...65536),
        .cost("throughputPerCycle", "sourced number > 0", "Instructions issued per cycle per core (reciprocal throughput inverted).").plausible(0.001...1024),
        .cost("latencyCycles", "sourced number ≥ 1", "Result latency in cycles.").plausible(1...1_000_000),
        TargetField("pairSumSaturates", "boolean", "Whether the sum of products into a lane saturates (true for x86 `vpmaddubsw`, which saturates the int16 pair sum)."),
    ])

    /// The section and its nested objects.
    public var sections: [TargetSchemaSection] { [Self.sectionSchema, Self.instructionSchema] }

    /// Decodes the `simd` section.
    public func decode(_ reader: TargetSectionReader, common: TargetCommonPart) -> (any TargetFamilySection)? {
        let width = reader.sourcedInteger("vectorWidthBits", in: 8...4096)
        // Vector registers are a power of two bits wide (NEON 128, AVX2 256, AVX-512 512).
        if let bits = width?.value, bits & (bits - 1) != 0 {
            reader.error("\(bits) is not a power of two; a vector register is 64, 128, 256, 512… bits wide", at: "vectorWidthBits")
        }
        let registers = reader.sourcedInteger("registerCount", in: 1...1024)
        let vectorIssue = reader.sourcedNumber("vectorInstructionsPerCycle", .positive)
        let entries = reader.sections("instructions", Self.instructionSchema, allowEmpty: false)
        var instructions: [SIMDSection.Instruction] = []
        var ok = entries != nil
        for entry in entries ?? [] {
            let name = entry.string("name")
            let inputs = entry.formats("inputFormats", allowRepeats: true)
            let accumulatorName = entry.string("accumulatorFormat")
            let lanes = entry.sourcedInteger("lanes", in: 1...65536)
            let products = entry.sourcedInteger("productsPerLane", in: 1...65536)
            let throughput = entry.sourcedNumber("throughputPerCycle", .positive)
            let latency = entry.sourcedNumber("latencyCycles", .range(1...1_000_000))
            let saturates = entry.bool("pairSumSaturates")
            if let inputs {
                if inputs.count != 2 {
                    entry.error("expected exactly two operand formats, got \(inputs.count)", at: "inputFormats")
                    ok = false
                }
                common.checkFormats(inputs, declaredBy: "instruction '\(name ?? "?")'", at: entry.path(of: "inputFormats"), context: entry.context)
            }
            var accumulator: ElementType?
            if let accumulatorName {
                accumulator = ElementType(name: accumulatorName)
                if accumulator == nil { entry.error("unknown element type '\(accumulatorName)'", at: "accumulatorFormat") }
            }
            if let width, let lanes, let accumulator, lanes.value.multipliedReportingOverflow(by: accumulator.bitWidth).partialValue > width.value {
                entry.error("\(lanes.value) lanes of \(accumulator.name) need \(lanes.value * accumulator.bitWidth) bits, more than simd.vectorWidthBits (\(width.value))", at: "lanes")
                ok = false
            }
            guard let name, let inputs, inputs.count == 2, let accumulator, let lanes, let products, let throughput, let latency, let saturates else {
                ok = false
                continue
            }
            instructions.append(SIMDSection.Instruction(name: name, inputFormats: inputs, accumulatorFormat: accumulator, lanes: lanes,
                                                        productsPerLane: products, throughputPerCycle: throughput,
                                                        latencyCycles: latency, pairSumSaturates: saturates))
        }
        guard ok, let width, let registers, let vectorIssue else { return nil }
        return SIMDSection(vectorWidthBits: width, registerCount: registers, vectorInstructionsPerCycle: vectorIssue, instructions: instructions)
    }
}
