/// Dot products of two rows in memory, the inner loop of convolution, dense and matrix-vector
/// kernels (the reference interpreter's and the families' own).
///
/// They are `while` loops over pointers: a debug build (which inlines neither range iterators
/// nor buffer subscripts) runs them several times faster than `for k in 0..<count` over
/// arrays, and an optimized build compiles both to the same code. Four terms per step, still
/// added in index order: a debug build spends as much on the loop's bookkeeping as on a term.
public enum DotProduct {
    /// `Σ a[k]·b[k]` for `k` in `0..<count`, in int32 with wrapping (two's complement)
    /// arithmetic, as a 32-bit accumulator of int8 products does; 0 when a row is nil.
    public static func wrappingSum(_ a: UnsafePointer<Int32>?, _ b: UnsafePointer<Int32>?, count: Int) -> Int32 {
        var sum: Int32 = 0
        guard let a, let b else { return sum }
        var k = 0
        while k + 4 <= count {
            sum = sum &+ a[k] &* b[k] &+ a[k + 1] &* b[k + 1] &+ a[k + 2] &* b[k + 2] &+ a[k + 3] &* b[k + 3]
            k += 4
        }
        while k < count {
            sum = sum &+ a[k] &* b[k]
            k += 1
        }
        return sum
    }

    /// `Σ a[k]·b[k]` in float32, summed in index order (k = 0 first); 0 when a row is nil.
    public static func sum(_ a: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?, count: Int) -> Float {
        var sum: Float = 0
        guard let a, let b else { return sum }
        var k = 0
        while k + 4 <= count {
            sum += a[k] * b[k]
            sum += a[k + 1] * b[k + 1]
            sum += a[k + 2] * b[k + 2]
            sum += a[k + 3] * b[k + 3]
            k += 4
        }
        while k < count {
            sum += a[k] * b[k]
            k += 1
        }
        return sum
    }
}
