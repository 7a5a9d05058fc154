/// What the `soup-dev-server` command line asks for.
public enum ServerCommand: Sendable, Equatable {
    case run(ServerOptions)
    case help
    case version
}

/// How the server runs.
public struct ServerOptions: Sendable, Equatable {
    /// The address to bind: loopback unless asked otherwise.
    public var host = "127.0.0.1"
    /// The TCP port; 0 picks a free one.
    public var port: UInt16 = 8080
    /// The state file; nil keeps the demo data in memory.
    public var dataPath: String?

    public init(host: String = "127.0.0.1", port: UInt16 = 8080, dataPath: String? = nil) {
        self.host = host
        self.port = port
        self.dataPath = dataPath
    }
}

/// A command line the server cannot run with, named by the flag or argument at fault.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Parsing of `soup-dev-server [--host H] [--port P] [--data PATH] [--help] [--version]`.
public enum ServerCommandLine {
    public static let version = "soup-dev-server 0.1.0"

    public static let usage = """
        usage: soup-dev-server [--host ADDRESS] [--port PORT] [--data PATH]
               soup-dev-server --help | --version

        A local Soup Secrets API (/api/v1) for development and tests.

          --host ADDRESS  address to listen on (default 127.0.0.1)
          --port PORT     TCP port, 0 for any free port (default 8080)
          --data PATH     JSON state file; created with demo data if missing
                          (default: demo data in memory, lost on exit)
          --help          print this help
          --version       print the version

        Prints "listening on http://ADDRESS:PORT/api/v1" when ready; one line per request
        on stderr. SIGTERM or SIGINT: finishes requests in flight and exits 0.
        One server per state file (locked; stale temporary files are removed at start).
        Exit codes: 64 usage, 69 cannot listen, 73 cannot create the state file or it is
        in use by another server, 78 unreadable or invalid state file.

        """

    /// Parses the arguments after the program name. Flags take `--flag value` or `--flag=value`;
    /// `--help` and `--version` win over everything else that parses.
    public static func parse(_ arguments: [String]) throws(UsageError) -> ServerCommand {
        var options = ServerOptions()
        var seen: Set<String> = []
        var wantsHelp = false
        var wantsVersion = false
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            let (flag, inlineValue) = split(argument)
            switch flag {
            case "--help", "-h", "--version":
                guard inlineValue == nil else { throw UsageError("\(flag) takes no value") }
                if flag == "--version" { wantsVersion = true } else { wantsHelp = true }
                continue
            case "--host", "--port", "--data":
                break
            default:
                if argument.hasPrefix("-") { throw UsageError("unknown option \(flag)") }
                throw UsageError("unexpected argument \(argument)")
            }
            guard seen.insert(flag).inserted else { throw UsageError("\(flag) given more than once") }
            guard let value = inlineValue ?? rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            switch flag {
            case "--host":
                guard !value.isEmpty else { throw UsageError("--host needs a non-empty address") }
                options.host = value
            case "--port":
                guard let port = UInt16(value) else { throw UsageError("--port must be a number from 0 to 65535") }
                options.port = port
            default:
                guard !value.isEmpty else { throw UsageError("--data needs a non-empty path") }
                options.dataPath = value
            }
        }
        if wantsHelp { return .help }
        if wantsVersion { return .version }
        return .run(options)
    }

    /// `--flag=value` as (`--flag`, `value`); anything else as (argument, nil).
    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    /// The URL the ready line names; IPv6 addresses are bracketed.
    public static func baseURL(host: String, port: UInt16) -> String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "http://\(shownHost):\(port)\(Route.basePath)"
    }
}
