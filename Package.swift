// swift-tools-version:5.9
import Foundation
import PackageDescription

// libclang comes from an LLVM install: Debian's libclang-dev (LLVM 14) by default.
// Set BUFFERLINT_LLVM_PREFIX to build against another one (it must hold include/clang-c and lib/libclang.so).
let llvmPrefix = ProcessInfo.processInfo.environment["BUFFERLINT_LLVM_PREFIX"] ?? "/usr/lib/llvm-14"

let package = Package(
    name: "bufferlint",
    products: [
        .executable(name: "bufferlint", targets: ["bufferlint"]),
        .library(name: "BufferLintKit", targets: ["BufferLintKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CClang", path: "Sources/CClang"),
        .target(
            name: "BufferLintKit",
            dependencies: ["CClang", .product(name: "Yams", package: "Yams")],
            swiftSettings: [.unsafeFlags(["-Xcc", "-I\(llvmPrefix)/include"])],
            linkerSettings: [
                .unsafeFlags(["-L\(llvmPrefix)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(llvmPrefix)/lib"]),
                .linkedLibrary("clang"),
            ]
        ),
        .executableTarget(
            name: "bufferlint",
            dependencies: ["BufferLintKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: [.unsafeFlags(["-Xcc", "-I\(llvmPrefix)/include"])]
        ),
        // The parsers of untrusted input under libFuzzer (Scripts/fuzz.sh); built as usual, a replayer of kept inputs.
        .executableTarget(
            name: "bufferlint-fuzz",
            dependencies: ["BufferLintKit"],
            swiftSettings: [.unsafeFlags(["-Xcc", "-I\(llvmPrefix)/include", "-parse-as-library"])]
        ),
        .testTarget(
            name: "BufferLintKitTests",
            dependencies: ["BufferLintKit"],
            swiftSettings: [.unsafeFlags(["-Xcc", "-I\(llvmPrefix)/include"])]
        ),
    ]
)
