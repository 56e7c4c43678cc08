// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// x86-64 builds target Haswell (2013) and later processors: AVX2 and fused multiply–add.
/// The core's kernels use explicit fused multiply–adds (exact IEEE operations, so results
/// are the same bits on every platform); without hardware FMA each one becomes a slow C
/// library call. Set THREEFACTOR_PORTABLE=1 to build for any x86-64 (same results, slower).
#if arch(x86_64)
let cpu: [SwiftSetting] = ProcessInfo.processInfo.environment["THREEFACTOR_PORTABLE"] == nil
    ? [.unsafeFlags(["-target-cpu", "haswell"])] : []
#else
let cpu: [SwiftSetting] = []
#endif

/// Hot targets are compiled with cross-module optimisation so that the CLI and the
/// replication runner can inline the core's innermost loops.
let hot: [SwiftSetting] = cpu + [
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "ThreeFactor",
    products: [
        .library(name: "ThreeFactor", targets: ["ThreeFactor"]),
        .library(name: "Replication", targets: ["Replication"]),
        // The command line as a library: a package that registers its own rules in the
        // catalog runs them with `ThreeFactorCommand.main()` from its own executable.
        .library(name: "ThreeFactorCLI", targets: ["ThreeFactorCLI"]),
        .executable(name: "threefactor", targets: ["threefactor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // `make docs`: the DocC command plugin (`swift package generate-documentation`); a
        // command plugin is built only when it is invoked, never by `swift build`.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        // Box2D 2.4 (Debian's libbox2d-dev) behind a small C interface, for the Box2D tasks
        // of Gymnasium (LunarLander); Swift cannot use Box2D's C++ classes directly.
        .target(
            name: "CBox2D",
            // The shim's joint solver runs 180 velocity iterations per step; optimise it in
            // debug builds too so that the environment's tests stay fast.
            cxxSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("box2d"), .linkedLibrary("stdc++")]
        ),
        // The lockstep networks' inner loops, compiled for AVX-512, AVX2+FMA and any
        // processor, chosen at run time; optimised in debug builds too, and never contracting
        // a * b + c into a fused multiply-add that the code does not write.
        .target(name: "CLaneKernels", cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]),
        // The core is optimised even in debug builds: unoptimised, its SIMD kernels run a
        // hundred times slower, and every test that trains would take minutes.
        .target(
            name: "ThreeFactor", dependencies: ["CBox2D", "CLaneKernels"],
            swiftSettings: hot + [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .target(
            name: "Replication",
            dependencies: ["ThreeFactor", "CHDF5", "TOMLKit"],
            swiftSettings: hot,
            plugins: ["BuildCommit"]
        ),
        // Records the git commit of the sources at build time, for the run logs.
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .target(
            name: "ThreeFactorCLI",
            dependencies: [
                "ThreeFactor", "Replication",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: hot
        ),
        .executableTarget(name: "threefactor", dependencies: ["ThreeFactorCLI"], swiftSettings: hot),
        .testTarget(name: "ThreeFactorTests", dependencies: ["ThreeFactor", "CBox2D"], swiftSettings: cpu),
        // The test binary's own allocation functions, counting per thread (no allocation
        // inside a step); linked into the tests only.
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .testTarget(
            name: "ReplicationTests", dependencies: ["Replication", "ThreeFactor", "CHDF5", "AllocationCounter"],
            swiftSettings: cpu),
    ],
    swiftLanguageModes: [.v5]
)
