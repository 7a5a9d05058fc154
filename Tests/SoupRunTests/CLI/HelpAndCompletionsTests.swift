import SoupRun
import Testing

/// `--help` and the completion scripts cover the one option table, and the scripts load.
@Suite struct HelpAndCompletionsTests {
    static let help = HelpText.text(version: SoupRunVersion.string)

    @Test func tableHoldsEveryOptionOnce() {
        #expect(OptionTable.all.map(\.id) == OptionTable.all.map(\.id).uniqued())
        #expect(Set(OptionTable.all.map(\.id)) == Set(OptionID.allCases))
        for id in OptionID.allCases { #expect(OptionTable.spec(id).id == id) }
        #expect(OptionTable.all.compactMap(\.shortSpelling).sorted() == ["-h", "-q", "-v"])
    }

    /// Summaries are embedded unescaped in bash, zsh and fish syntax, and fit the help's column.
    @Test func summariesNeedNoEscaping() {
        for spec in OptionTable.all {
            #expect(!spec.summary.contains { "'\"[]:\\$`".contains($0) }, "\(spec.long)")
            #expect(!spec.summary.isEmpty && spec.summary.count <= 68, "\(spec.long)")
        }
    }

    @Test func helpListsEveryOptionVariableAndExitCode() {
        for spec in OptionTable.all {
            #expect(Self.help.contains(spec.long), "\(spec.long)")
            if let short = spec.shortSpelling { #expect(Self.help.contains("\(short), \(spec.long)")) }
            #expect(Self.help.contains(spec.summary))
        }
        for variable in EnvironmentVariables.all { #expect(Self.help.contains(variable.name)) }
        for code in ExitCode.allCases {
            #expect(Self.help.contains("\n  \(code.rawValue) "), "exit code \(code.rawValue)")
        }
        #expect(Self.help.contains("soup-run [options] <project> <environment> [--] <command> [args...]"))
        #expect(Self.help.contains("--preserve-env[=KEY,...]"))
        #expect(Self.help.hasPrefix("soup-run 0.1.0:"))
        #expect(Self.help.hasSuffix("\n"))
    }

    /// The export formats are listed from the one enum: the parser's error, the option's summary,
    /// the usage line (and the completions, `scriptMentionsEveryOptionAndValue`) name every format, so adding one is one edit.
    @Test func everyExportFormatIsListedWhereverFormatsAre() throws {
        let error = try #require(
            throws: ParseFailure.self,
            performing: { try CommandLineParser.parse(["--export", "--format", "x", "p", "e"], environment: [:]) })
        let summary = OptionTable.spec(.format).summary
        let mountSummary = OptionTable.spec(.mountFormat).summary
        let usage = try #require(Self.help.split(separator: "\n").first { $0.contains("--export [--format ") })
        for format in Configuration.ExportFormat.allCases {
            let name = format.rawValue
            #expect(error.description.contains(name), "the parser's error lacks \(name)")
            #expect(summary.contains(name), "the --format summary lacks \(name)")
            #expect(mountSummary.contains(name), "the --mount-format summary lacks \(name)")
            #expect(usage.contains(name), "the usage line lacks \(name)")
        }
        #expect(summary == "export format, shell (default), dotenv, json or fish")
        #expect(usage.hasSuffix("--export [--format shell|dotenv|json|fish]"))
    }

    @Test func helpFitsATerminal() {
        for line in Self.help.split(separator: "\n") { #expect(line.count <= 100, "\(line)") }
    }

    @Test func versionIsSemantic() {
        let parts = SoupRunVersion.string.split(separator: ".")
        #expect(parts.count == 3 && parts.allSatisfy { Int($0) != nil })
    }

    @Test(arguments: Shell.allCases)
    func scriptMentionsEveryOptionAndValue(shell: Shell) {
        let script = Completions.script(for: shell)
        for spec in OptionTable.all {
            let long = shell == .fish ? "-l \(spec.id.rawValue) " : spec.long
            #expect(script.contains(long), "\(shell) lacks \(spec.long)")
            if let short = spec.short {
                #expect(script.contains(shell == .fish ? "-s \(short) " : "-\(short)"), "\(shell) lacks -\(short)")
            }
        }
        let signals = SignalName.all.map(\.name).joined(separator: " ")
        #expect(script.contains(signals))
        #expect(script.contains(Configuration.ExportFormat.allCases.map(\.rawValue).joined(separator: " ")))
        #expect(script.contains("bash zsh fish"))
    }

    @Test(.installed("bash")) func bashScriptIsValidSyntax() throws { try expectValidSyntax(.bash) }
    @Test(.installed("zsh")) func zshScriptIsValidSyntax() throws { try expectValidSyntax(.zsh) }
    @Test(.installed("fish")) func fishScriptIsValidSyntax() throws { try expectValidSyntax(.fish) }

    func expectValidSyntax(_ shell: Shell) throws {
        let program = try ShellRunner.program(shell.rawValue)
        let path = try ShellRunner.temporaryFile(Completions.script(for: shell))
        defer { ShellRunner.remove(path) }
        let result = try ShellRunner.run(program, ["-n", path])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// bash: the completion function answers like bash would ask it.
    @Test(
        .installed("bash"),
        arguments: [
            (["soup-run", "--stop-s"], "--stop-signal"),
            (["soup-run", "--stop-signal", "TE"], "TERM"),
            (["soup-run", "--format", "=", "j"], "json"),
            (["soup-run", "--completions", "z"], "zsh"),
            (["soup-run", "-"], "--preserve-env -q"),
            (["soup-run", "p", "e", "--", "tru"], "true"),
        ])
    func bashCompletes(words: [String], expected: String) throws {
        let bash = try ShellRunner.program("bash")
        let path = try ShellRunner.temporaryFile(Completions.script(for: .bash))
        defer { ShellRunner.remove(path) }
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let script = """
            source '\(path)' || exit 1
            complete -p soup-run >/dev/null || exit 2
            COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _soup_run
            printf '%s ' "${COMPREPLY[@]}"
            """
        let result = try ShellRunner.run(bash, ["-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        let offered = String(decoding: result.stdout, as: UTF8.self)
        for word in expected.split(separator: " ") {
            #expect(offered.split(separator: " ").contains(word), "\(words): \(offered)")
        }
    }

    /// fish: `complete -C` asks the loaded script for candidates.
    @Test(
        .installed("fish"),
        arguments: [
            ("soup-run --stop-s", "--stop-signal"),
            ("soup-run --stop-signal=TE", "--stop-signal=TERM"),
            ("soup-run --format ", "dotenv"),
            ("soup-run -", "-q"),
            ("soup-run p e -- tru", "true"),
        ])
    func fishCompletes(line: String, expected: String) throws {
        let fish = try ShellRunner.program("fish")
        let path = try ShellRunner.temporaryFile(Completions.script(for: .fish))
        defer { ShellRunner.remove(path) }
        let result = try ShellRunner.run(fish, ["--no-config", "-c", "source '\(path)'; and complete -C '\(line)'"])
        #expect(result.status == 0, "\(result.stderr)")
        let candidates = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map {
            $0.split(separator: "\t").first.map(String.init) ?? ""
        }
        #expect(candidates.contains(expected), "\(line): \(candidates)")
    }

    /// zsh: sourcing the script after compinit registers the completion function.
    @Test(.installed("zsh")) func zshRegisters() throws {
        let zsh = try ShellRunner.program("zsh")
        let path = try ShellRunner.temporaryFile(Completions.script(for: .zsh))
        defer { ShellRunner.remove(path) }
        let script = "autoload -U compinit && compinit -u -D && source '\(path)' && print -r -- ${_comps[soup-run]}"
        let result = try ShellRunner.run(zsh, ["-f", "-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "_soup_run\n")
    }

    /// zsh: an interactive zsh on a pseudo-terminal (zpty) completes a signal name and, after
    /// `--`, a command. Each step waits for its output marker; the run's time bound ends a miss.
    @Test(.installed("zsh")) func zshCompletesInATerminal() throws {
        let zsh = try ShellRunner.program("zsh")
        let path = try ShellRunner.temporaryFile(Completions.script(for: .zsh))
        defer { ShellRunner.remove(path) }
        let script = """
            zmodload zsh/zpty || exit 3
            zpty z 'TERM=xterm zsh -f -i' || exit 4
            zpty -w z 'PS1="> "; autoload -U compinit; compinit -u -D; source \(path); print RE""ADY'
            zpty -r z out '*READY*' || exit 5
            zpty -w -n z $'soup-run --stop-signal=TE\\t'
            zpty -r z out '*TERM*' || exit 6
            zpty -w -n z $'\\C-u'
            zpty -w -n z $'soup-run p e -- tru\\t\\t'
            zpty -r z out '*truncate*' || exit 7
            zpty -d z
            print OK
            """
        let result = try ShellRunner.run(zsh, ["-f", "-c", script], timeout: 20)
        #expect(result.status == 0 && result.stdout == Array("OK\n".utf8), "\(result.status) \(result.stderr)")
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
