import Foundation
import Testing

/// Shell integration, end to end: `eval "$(soup-run my-app dev --export)"` typed as is in bash,
/// zsh and dash (each one installed), with the built soup-run on PATH and soup-dev-server holding
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

    /// bash, zsh and dash, where installed.
    static let shells: [String] = ["bash", "zsh", "dash"].compactMap { name in
        ["/bin/\(name)", "/usr/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(arguments: shells)
    func evalOfExportGivesBackEveryValueByteForByte(shell: String) throws {
        let server = try DevServer(state: ExampleAPI.state)
        for (key, value) in Self.values { try server.setSecret(key, value, environment: "dev") }
        let keys = Self.values.keys.sorted()
        let bin = try TemporaryDirectory(prefix: "soup-shell")
        // The values as shell variables, a separator, then as a child shell sees them (exported).
        let printAll = "printf '%s\\0' " + keys.map { "\"$\($0)\"" }.joined(separator: " ")
        let script =
            #"eval "$(soup-run my-app dev --export)" || exit 99; "# + printAll
            + #"; printf 'ENV\0'; exec /bin/sh -c "$1""#
        let result = try runProcess(
            shell, ["-c", script, "sh", printAll],
            environment: [
                "PATH": try ExampleAPI.pathWithSoupRun(in: bin), "HOME": bin.path, "LC_ALL": "C.UTF-8",
                "SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken,
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
