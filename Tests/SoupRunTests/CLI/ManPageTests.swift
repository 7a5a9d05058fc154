import Foundation
import SoupRun
import Testing

/// `docs/soup-run.1`: generated from the option table (`soup-run --man`), committed, current,
/// and rendered by `man` without a warning.
@Suite struct ManPageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let path = root.appendingPathComponent("docs/soup-run.1").path
    static let generated = ManPage.text(version: SoupRunVersion.string)

    @Test func theCommittedPageIsTheGeneratedOne() throws {
        let committed = try String(contentsOfFile: Self.path, encoding: .utf8)
        #expect(
            committed == Self.generated, "docs/soup-run.1 is stale: run 'swift run soup-run --man > docs/soup-run.1'")
    }

    @Test func thePageListsEveryOptionVariableAndExitCode() {
        let page = Self.generated
        for spec in OptionTable.all {
            #expect(page.contains(ManPage.escaped(spec.long)), "\(spec.long)")
            #expect(page.contains(ManPage.escaped(spec.summary)), "\(spec.long)'s summary")
        }
        for variable in EnvironmentVariables.all { #expect(page.contains(ManPage.escaped(variable.name))) }
        for code in ExitCode.allCases { #expect(page.contains(".B \(code.rawValue)\n"), "exit code \(code.rawValue)") }
        #expect(page.contains(".TH SOUP-RUN 1 \"\" \"soup-run \(SoupRunVersion.string)\""))
    }

    @Test func roffSpecialsAreEscaped() {
        #expect(ManPage.escaped("--a\\b") == "\\-\\-a\\eb")
        #expect(ManPage.escaped(".x") == "\\&.x")
        #expect(ManPage.escaped("'x") == "\\&'x")
    }

    /// `soup-run --man` prints the page (and nothing else takes `--man`).
    @Test func theHiddenFlagGeneratesIt() throws {
        #expect(try CommandLineParser.parse(["--man"], environment: [:]) == .manPage)
        #expect(!HelpText.text(version: SoupRunVersion.string).contains("--man"))
    }

    /// `man -l` renders the committed page with every warning on, and nothing is reported.
    @Test(.installed("man")) func manRendersItWithoutWarnings() throws {
        let man = try ShellRunner.program("man")
        let result = try ShellRunner.run(
            "/bin/sh", ["-c", #"MANWIDTH=100 MANPAGER=cat exec "$0" --warnings -l "$1""#, man, Self.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "man reported: \(result.stderr)")
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text.contains("SOUP-RUN(1)"))
        for spec in OptionTable.all { #expect(text.contains(spec.long), "rendered page lacks \(spec.long)") }
    }
}
