// swift-tools-version: 6.1
//
// The HTTP witness server (C2SP tlog-witness `add-checkpoint` on loopback), with its state in
// SQLite (GRDB, the default) or PostgreSQL (postgres-nio, for several instances sharing state).
// A separate package, so the main package's builds (tests, fuzzing, sanitizers) never compile
// Hummingbird, SwiftNIO, GRDB or postgres-nio. It depends on the main package by path.
import PackageDescription

let package = Package(
    name: "SealedJournalWitnessServer",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "WitnessServer", targets: ["WitnessServer"]),
        .executable(name: "sealed-journal-witness-server", targets: ["WitnessServerCLI"]),
    ],
    dependencies: [
        .package(name: "SealedJournal", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "WitnessServer",
            dependencies: [
                .product(name: "SealedJournal", package: "SealedJournal"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "WitnessServerCLI",
            dependencies: ["WitnessServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "WitnessServerTests",
            dependencies: ["WitnessServer", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
