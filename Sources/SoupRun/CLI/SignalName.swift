#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signal names and numbers for `--stop-signal` and for messages about signals.
public enum SignalName {
    /// The signals soup-run knows by name (without `SIG`), with this platform's numbers, in the
    /// order of their numbers. Real-time signals are not named.
    public static let all: [(name: String, number: Int32)] = {
        var table: [(String, Int32)] = [
            ("HUP", SIGHUP), ("INT", SIGINT), ("QUIT", SIGQUIT), ("ILL", SIGILL), ("TRAP", SIGTRAP),
            ("ABRT", SIGABRT), ("BUS", SIGBUS), ("FPE", SIGFPE), ("KILL", SIGKILL), ("USR1", SIGUSR1),
            ("SEGV", SIGSEGV), ("USR2", SIGUSR2), ("PIPE", SIGPIPE), ("ALRM", SIGALRM), ("TERM", SIGTERM),
            ("CHLD", SIGCHLD), ("CONT", SIGCONT), ("STOP", SIGSTOP), ("TSTP", SIGTSTP), ("TTIN", SIGTTIN),
            ("TTOU", SIGTTOU), ("URG", SIGURG), ("XCPU", SIGXCPU), ("XFSZ", SIGXFSZ), ("VTALRM", SIGVTALRM),
            ("PROF", SIGPROF), ("WINCH", SIGWINCH), ("IO", SIGIO), ("SYS", SIGSYS),
        ]
        #if os(Linux)
            table += [("STKFLT", SIGSTKFLT), ("PWR", SIGPWR)]
        #endif
        return table.sorted { $0.1 < $1.1 }
    }()

    /// The signal named by `text`: `TERM`, `SIGTERM`, `term`, `sigterm` or `15` (a number must be
    /// one of the named signals). The error names `flag`.
    public static func parse(_ text: String, flag: String = "--stop-signal") throws(UsageError) -> Int32 {
        let invalid = UsageError(
            .invalidValue(flag: flag, value: text, expected: "a signal name such as TERM or SIGTERM, or its number"))
        if !text.isEmpty, text.count <= 3, text.allSatisfy(OptionValues.isDigit) {
            guard let number = Int32(text), all.contains(where: { $0.number == number }) else { throw invalid }
            return number
        }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        guard let entry = all.first(where: { $0.name == name }) else { throw invalid }
        return entry.number
    }

    /// `SIGTERM` for 15; `signal 40` for a number without a name.
    public static func name(of number: Int32) -> String {
        if let entry = all.first(where: { $0.number == number }) { return "SIG" + entry.name }
        return "signal \(number)"
    }
}

/// `--reload-signal SIG|none`.
public enum ReloadSignal {
    /// The word that means "send nothing".
    public static let noneWord = "none"

    /// `none` (any case), or a signal as `SignalName.parse` reads it.
    public static func parse(_ text: String) throws(UsageError) -> Configuration.Files.Reload {
        if text.lowercased() == noneWord { return .nothing }
        do {
            return .signal(try SignalName.parse(text, flag: "--reload-signal"))
        } catch {
            throw UsageError(
                .invalidValue(
                    flag: "--reload-signal", value: text, expected: "none, or a signal name such as HUP, or its number")
            )
        }
    }
}
