import KilnCompiler

/// The operations the XNOR family's kernels count for its cycle model: the int8 unit's, the
/// binary datapath's (per packing word width) and the host-style float steps of a residual add.
extension Instruction {
    /// One int8 multiply-accumulate on the int8 unit.
    public static let int8UnitMAC = Instruction("int8-unit.mac")
    /// One int8 requantizing output stage (per output element).
    public static let int8UnitOutputStage = Instruction("int8-unit.output-stage")
    /// One int8 comparison of a max pool.
    public static let int8UnitMax = Instruction("int8-unit.max")
    /// One int8 addition of a global average pool.
    public static let int8UnitAccumulate = Instruction("int8-unit.accumulate")
    /// One comparison of an accumulator (or a value) against a threshold.
    public static let thresholdCompare = Instruction("threshold-compare")
    /// One correction of a padded tap's contribution (`zeroCorrected` padding).
    public static let paddingCorrection = Instruction("padding-correction")
    /// One dequantization of an int8 value to float.
    public static let floatDequantize = Instruction("float.dequantize")
    /// One float addition.
    public static let floatAdd = Instruction("float.add")
    /// One quantization of a float to int8.
    public static let floatQuantize = Instruction("float.quantize")

    /// Packing one `wordBits`-bit word of signs.
    public static func pack(wordBits: Int) -> Instruction { Instruction("pack.w\(wordBits)") }
    /// One XNOR-popcount of two `wordBits`-bit words.
    public static func xnorPopcount(wordBits: Int) -> Instruction { Instruction("xnor-popcount.w\(wordBits)") }
    /// One OR of two `wordBits`-bit words (a binary max pool).
    public static func or(wordBits: Int) -> Instruction { Instruction("or.w\(wordBits)") }
}
