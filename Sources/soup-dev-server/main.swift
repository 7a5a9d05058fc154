// soup-dev-server: a local Soup Secrets API for development and tests.
// The story: block the stop signals, read the command line, load the state, listen, announce the
// URL, wait for SIGTERM or SIGINT, let requests in flight finish, exit 0.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import SoupDevServer
import SoupHTTP

// First, before any thread exists: every thread inherits the mask, so only `wait()` sees the signals.
ShutdownSignals.block()

let options: ServerOptions
do {
    switch try ServerCommandLine.parse(Array(CommandLine.arguments.dropFirst())) {
    case .help:
        Console.output(ServerCommandLine.usage)
        exit(ServerExitCode.success.rawValue)
    case .version:
        Console.output(ServerCommandLine.version + "\n")
        exit(ServerExitCode.success.rawValue)
    case .run(let parsed):
        options = parsed
    }
} catch {
    Console.error("soup-dev-server: \(error)\nTry 'soup-dev-server --help'.\n")
    exit(ServerExitCode.usage.rawValue)
}

let store: Store
let usesDemo: Bool
do {
    let removed: [String]
    (store, usesDemo, removed) = try Store.load(path: options.dataPath)
    for path in removed {
        Console.error("soup-dev-server: removed \(path), left by a server killed while writing\n")
    }
} catch {
    Console.error("soup-dev-server: \(error)\n")
    exit(error.exitCode.rawValue)
}

let api = SecretsAPI(store: store)
let server = HTTPServer(host: options.host, port: options.port, handler: RequestLog.logging(api.handle))
let port: UInt16
do {
    port = try server.start()
} catch {
    Console.error("soup-dev-server: \(error)\n")
    exit(ServerExitCode.unavailable.rawValue)
}

if usesDemo { Console.output("demo token: \(DevServerState.demoToken)\n") }
Console.output("listening on \(ServerCommandLine.baseURL(host: options.host, port: port))\n")

let received = ShutdownSignals.wait()
Console.error("soup-dev-server: signal \(received): finishing requests in flight\n")
server.shutdown()
exit(ServerExitCode.success.rawValue)
