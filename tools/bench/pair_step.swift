// The SIMD family's GEMM pair step, two ways, timed alone (docs/performance.md):
//   halves: widen 8 + 8 int16 lanes to int32, multiply, add even and odd products
//           (the `pmaddwd` shape; with AVX2 LLVM emits vpmulld + vphaddd instead);
//   shifts: multiply 16 int16 lanes (products of 8-bit codes are exact in int16), then add each
//           pair's sign-extended low and high halves in int32 (what Int8GEMM uses).
// A 4-row register tile sharing one weight step, as in Int8GEMM. Both print the same checksum.
//   swiftc -O -target-cpu haswell tools/bench/pair_step.swift -o /tmp/pair_step && /tmp/pair_step
//   swiftc -O tools/bench/pair_step.swift -o /tmp/pair_step && /tmp/pair_step
typealias P = SIMD16<Int16>
typealias L = SIMD8<Int32>
@inline(__always) func halves(_ x: P, _ w: P) -> L {
    let lo = SIMD8<Int32>(truncatingIfNeeded: x.lowHalf) &* SIMD8<Int32>(truncatingIfNeeded: w.lowHalf)
    let hi = SIMD8<Int32>(truncatingIfNeeded: x.highHalf) &* SIMD8<Int32>(truncatingIfNeeded: w.highHalf)
    return L(lowHalf: lo.evenHalf &+ lo.oddHalf, highHalf: hi.evenHalf &+ hi.oddHalf)
}
@inline(__always) func shifts(_ x: P, _ w: P) -> L {
    let words = unsafeBitCast(x &* w, to: L.self)
    return ((words &<< 16) &>> 16) &+ (words &>> 16)
}
@inline(never) func kernelA(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ depth: Int, _ out: UnsafeMutablePointer<L>) {
    var c0 = L(), c1 = L(), c2 = L(), c3 = L()
    var k = 0; var w = b
    while k < depth {
        let weight = w.loadUnaligned(as: P.self)
        c0 &+= halves(unsafeBitCast(L(repeating: a.loadUnaligned(fromByteOffset: 2*k, as: Int32.self)), to: P.self), weight)
        c1 &+= halves(unsafeBitCast(L(repeating: a.loadUnaligned(fromByteOffset: 2*k + 4096, as: Int32.self)), to: P.self), weight)
        c2 &+= halves(unsafeBitCast(L(repeating: a.loadUnaligned(fromByteOffset: 2*k + 8192, as: Int32.self)), to: P.self), weight)
        c3 &+= halves(unsafeBitCast(L(repeating: a.loadUnaligned(fromByteOffset: 2*k + 12288, as: Int32.self)), to: P.self), weight)
        w += 64; k += 2
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3
}
@inline(never) func kernelB(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ depth: Int, _ out: UnsafeMutablePointer<L>) {
    var c0 = L(), c1 = L(), c2 = L(), c3 = L()
    var k = 0; var w = b
    while k < depth {
        let weight = w.loadUnaligned(as: P.self)
        c0 &+= shifts(unsafeBitCast(L(repeating: a.loadUnaligned(fromByteOffset: 2*k, as: Int32.self)), to: P.self), weight)
        c1 &+= shifts(unsafeBitCast(L(repeating: a.loadUnaligned(fromByteOffset: 2*k + 4096, as: Int32.self)), to: P.self), weight)
        c2 &+= shifts(unsafeBitCast(L(repeating: a.loadUnaligned(fromByteOffset: 2*k + 8192, as: Int32.self)), to: P.self), weight)
        c3 &+= shifts(unsafeBitCast(L(repeating: a.loadUnaligned(fromByteOffset: 2*k + 12288, as: Int32.self)), to: P.self), weight)
        w += 64; k += 2
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3
}
let a = UnsafeMutableRawPointer.allocate(byteCount: 16384 + 4096, alignment: 64)
let b = UnsafeMutableRawPointer.allocate(byteCount: 64 * 1024, alignment: 64)
for i in 0..<(16384+4096)/2 { a.storeBytes(of: Int16(i % 200), toByteOffset: 2*i, as: Int16.self) }
for i in 0..<(64*1024)/2 { b.storeBytes(of: Int16(i % 250 - 125), toByteOffset: 2*i, as: Int16.self) }
let out = UnsafeMutablePointer<L>.allocate(capacity: 4)
import Dispatch
for (name, f) in [("halves", kernelA), ("shifts", kernelB)] as [(String, (UnsafeRawPointer, UnsafeRawPointer, Int, UnsafeMutablePointer<L>) -> Void)] {
    var best = UInt64.max
    for _ in 0..<5 {
        let t = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<20000 { f(a, b, 2000, out) }
        best = min(best, DispatchTime.now().uptimeNanoseconds - t)
    }
    print(name, out[0][0], Double(20000 * 2000 / 2 * 4 * 16) / Double(best), "MAC/ns (best of 5)")
}
