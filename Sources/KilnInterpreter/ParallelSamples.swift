import Dispatch
import KilnDiagnostics
#if canImport(Glibc)
import Glibc
#endif

/// Runs independent samples of a batch on several threads (Dispatch), keeping their order.
public enum ParallelSamples {
    /// The number of processors available.
    public static var activeProcessorCount: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }

    /// Calls `body` for every index in `0..<count`, on up to `threads` threads (default: one per
    /// processor), and returns the results in index order.
    /// - Throws: the first error (by index) that `body` threw.
    public static func map<Value: Sendable>(_ count: Int, threads: Int? = nil,
                                            _ body: @Sendable (Int) throws(DiagnosticError) -> Value) throws(DiagnosticError) -> [Value] {
        let slots = Slots<Value>(count: count)
        let workers = max(1, min(threads ?? activeProcessorCount, count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < count {
                slots.store(Result { () throws(DiagnosticError) -> Value in try body(index) }, at: index)
                index += workers
            }
        }
        var values: [Value] = []
        values.reserveCapacity(count)
        for slot in slots.take() { values.append(try slot.get()) }
        return values
    }

    /// Calls `body(chunk)` for every chunk in `0..<chunks`: in order on this thread when
    /// `threads` ≤ 1 or there is one chunk, else concurrently (Dispatch). The kernels that use it
    /// give each output element to exactly one chunk, so results do not depend on `threads`.
    public static func forEachChunk(_ chunks: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        if chunks <= 1 || threads <= 1 {
            for chunk in 0..<chunks { body(chunk) }
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: body)
        }
    }

    /// Results written by concurrent workers, each to its own slot.
    private final class Slots<Value: Sendable>: @unchecked Sendable {
        private var slots: [Result<Value, DiagnosticError>?]
        private let lock = DispatchQueue(label: "kiln.parallel-samples")
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func store(_ result: Result<Value, DiagnosticError>, at index: Int) { lock.sync { slots[index] = result } }
        func take() -> [Result<Value, DiagnosticError>] { lock.sync { slots.map { $0! } } }
    }
}

/// A buffer pointer handed to worker threads that read it or write disjoint elements of it.
public struct SharedPointer<Pointee>: @unchecked Sendable {
    /// The shared buffer.
    public let pointer: UnsafeMutablePointer<Pointee>
    /// Shares a buffer the workers write (each its own elements).
    public init(_ pointer: UnsafeMutablePointer<Pointee>) { self.pointer = pointer }
    /// Shares a buffer the workers only read.
    public init(_ pointer: UnsafePointer<Pointee>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }
}
