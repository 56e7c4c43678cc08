#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The exponential used by the closed-loop task (sensors, neurons, resonators): the C
/// library's, which the authors' C++ code also calls.
@inline(__always) @usableFromInline
func closedLoopExp(_ x: Double) -> Double { exp(x) }
