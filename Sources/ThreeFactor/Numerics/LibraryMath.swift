#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The C library's elementary functions, and Python's float arithmetic, as the reference
// implementations evaluate them.
//
// These wrappers exist for bit-for-bit equality with the reference simulators (Gymnasium's
// Python environments, the authors' NumPy and C++ code), which call the C library's `exp`,
// `log`, `sin`, `cos` and `pow`: a run's numbers depend on which implementation is called.
// The names cannot clash with Foundation's or the standard library's overloads, so every
// file of the core that calls them reaches the same C function.

@usableFromInline func _exp(_ x: Double) -> Double { exp(x) }
@usableFromInline func _log(_ x: Double) -> Double { log(x) }
@usableFromInline func _sin(_ x: Double) -> Double { sin(x) }
@usableFromInline func _cos(_ x: Double) -> Double { cos(x) }

/// The exponential used by the closed-loop task (sensors, neurons, resonators): the C
/// library's, which the authors' C++ code also calls.
@inline(__always) @usableFromInline
func closedLoopExp(_ x: Double) -> Double { exp(x) }

// Python's `x ** 2` (and `math.pow(x, 2)`) on a float64 scalar, or on a NumPy float64 or
// float32 scalar, calls the C library's `pow` / `powf`; NumPy's `np.square` and array
// powers multiply instead. glibc's `pow` is accurate to about half an ulp but not always
// correctly rounded, so `pow(x, 2)` differs from `x * x` in the last bit for roughly one
// argument in a thousand — enough to make a chaotic system such as the Acrobot leave the
// reference trajectory after a few hundred steps. The environments therefore square with
// `pow` wherever the reference writes `** 2`, and with `*` wherever it writes `np.square`.
// (The golden trajectories were recorded on glibc; a platform whose libm rounds `pow`
// differently may differ in the last bit there.)

/// `x ** 2` for a float64 scalar in Python / NumPy: C `pow(x, 2.0)`.
@inline(__always)
func pythonSquare(_ x: Double) -> Double { libraryPow(x, 2.0) }

/// `x ** 2` for a NumPy float32 scalar: C `powf(x, 2.0f)`.
@inline(__always)
func pythonSquare(_ x: Float) -> Float { libraryPowf(x, 2.0) }

// An optimised build rewrites a call `pow(x, 2.0)` with a constant exponent as `x * x`
// (LLVM's library-call simplification), which is exactly what must not happen here. These
// wrappers are compiled without optimisation and never inlined, so the exponent reaches
// them as a variable and the C library's `pow` is really called.
@_optimize(none) @inline(never)
func libraryPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }

@_optimize(none) @inline(never)
func libraryPowf(_ x: Float, _ y: Float) -> Float { powf(x, y) }

/// `a % b` / `np.mod(a, b)` for floats: the sign of the result follows `b`, computed from
/// the C `fmod` remainder moved by `b` when the signs differ (which rounds up to exactly
/// `b` for tiny negative `a`, as NumPy's result does); a zero remainder is +0 for b > 0.
@inline(__always)
func flooredModulo(_ a: Double, _ b: Double) -> Double {
    var r = a.truncatingRemainder(dividingBy: b)
    if r != 0 {
        if (b < 0) != (r < 0) { r += b }
    } else {
        r = b < 0 ? -0.0 : 0.0
    }
    return r
}
