import Foundation
import Testing

/// Shell integration, end to end: the README's `s=$(soup-run my-app dev --export) && eval "$s"`
/// typed as is in bash, zsh and dash, and its fish form with `--format fish`, with the built soup-run on PATH and soup-dev-server holding
/// values that break naive quoting. Each value must come back byte for byte, as a shell variable
/// and exported to the shell's children. (`Tests/SoupRunTests/CLI` checks the formatter's text in
/// these shells; this runs the binary, the API and the shell together.)
@Suite("shell integration: eval of --export") struct ShellEvalExportTests {
    /// Keys with a prefix no shell treats specially; values no quoting may alter.
    static let values: [String: String] = [
        "NASTY_SINGLE": "it's",
        "NASTY_QUOTE_ESCAPE": "'\\''",
        "NASTY_DOUBLE": "say \"hi\"",
        "NASTY_NEWLINES": "line1\nline2\n\nline4",
        "NASTY_TRAILING_NEWLINES": "ends with newlines\n\n",
        "NASTY_CRLF": "a\r\nb\r",
        "NASTY_DOLLAR": "$HOME ${PATH} $(echo pwned) $1 $@ $$ $'x'",
        "NASTY_BACKTICK": "`id` ``",
        "NASTY_BACKSLASH": "\\ \\\\ \\n \\' \\\" \\",
        "NASTY_UNICODE": "héllo wörld 🍲 日本語 \u{200B}",
        "NASTY_EMPTY": "",
        "NASTY_SPACES": "  leading and trailing  \t",
        "NASTY_GLOB": "* ? [a-z] ~ ~root {a,b}",
        "NASTY_HISTORY": "!! !$ !-1 ^a^b",
        "NASTY_DASH": "-n",
        "NASTY_PERCENT": "%s %d %% %b \\0",
        "NASTY_CONTROL": "\u{1}\u{7}\u{1b}[0m\u{7f}",
        "NASTY_OPERATORS": "a; rm -rf /nonexistent/x; echo & | > < && || ( )",
        "NASTY_HASH": "#not a comment",
        "NASTY_EQUALS": "a=b==c",
    ]

    /// The README's pattern: a failing soup-run is not hidden (as `eval "$(...)"` hides it).
    static let posixLoad = #"s=$(soup-run my-app dev --export) && eval "$s""#
    /// fish's: `string collect` keeps the text one argument; it fails on empty input, which a
    /// failing soup-run gives.
    static let fishLoad = "set -l s (soup-run my-app dev --export --format fish | string collect); and eval $s"

    @Test(.installedShell("bash")) func bashEvalGivesBackEveryValue() throws { try expectEvalRoundTrip("bash") }
    @Test(.installedShell("zsh")) func zshEvalGivesBackEveryValue() throws { try expectEvalRoundTrip("zsh") }
    @Test(.installedShell("dash")) func dashEvalGivesBackEveryValue() throws { try expectEvalRoundTrip("dash") }
    @Test(.installedShell("fish")) func fishEvalGivesBackEveryValue() throws { try expectEvalRoundTrip("fish") }

    /// When soup-run fails (here: no such environment), the pattern skips `eval` and its status
    /// is soup-run's; under `set -e`, `s=$(...)` on its own line ends the script with that code
    /// (`eval "$(...)"` would give eval's 0 and run on without secrets).
    @Test(.installedShell("bash")) func aFailingExportIsNotHidden() throws {
        let server = try DevServer(state: ExampleAPI.state)
        let bin = try TemporaryDirectory(prefix: "soup-shell")
        let load = Self.posixLoad.replacingOccurrences(of: " dev ", with: " nope ")
        let environment = [
            "PATH": try ExampleAPI.pathWithSoupRun(in: bin), "SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken,
        ]
        let bash = try #require(Self.find("bash"))
        let listed = try runProcess(bash, ["-c", load + #"; echo "status=$?""#], environment: environment, timeout: 30)
        #expect(listed.stdoutText == "status=66\n", "stderr: \(listed.stderrText)")
        let hidden = try runProcess(
            bash, ["-c", #"set -e; eval "$(soup-run my-app nope --export)"; echo went-on"#], environment: environment,
            timeout: 30)
        #expect(hidden.stdoutText == "went-on\n", "the pattern the README warns about does hide the failure")
        let setE = try runProcess(
            bash, ["-c", #"set -e; s=$(soup-run my-app nope --export); eval "$s"; echo went-on"#],
            environment: environment, timeout: 30)
        #expect(setE.termination == .exited(66), "\(setE.termination); stderr: \(setE.stderrText)")
        #expect(!setE.stdoutText.contains("went-on"))
    }

    static func find(_ name: String) -> String? {
        ["/bin/\(name)", "/usr/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func expectEvalRoundTrip(_ name: String) throws {
        let shell = try #require(Self.find(name))
        let fish = name == "fish"
        let server = try DevServer(state: ExampleAPI.state)
        for (key, value) in Self.values { try server.setSecret(key, value, environment: "dev") }
        let keys = Self.values.keys.sorted()
        let bin = try TemporaryDirectory(prefix: "soup-shell")
        // The values as shell variables, a separator, then as a child shell sees them (exported).
        let printAll = "printf '%s\\0' " + keys.map { "\"$\($0)\"" }.joined(separator: " ")
        // fish gets the child's script through the environment: its arguments are $argv.
        let script =
            fish
            ? Self.fishLoad + "; or exit 99; command " + printAll
                + #"; command printf 'ENV\0'; exec /bin/sh -c "$PRINT_ALL""#
            : Self.posixLoad + " || exit 99; " + printAll + #"; printf 'ENV\0'; exec /bin/sh -c "$PRINT_ALL""#
        let result = try runProcess(
            shell, (fish ? ["--no-config"] : []) + ["-c", script],
            environment: [
                "PATH": try ExampleAPI.pathWithSoupRun(in: bin), "HOME": bin.path, "LC_ALL": "C.UTF-8",
                "SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken, "PRINT_ALL": printAll,
            ],
            timeout: 30)
        #expect(result.termination == .exited(0), "\(shell): \(result.termination); stderr: \(result.stderrText)")
        #expect(result.stderrText.isEmpty, "\(shell) stderr: \(result.stderrText)")
        expectNoToken(result)

        let fields = result.stdout.split(separator: 0, omittingEmptySubsequences: false).map { Array($0) }
        let separator = fields.firstIndex(of: Array("ENV".utf8)) ?? fields.count
        let variables = fields[..<separator].map { String(decoding: $0, as: UTF8.self) }
        #expect(variables.count == keys.count, "\(shell) printed \(variables.count) of \(keys.count) variables")
        for (key, value) in zip(keys, variables) {
            #expect(value == Self.values[key], "\(shell) changed the variable \(key)")
        }
        let exported = fields.dropFirst(separator + 1).map { String(decoding: $0, as: UTF8.self) }
        #expect(exported.count == keys.count + 1, "the child printed \(exported.count - 1) of \(keys.count) variables")
        for (key, value) in zip(keys, exported) {
            #expect(value == Self.values[key], "\(shell) did not export \(key) unchanged")
        }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where the shell is installed, else shows it skipped with the reason.
    static func installedShell(_ name: String) -> Self {
        .enabled(
            if: ShellEvalExportTests.find(name) != nil,
            "\(name) is not installed (scripts/prerequisites.sh --test installs it)")
    }
}
