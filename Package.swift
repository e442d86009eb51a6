// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "PromoLedger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "promoctl", targets: ["promoctl"]),
        .library(name: "PromoDomain", targets: ["PromoDomain"]),
        .library(name: "EventStore", targets: ["EventStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Already there under hummingbird and postgres-nio; named for the event-stream test's raw client.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Pure domain: money, catalog, pricing, commands and events. No I/O, no NIO.
        // HashTreeCollections: per-customer counters that grow with every buyer, copied in O(log n) by the
        // states a batch of orders works on (already in the graph through postgres-nio).
        .target(
            name: "PromoDomain",
            dependencies: [.product(name: "HashTreeCollections", package: "swift-collections")],
            swiftSettings: swiftSettings),
        // The PostgreSQL event store: append, read, verify, subscribe, migrate.
        .target(
            name: "EventStore",
            dependencies: [
                "PromoDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The operator page: HTML, CSS, JavaScript and the vendored Chart.js, served by the API at / and /assets.
        .target(
            name: "PromoDashboard",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Assets")],
            swiftSettings: swiftSettings),
        // The HTTP API (Hummingbird 2).
        .target(
            name: "PromoAPI",
            dependencies: [
                "EventStore",
                "PromoDashboard",
                "ProjectionRuntime",
                "PromoDomain",
                "PromoProjections",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // liblz4 (Debian's liblz4-dev, installed by tools/lib/pg.sh): the frame format of archives and backups.
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        // What operators and auditors run on a whole store: LZ4 archives, backup and restore.
        .target(
            name: "PromoOperations",
            dependencies: [
                "CLZ4",
                "EventStore",
                "PromoDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Projection workers: leases, batches and checkpoints, parked events, rebuilds beside the live read model.
        .target(
            name: "ProjectionRuntime",
            dependencies: [
                "EventStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The read models' SQL definitions (Projections/sql/NAME.vN.sql), shipped as resources.
        .target(
            name: "ProjectionSQL", path: "Projections", exclude: ["README.md"], resources: [.copy("sql")],
            swiftSettings: swiftSettings),
        // The read models: one folder each, with its handler and its queries.
        .target(
            name: "PromoProjections",
            dependencies: [
                "EventStore",
                "ProjectionRuntime",
                "ProjectionSQL",
                "PromoDomain",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The promoctl subcommands, as a library so tests can drive them in-process.
        .target(
            name: "PromoCLI",
            dependencies: [
                "EventStore",
                "PromoOperations",
                "ProjectionRuntime",
                "PromoAPI",
                "PromoProjections",
                "PromoDomain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: the real PostgreSQL of tools/test, migrated once per test process.
        .target(
            name: "PromoTestSupport",
            dependencies: [
                "EventStore",
                "PromoDomain",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "promoctl", dependencies: ["PromoCLI"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PromoDomainTests",
            dependencies: ["PromoDomain", "PromoTestSupport"],
            resources: [.copy("Pricing/Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EventStoreTests",
            dependencies: [
                "EventStore",
                "PromoTestSupport",
                "PromoDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProjectionTests",
            dependencies: [
                "EventStore",
                "PromoCLI",
                "ProjectionRuntime",
                "PromoDomain",
                "PromoProjections",
                "PromoTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PromoAPITests",
            dependencies: [
                "EventStore",
                "ProjectionRuntime",
                "PromoProjections",
                "PromoTestSupport",
                "PromoAPI",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PromoCLITests",
            dependencies: [
                "EventStore",
                "PromoAPI",
                "PromoOperations",
                "ProjectionRuntime",
                "PromoProjections",
                "PromoCLI",
                "PromoDomain",
                "PromoTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
