// swift-tools-version: 6.0
import PackageDescription

/// A package of its own that adds one learning rule to ThreeFactor without touching the
/// toolkit: the rule (`Sources/AGREL/AGREL.swift`), an executable that registers it and runs
/// the toolkit's command line, and the rule's tests. The toolkit comes in by path.
let package = Package(
    name: "CustomRule",
    products: [
        .executable(name: "custom-rule", targets: ["custom-rule"]),
    ],
    dependencies: [
        .package(name: "ThreeFactor", path: "../.."),
    ],
    targets: [
        // The rule: one file.
        .target(name: "AGREL", dependencies: [.product(name: "ThreeFactor", package: "ThreeFactor")]),
        // `custom-rule run|replicate|verify|list|describe ...`: the toolkit's commands with the rule registered.
        .executableTarget(
            name: "custom-rule",
            dependencies: [
                "AGREL",
                .product(name: "ThreeFactor", package: "ThreeFactor"),
                .product(name: "ThreeFactorCLI", package: "ThreeFactor"),
            ]),
        .testTarget(
            name: "AGRELTests",
            dependencies: [
                "AGREL",
                .product(name: "ThreeFactor", package: "ThreeFactor"),
                .product(name: "Replication", package: "ThreeFactor"),
            ]),
    ],
    swiftLanguageModes: [.v5]
)
