#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

// The C library's elementary functions under names that cannot clash with Foundation's or
// the standard library's overloads, so every file of the core calls the same `exp`, `log`,
// `sin`, `cos` (a run's numbers depend on which implementation is called).

@usableFromInline func _exp(_ x: Double) -> Double { exp(x) }
@usableFromInline func _log(_ x: Double) -> Double { log(x) }
@usableFromInline func _sin(_ x: Double) -> Double { sin(x) }
@usableFromInline func _cos(_ x: Double) -> Double { cos(x) }
