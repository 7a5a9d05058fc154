import Testing

/// The readers the example tests stand on (Dockerfile, systemd unit, words, durations, the app's
/// report, soup-run operands): if they misread, the example tests check the wrong thing.
@Suite struct ExampleReaderTests {
    static let dockerfile = #"""
        # syntax=docker/dockerfile:1
        ARG BASE=debian:bookworm-slim
        FROM ${BASE} AS build
        RUN scripts/release.sh /out
        FROM build AS app
        # a comment inside a continuation is dropped
        ENV A=1 \
            B="two words" \
            C=x=y
        ENV LEGACY value with spaces
        COPY --from=build --chmod=0755 /out/soup-run /usr/local/bin/
        COPY a b /dir/
        CMD ["old"]
        ENTRYPOINT ["soup-run", "--watch", "--"]
        FROM app AS child
        ENV A=3
        """#

    @Test func dockerfileStagesEnvironmentAndCommands() throws {
        let model = try DockerfileModel.parse(Self.dockerfile)
        #expect(model.stages.map(\.name) == ["build", "app", "child"])
        #expect(model.stages[0].base == "debian:bookworm-slim")
        let app = try model.stage("app")
        #expect(
            try model.environment(of: app) == ["A": "1", "B": "two words", "C": "x=y", "LEGACY": "value with spaces"])
        #expect(try model.environment(of: try model.stage("child"))["A"] == "3")
        #expect(try model.environment(of: try model.stage("child"))["B"] == "two words")
        #expect(try model.entrypoint(of: app) == ["soup-run", "--watch", "--"])
        // ENTRYPOINT after CMD resets it, as in Docker.
        #expect(try model.command(of: app) == [])
        #expect(
            try model.copies(in: app) == [
                .init(from: "build", sources: ["/out/soup-run"], destination: "/usr/local/bin/"),
                .init(from: nil, sources: ["a", "b"], destination: "/dir/"),
            ])
        #expect(throws: ExampleError.self) { try model.stage("missing") }
    }

    @Test func shellFormAndTruncatedFilesAreErrors() throws {
        let shellForm = try DockerfileModel.parse("FROM x AS a\nENTRYPOINT soup-run --watch\n")
        #expect(throws: ExampleError.self) { try shellForm.entrypoint(of: shellForm.stages[0]) }
        #expect(throws: ExampleError.self) { try DockerfileModel.parse("FROM x\nRUN a \\\n") }
        #expect(throws: ExampleError.self) { try DockerfileModel.parse("RUN x\n") }
    }

    @Test func words() throws {
        #expect(try ExampleWords.split(#"a "b c" 'd \e' f\ g "h\"i""#) == ["a", "b c", #"d \e"#, "f g", #"h"i"#])
        #expect(try ExampleWords.split("  ") == [])
        #expect(try ExampleWords.split(#"A="" B=''"#) == ["A=", "B="])
        #expect(throws: ExampleError.self) { try ExampleWords.split(#"a "b"#) }
    }

    @Test func durations() throws {
        #expect(try ExampleDuration.seconds("20") == 20)
        #expect(try ExampleDuration.seconds("15s") == 15)
        #expect(try ExampleDuration.seconds("1min 30s") == 90)
        #expect(try ExampleDuration.seconds("1m30s") == 90)
        #expect(try ExampleDuration.seconds("500ms") == 0.5)
        #expect(throws: ExampleError.self) { try ExampleDuration.seconds("soon") }
        #expect(throws: ExampleError.self) { try ExampleDuration.seconds("") }
    }

    @Test func systemdUnit() throws {
        let unit = try SystemdUnitFile.parse(
            """
            [Service]
            # comment
            Environment=A=1 "B=two words"
            Environment=C=3
            ExecStart=-/usr/bin/soup-run --watch \\
              my-app prod -- "/opt/app dir/app.sh" --serve
            KillMode=control-group
            KillMode=mixed
            """)
        #expect(try unit.environment() == ["A": "1", "B": "two words", "C": "3"])
        #expect(
            try unit.execStart() == [
                "/usr/bin/soup-run", "--watch", "my-app", "prod", "--", "/opt/app dir/app.sh", "--serve",
            ])
        #expect(unit.value("KillMode", in: "Service") == "mixed")
        #expect(throws: ExampleError.self) { try SystemdUnitFile.parse("Key=outside a section") }
    }

    @Test func appReports() {
        let text = """
            app[7]: secrets: A(4B) B(0B)
            app[7]: not set: C D
            app[7]: no API token in my environment
            app[7]: ready
            app[8]: secrets: none
            app[8]: not set: A B C D
            app[8]: the API token is in my environment
            """
        let reports = AppReport.all(in: text)
        #expect(reports.count == 2)
        #expect(reports.first == AppReport(sizes: ["A": 4, "B": 0], notSet: ["C", "D"], sawToken: false))
        #expect(reports.last == AppReport(sizes: [:], notSet: ["A", "B", "C", "D"], sawToken: true))
        #expect(
            AppReport.expected(for: ["A": "abcd", "B": "", "X": "ignored"], known: ["A", "B", "C", "D"]) == reports[0])
        #expect(AppReport.expected(for: ["A": "é"], known: ["A"]).sizes == ["A": 2], "sizes are bytes")
    }

    @Test func soupRunOperandsAndURLs() throws {
        #expect(
            try ExampleAPI.target(of: ["soup-run", "--retries", "5", "my-app", "ci", "--", "x"], environment: [:]) == (
                "my-app", "ci"
            ))
        #expect(
            try ExampleAPI.target(
                of: ["soup-run", "--watch", "--stop-timeout", "10", "p", "e", "--", "x"], environment: [:]) == (
                    "p", "e"
                ))
        let fromEnvironment = try ExampleAPI.target(
            of: ["soup-run", "--watch", "--", "/app/app.sh"],
            environment: ["SOUP_PROJECT": "p", "SOUP_ENVIRONMENT": "e"])
        #expect(fromEnvironment == ("p", "e"))
        #expect(throws: ExampleError.self) { try ExampleAPI.target(of: ["soup-run", "--", "x"], environment: [:]) }
        #expect(
            try ExampleAPI.repoint("https://api.soup.dev/api/v1", to: "http://127.0.0.1:4321/api/v1")
                == "http://127.0.0.1:4321/api/v1")
        #expect(
            try ExampleAPI.repoint("http://soup-dev-server:8080/api/v2", to: "http://127.0.0.1:4321/api/v1")
                == "http://127.0.0.1:4321/api/v2")
        #expect(
            try ExampleAPI.stopTimeout(in: ["soup-run", "--stop-timeout=2.5", "--", "x", "--stop-timeout", "9"]) == 2.5)
        #expect(
            try ExampleAPI.stopTimeout(in: ["soup-run", "--", "x", "--stop-timeout", "9"])
                == ExampleAPI.defaultStopTimeout)
        #expect(ExampleAPI.defaultStopTimeout != nil, "the default --stop-timeout is not read from --help")
    }
}
