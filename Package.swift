// swift-tools-version: 6.0
// soup-run: fetch secrets from the Soup Secrets API, merge them into the environment, exec.
// No package dependencies by design: the toolchain and system C libraries (libcurl, libcrypto) only.
import PackageDescription

let package = Package(
    name: "soup-run",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "soup-run", targets: ["soup-run"]),
        .executable(name: "soup-dev-server", targets: ["soup-dev-server"]),
    ],
    targets: [
        // C shims: the only places that talk to libcurl, libcrypto and to fork/exec/signals.
        // libssl on Linux: soup_tls.c sets OpenSSL up before libcurl does. The static release build
        // (scripts/release.sh) resolves -lcurl, -lssl and -lcrypto to archives.
        .target(
            name: "CSoupCurl",
            linkerSettings: [.linkedLibrary("curl"), .linkedLibrary("ssl", .when(platforms: [.linux]))]
        ),
        .target(name: "CSoupProcess"),
        // libcrypto (OpenSSL) for the encrypted fallback copy; macOS builds compile stubs (no headers in its SDK).
        .target(name: "CSoupCrypto", linkerSettings: [.linkedLibrary("crypto", .when(platforms: [.linux]))]),

        // Shared by client and server: JSON, key rules, percent-encoding.
        .target(name: "SoupCore"),

        // soup-dev-server: HTTP/1.1 over sockets, the API, a thin executable.
        .target(name: "SoupHTTP", dependencies: ["SoupCore"]),
        .target(name: "SoupDevServer", dependencies: ["SoupCore", "SoupHTTP"]),
        .executableTarget(name: "soup-dev-server", dependencies: ["SoupDevServer"]),

        // soup-run: all logic in the library, a thin executable.
        .target(name: "SoupRun", dependencies: ["SoupCore", "CSoupCurl", "CSoupProcess", "CSoupCrypto"]),
        .executableTarget(name: "soup-run", dependencies: ["SoupRun"]),

        // Helpers shared by the test targets (seeded generators); not part of any product.
        .target(name: "SoupTestSupport", path: "Tests/SoupTestSupport"),
        .testTarget(name: "SoupCoreTests", dependencies: ["SoupCore", "SoupTestSupport"]),
        .testTarget(name: "SoupHTTPTests", dependencies: ["SoupHTTP", "SoupCore", "SoupTestSupport"]),
        .testTarget(
            name: "SoupDevServerTests",
            dependencies: ["SoupDevServer", "SoupHTTP", "SoupCore", "SoupTestSupport"]
        ),
        // SoupDevServer for its RateLimiter: the fleet simulation paces soup-run against the real one.
        .testTarget(
            name: "SoupRunTests", dependencies: ["SoupRun", "SoupCore", "SoupTestSupport", "SoupDevServer"]),
        // Runs the built soup-run and soup-dev-server binaries against real servers and processes.
        .testTarget(
            name: "EndToEndTests",
            // SoupRun only to write fallback copies with a past date (`--fallback-max-age`).
            dependencies: ["soup-run", "soup-dev-server", "SoupDevServer", "SoupHTTP", "SoupCore", "SoupRun"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
