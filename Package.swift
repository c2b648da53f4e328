// swift-tools-version: 6.1
//
// SealedJournal: sealed, append-only recovery journals on libsodium.
// Layers (Sources/SealedJournal/*): Crypto -> Format -> Storage -> Journal -> Export.
import PackageDescription

let package = Package(
    name: "SealedJournal",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SealedJournal", targets: ["SealedJournal"]),
        // The HTML compliance report and check-in page: apart, so embedders who never render HTML do not link it.
        .library(name: "SealedJournalHTML", targets: ["SealedJournalHTML"]),
        .executable(name: "sealed-journal", targets: ["SealedJournalCLI"]),
        .executable(name: "sealed-journal-bench", targets: ["SealedJournalBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `make docs`: the DocC catalog (Sources/SealedJournal/SealedJournal.docc), warnings as errors.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // libsodium, found through pkg-config. Internal: no C type crosses the public API.
        .systemLibrary(
            name: "CSodium",
            path: "Sources/CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        .target(
            name: "SealedJournal",
            dependencies: ["CSodium"],
            path: "Sources/SealedJournal"
        ),
        .target(
            name: "SealedJournalHTML",
            dependencies: ["SealedJournal"],
            path: "Sources/SealedJournalHTML"
        ),
        .executableTarget(
            name: "SealedJournalCLI",
            dependencies: [
                "SealedJournal",
                "SealedJournalHTML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/SealedJournalCLI"
        ),
        // `swift run -c release sealed-journal-bench`: the figures quoted in notes come from here.
        .executableTarget(
            name: "SealedJournalBench",
            dependencies: ["SealedJournal", "CSodium"],
            path: "Benchmarks/SealedJournalBench"
        ),
        // libFuzzer targets (built with -DFUZZING and --sanitize=fuzzer), otherwise a corpus replayer.
        .executableTarget(
            name: "SealedJournalFuzz",
            dependencies: ["SealedJournal"],
            path: "Fuzz/SealedJournalFuzz"
        ),
        // A helper process the crash and multi-process tests start and kill.
        .executableTarget(
            name: "JournalWorker",
            dependencies: ["SealedJournal"],
            path: "Tests/JournalWorker"
        ),
        // README.md's library example, compiled and run as written, through the public API only.
        .testTarget(
            name: "SealedJournalExampleTests",
            dependencies: ["SealedJournal"],
            path: "Tests/SealedJournalExampleTests"
        ),
        .testTarget(
            name: "SealedJournalTests",
            dependencies: ["SealedJournal", "SealedJournalHTML", "JournalWorker", "SealedJournalCLI", "SealedJournalFuzz"],
            path: "Tests/SealedJournalTests",
            resources: [.copy("Vectors")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
