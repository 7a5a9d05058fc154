#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Testing

@testable import SoupRun

/// How soup-run reads its own process: argv as recorded before main, the environment from environ.
@Suite(.serialized) struct PlatformEnvironmentTests {
    @Test func argumentsAreArgvWithoutTheProgramName() {
        #expect(Platform.arguments() == Array(CommandLine.arguments.dropFirst()))
    }

    /// Split at the first "=" byte: a value may hold "=", and "=" followed by a combining mark is
    /// still the separator (as one Character it would not equal "=").
    @Test func environmentSplitsAtTheFirstEqualsByte() {
        let name = "SOUP_PLATFORM_TEST_\(getpid())"
        setenv(name, "a=b\u{301}=c", 1)
        setenv(name + "_MARK", "\u{301}x", 1)
        setenv(name + "_EMPTY", "", 1)
        defer {
            unsetenv(name)
            unsetenv(name + "_MARK")
            unsetenv(name + "_EMPTY")
        }
        let environment = Platform.environment()
        #expect(environment[name] == "a=b\u{301}=c")
        #expect(environment[name + "_MARK"] == "\u{301}x")
        #expect(environment[name + "_EMPTY"] == "")
        #expect(environment["PATH"] == String(cString: getenv("PATH")))
    }
}
