#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import SoupRun
import Testing

/// Signal names and numbers for `--stop-signal`.
@Suite struct SignalNameTests {
    @Test(arguments: [
        ("TERM", SIGTERM), ("SIGTERM", SIGTERM), ("term", SIGTERM), ("SigTerm", SIGTERM), ("15", SIGTERM),
        ("INT", SIGINT), ("2", SIGINT), ("HUP", SIGHUP), ("QUIT", SIGQUIT), ("KILL", SIGKILL), ("9", SIGKILL),
        ("USR1", SIGUSR1), ("sigusr2", SIGUSR2), ("WINCH", SIGWINCH), ("1", SIGHUP), ("015", SIGTERM),
    ])
    func parsesNamesAndNumbers(text: String, number: Int32) throws {
        #expect(try SignalName.parse(text) == number)
    }

    @Test(arguments: ["", "SIG", "FOO", "SIGFOO", "0", "-1", "65", "1.0", " TERM", "TERM ", "99999", "RTMIN", "0x0f"])
    func refusesOthersNamingTheFlag(text: String) throws {
        let error = try #require(throws: UsageError.self) { try SignalName.parse(text) }
        #expect(error.exitCode == .usage)
        #expect(error.description.contains("--stop-signal"))
    }

    @Test func everyNameRoundTrips() throws {
        #expect(SignalName.all.count >= 29)
        #expect(Set(SignalName.all.map(\.number)).count == SignalName.all.count)
        for (name, number) in SignalName.all {
            #expect(try SignalName.parse(name) == number)
            #expect(try SignalName.parse("SIG" + name) == number)
            #expect(try SignalName.parse(String(number)) == number)
            #expect(SignalName.name(of: number) == "SIG" + name)
        }
        #expect(SignalName.name(of: 200) == "signal 200")
    }
}
