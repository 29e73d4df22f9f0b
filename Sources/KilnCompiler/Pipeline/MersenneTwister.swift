/// The 32-bit Mersenne Twister MT19937 (Matsumoto and Nishimura, 1998), the generator C++'s
/// `std::mt19937` names: a 624-word state seeded by `x[i] = 1812433253 · (x[i−1] ⊕ (x[i−1] ≫ 30)) + i`
/// (mod 2³²), twisted with the matrix 0x9908B0DF, each word tempered by the shifts 11, 7
/// (mask 0x9D2C5680), 15 (mask 0xEFC60000) and 18 (ISO C++ [rand.eng.mers], [rand.predef]).
/// A search that must stop where a C++ tool's stops draws from it: the same seed gives the same
/// sequence on every platform (the standard fixes the 10000th output of the default seed,
/// 5489, at 4123659995).
struct MersenneTwister {
    private var state: [UInt32]
    private var index: Int

    /// `std::mt19937`'s default seed.
    static let defaultSeed: UInt32 = 5489

    /// A generator seeded as `std::mt19937(seed)` is.
    init(seed: UInt32 = Self.defaultSeed) {
        var state = [UInt32](repeating: 0, count: 624)
        state[0] = seed
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
        self.state = state
        index = 624
    }

    /// The next output, as `rng()` returns it.
    mutating func next() -> UInt32 {
        if index == 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// The next output modulo `count` (`rng() % count`, no distribution object), for `count` > 0.
    mutating func next(below count: Int) -> Int {
        Int(next() % UInt32(count))
    }

    /// Regenerates all 624 words from the previous ones.
    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
        }
        index = 0
    }
}
