// `Float.rounded(_:)` and friends lower to libm calls (`rintf`, `floorf`, ...) in unoptimized
// builds. On Linux the C library module must be imported somewhere in this module so that
// its autolink entry brings libm into every program that links KilnNumerics.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
