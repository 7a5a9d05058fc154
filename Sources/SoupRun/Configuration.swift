/// Everything soup-run was asked to do, parsed from argv and the environment.
/// Produced by `CommandLineParser.parse` (pure), consumed by fetch, merge, exec and the supervisor.
public struct Configuration: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        /// Run this command (argv[0] is looked up in the final environment's PATH).
        case run(command: [String])
        /// Print the final secrets instead of running a command.
        case export(ExportFormat)
    }

    public enum ExportFormat: String, Sendable, Equatable, CaseIterable {
        /// The list every help text, error and completion derives from (`spelledOut`, ...).
        case shell, dotenv, json, fish
    }

    /// Which inherited variables win over secrets of the same name (`--preserve-env[=KEYS]`).
    /// See `EnvironmentMerge.merge` for how it combines with `--pristine` and `--only`.
    public enum Preserve: Sendable, Equatable {
        /// Secrets win (the default).
        case none
        /// Every inherited variable wins.
        case all
        /// The listed inherited variables win.
        case keys([String])
    }

    public enum Verbosity: Int, Sendable, Equatable, Comparable {
        case quiet, normal, verbose
        public static func < (a: Verbosity, b: Verbosity) -> Bool { a.rawValue < b.rawValue }
    }

    /// Where the API token comes from. Reading the file happens later, outside the parser.
    public enum TokenSource: Sendable, Equatable, CustomStringConvertible {
        case literal(Secret)
        case file(path: String)
        public var description: String {
            switch self {
            case .literal: return "token (redacted)"
            case .file(let path): return "token file \(path)"
            }
        }
    }

    /// The supervisor's settings, from `--interval`, `--stop-signal`, `--stop-timeout`, `--splay`.
    /// Nil without `--watch`. Bounds checked by the parser: interval 0.1...86400, stopTimeout
    /// 0...3600, splay 0...3600, stopSignal one of `SignalName.all`.
    public struct Watch: Sendable, Equatable {
        public var interval: Double
        public var stopSignal: Int32
        public var stopTimeout: Double
        public var splay: Double
        /// After SIGKILL, how long to wait for the rest of the old group before starting (or
        /// exiting) anyway. Not a flag: a fixed bound, settable for tests.
        public var killGrace: Double

        public init(
            interval: Double = 10, stopSignal: Int32 = 15, stopTimeout: Double = 10, splay: Double = 0,
            killGrace: Double = 5
        ) {
            self.interval = interval
            self.stopSignal = stopSignal
            self.stopTimeout = stopTimeout
            self.splay = splay
            self.killGrace = killGrace
        }
    }

    /// `--fallback PATH` (or `SOUP_FALLBACK_FILE`) and its companions. Nil: no copy is kept or read.
    public struct Fallback: Sendable, Equatable {
        /// Where the encrypted copy is kept.
        public var path: String
        /// `--fallback-max-age`, seconds: a copy older than this is refused. Nil: no limit.
        public var maxAge: Double? = nil
        /// `--fallback-readonly`: read the copy, never write or delete it.
        public var readOnly: Bool = false
        /// `--offline`: never contact the API; run from the copy alone.
        public var offline: Bool = false
        public init(path: String) { self.path = path }
    }

    /// `--file`, `--mount`, `--template` and `--reload-signal`: secrets written to files for the
    /// command, which keep soup-run as its parent (to remove them) and, under `--watch`, decide
    /// between restarting and reloading it. Empty without those flags.
    public struct Files: Sendable, Equatable {
        /// `--file KEY[=PATH]`: the value of KEY in a file, its path in the variable KEY.
        public struct File: Sendable, Equatable {
            public var key: String
            /// Nil: a file named KEY in a fresh private directory (`PrivateDirectory`).
            public var path: String?
            public init(key: String, path: String?) {
                self.key = key
                self.path = path
            }
        }

        /// `--mount PATH [--mount-format F]`: every secret in one file, none in the environment.
        public struct Mount: Sendable, Equatable {
            public var path: String
            public var format: ExportFormat
            public init(path: String, format: ExportFormat) {
                self.path = path
                self.format = format
            }

            /// The format when `--mount-format` is not given: `json` for a `*.json` path, else `dotenv`.
            public static func defaultFormat(for path: String) -> ExportFormat {
                path.lowercased().hasSuffix(".json") ? .json : .dotenv
            }
        }

        /// `--template SRC:DEST`.
        public struct Template: Sendable, Equatable {
            public var source: String
            public var destination: String
            public init(source: String, destination: String) {
                self.source = source
                self.destination = destination
            }
        }

        /// What `--watch` does when a change alters only files (`--reload-signal`).
        public enum Reload: Sendable, Equatable {
            /// No `--reload-signal`: restart the command, as for any change.
            case restart
            /// `--reload-signal SIG`: send SIG to the command's process group.
            case signal(Int32)
            /// `--reload-signal none`: rewrite the files, send nothing (the command watches them).
            case nothing
        }

        public var files: [File] = []
        public var mount: Mount? = nil
        public var templates: [Template] = []
        public var reload: Reload = .restart
        public init() {}

        /// True without `--file`, `--mount` and `--template`.
        public var isEmpty: Bool { files.isEmpty && mount == nil && templates.isEmpty }
    }

    public var project: String
    public var environment: String
    public var mode: Mode
    /// The API base URL, normalised by `APIURL` (http/https, no user information, no trailing `/`).
    public var apiURL: String = "https://api.soup.dev/api/v1"
    public var token: TokenSource
    public var resolve: Bool = true
    /// `--only`: inject only these keys (each must exist; valid keys, no duplicates, in the order given).
    public var only: [String]? = nil
    public var preserve: Preserve = .none
    public var pristine: Bool = false
    public var keepToken: Bool = false
    /// Per-attempt timeout, seconds (0 < timeout ≤ 3600).
    public var timeout: Double = 10
    /// Attempts after the first (0...100).
    public var retries: Int = 3
    /// `--max-wait`: seconds after the first attempt of a start-up fetch within which a later
    /// attempt may still begin (0...86400; 0 tries once). Rate-limited attempts (429) wait
    /// within it without using up `retries`.
    public var maxWait: Double = 120
    public var verbosity: Verbosity = .normal
    public var watch: Watch? = nil
    public var fallback: Fallback? = nil
    public var files = Files()
    /// `--also`: more environments, in the order given; the operands' environment wins over them.
    public var also: [EnvironmentName] = []
    /// `--env-file` / `--env-file-optional`, in the order given; they win over every environment.
    public var envFiles: [EnvFile] = []
    /// `--mask` (or `SOUP_MASK=1`): nil without it.
    public var mask: Mask? = nil

    /// `--mask` and `--mask-min-length`: the command's output is filtered (`MaskFilter`).
    public struct Mask: Sendable, Equatable {
        /// Values shorter than this many bytes are not masked (bounds 1...4096, checked by the parser).
        public var minimumLength: Int = MaskPatterns.defaultMinimumLength
        public init(minimumLength: Int = MaskPatterns.defaultMinimumLength) { self.minimumLength = minimumLength }
    }

    public init(project: String, environment: String, mode: Mode, token: TokenSource) {
        self.project = project
        self.environment = environment
        self.mode = mode
        self.token = token
    }
}

/// A string that must never be printed: its description is redacted.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "(redacted)" }
    public var debugDescription: String { "(redacted)" }
    /// No children: `dump`, `Mirror` and test-failure printers show nothing of the value.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
