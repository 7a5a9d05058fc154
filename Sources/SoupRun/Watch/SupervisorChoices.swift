// The supervisor's two pure choices: whether soup-run stays the command's parent (`StayReasons`),
// and what a change of secrets does to the running command (`ChangeResponse`).

/// What the supervisor does to the running command when its secrets change: the one decision
/// between restarting and reloading, from what changed and `--reload-signal`.
public enum ChangeResponse: Sendable, Equatable {
    /// Nothing the command sees changed.
    case nothing
    /// Stop the command and start it again (the environment changed, or files without
    /// `--reload-signal`).
    case restart
    /// The files were rewritten; send this signal to the command's group (nil: send nothing).
    case reload(signal: Int32?)

    /// An environment cannot be changed in place, so its change always restarts; a change of
    /// files alone reloads when `--reload-signal` says how (a signal, or `none`).
    public static func decide(
        environmentChanged: Bool, filesChanged: Bool, reload: Configuration.Files.Reload
    ) -> ChangeResponse {
        if environmentChanged { return .restart }
        guard filesChanged else { return .nothing }
        switch reload {
        case .restart: return .restart
        case .signal(let signal): return .reload(signal: signal)
        case .nothing: return .reload(signal: nil)
        }
    }
}

extension ChangeResponse {
    /// A warning when `--reload-signal` can never apply: without `--mount` or `--file` every
    /// secret a template uses is in the environment too, so every change restarts.
    public static func reloadWarning(_ files: Configuration.Files) -> String? {
        guard files.reload != .restart, files.mount == nil, files.files.isEmpty else { return nil }
        return "--reload-signal has no effect here: the secrets the templates use are also in the command's "
            + "environment, so every change restarts it; add --mount to keep them out of it"
    }
}

/// Why soup-run stays as the command's parent instead of `execve`ing it. Each reason is an input to
/// the one supervisor (`WatchMachine` and `WatchDriver`), not a mode of its own: with none,
/// soup-run replaces itself with the command.
public struct StayReasons: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `--watch`: poll the API and act on changes.
    public static let polling = StayReasons(rawValue: 1 << 0)
    /// `--file`, `--mount`, `--template`: files to write, and remove when the command ends.
    public static let files = StayReasons(rawValue: 1 << 1)
    /// `--mask`: the command's output passes through soup-run's filter.
    public static let masking = StayReasons(rawValue: 1 << 2)

    /// The reasons `configuration` gives.
    public init(_ configuration: Configuration) {
        self = []
        if configuration.watch != nil { insert(.polling) }
        if !configuration.files.isEmpty { insert(.files) }
        if configuration.mask != nil { insert(.masking) }
    }
}
