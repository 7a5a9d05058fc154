import Testing
@testable import SoupRun

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("SecretOutputs and ChildSetupBuilder: the files and the environment they make")
struct SecretOutputsTests {
    static let inherited = ["PATH": "/usr/bin:/bin", "HOME": "/root", "SOUP_TOKEN": "tok"]
    static let secrets = ["API_KEY": "k\u{1}\r\n\u{7F}é", "DB_URL": "postgres://u:p@h/db", "CERT": "{\n \"a\": 1\n}\n"]

    static func files(_ change: (inout Configuration.Files) -> Void) -> Configuration.Files {
        var files = Configuration.Files()
        change(&files)
        return files
    }

    static func prepare(
        _ files: Configuration.Files, templates: [String: String] = [:]
    ) throws(SecretFilesError) -> SecretOutputs {
        try SecretOutputs.prepare(files, currentDirectory: "/work/app") { path, limit in
            guard let text = templates[path] else { throw Platform.FileError(path: path, reason: "No such file") }
            return Array(Array(text.utf8).prefix(limit))
        }
    }

    static func configuration(_ files: Configuration.Files, only: [String]? = nil) -> Configuration {
        var configuration = Configuration(
            project: "p", environment: "e", mode: .run(command: ["/bin/true"]), token: .literal(Secret("t")))
        configuration.files = files
        configuration.only = only
        return configuration
    }

    @Test func pathsAreMadeAbsoluteAgainstTheCurrentDirectory() throws {
        let outputs = try Self.prepare(
            Self.files {
                $0.files = [.init(key: "API_KEY", path: "./run//key"), .init(key: "CERT", path: nil)]
                $0.mount = .init(path: "/run/./s.json", format: .json)
            })
        #expect(outputs.fileRequests.map(\.path) == ["/work/app/run/key", nil])
        #expect(outputs.mount?.path == "/run/s.json")
        #expect(outputs.needsPrivateDirectory)
        #expect(SecretOutputs.absolutePath("../x", in: "/a/b") == "/a/b/../x")
    }

    @Test func twoOutputsWithOnePathAreAUsageError() {
        #expect(throws: SecretFilesError.usage(UsageError(.sameDestination(path: "/work/app/a")))) {
            try Self.prepare(
                Self.files {
                    $0.files = [.init(key: "API_KEY", path: "a")]
                    $0.mount = .init(path: "/work/app/./a", format: .dotenv)
                })
        }
    }

    @Test func aTemplateSourceIsNeverAnOutput() {
        for files in [
            Self.files { $0.templates = [.init(source: "a.tmpl", destination: "/work/app/a.tmpl")] },
            Self.files {
                $0.templates = [.init(source: "a.tmpl", destination: "/etc/a")]
                $0.mount = .init(path: "a.tmpl", format: .dotenv)
            },
        ] {
            #expect(throws: SecretFilesError.usage(UsageError(.outputIsTemplate(path: "/work/app/a.tmpl")))) {
                try Self.prepare(files, templates: ["/work/app/a.tmpl": "x"])
            }
        }
    }

    @Test func templatesAreReadAndParsedBeforeTheFetch() throws {
        let files = Self.files { $0.templates = [.init(source: "t/app.tmpl", destination: "/etc/app.conf")] }
        let outputs = try Self.prepare(files, templates: ["/work/app/t/app.tmpl": "key={{ API_KEY | json }}\n"])
        #expect(outputs.templates.map(\.destination) == ["/etc/app.conf"])
        #expect(outputs.templates.first?.template.keys == ["API_KEY"])

        // Unreadable: 66 naming the file as given; a syntax error: 65 naming the line.
        do {
            _ = try Self.prepare(files)
            Issue.record("expected an error")
        } catch {
            #expect(error.exitCode == .notFound)
            #expect(error.description == "cannot read the template t/app.tmpl: No such file")
        }
        do {
            _ = try Self.prepare(files, templates: ["/work/app/t/app.tmpl": "ok\n{{ API_KEY | xml }}"])
            Issue.record("expected an error")
        } catch {
            #expect(error.exitCode == .invalidData)
            #expect(error.description.hasPrefix("template t/app.tmpl line 2: unknown filter 'xml' for API_KEY"))
        }
        let huge = String(repeating: "x", count: SecretOutputs.maxTemplateBytes + 1)
        #expect(
            throws: SecretFilesError.template(TemplateError(path: "t/app.tmpl", line: nil, .tooLarge(limit: 1 << 20)))
        ) {
            try Self.prepare(files, templates: ["/work/app/t/app.tmpl": huge])
        }
    }

    @Test func theMountFormatFollowsTheExtensionUnlessGiven() {
        #expect(Configuration.Files.Mount.defaultFormat(for: "/run/secrets.json") == .json)
        #expect(Configuration.Files.Mount.defaultFormat(for: "/run/SECRETS.JSON") == .json)
        #expect(Configuration.Files.Mount.defaultFormat(for: "/run/secrets.env") == .dotenv)
        #expect(Configuration.Files.Mount.defaultFormat(for: "/run/json") == .dotenv)
        #expect(Configuration.Files.Mount.defaultFormat(for: "/run/.json.d/x") == .dotenv)
    }

    @Test func renderWritesExactBytesAndPutsPathsInTheVariables() throws {
        let outputs = try Self.prepare(
            Self.files {
                $0.files = [.init(key: "API_KEY", path: "/run/key"), .init(key: "CERT", path: nil)]
                $0.mount = .init(path: "/run/all.json", format: .json)
            })
        let rendered = try outputs.render(Self.secrets, privateDirectory: "/dev/shm/soup-run.X")
        #expect(
            rendered.files == [
                ChildFile(path: "/run/key", bytes: Array(Self.secrets["API_KEY"]!.utf8)),
                ChildFile(path: "/dev/shm/soup-run.X/CERT", bytes: Array(Self.secrets["CERT"]!.utf8)),
                ChildFile(path: "/run/all.json", bytes: Array(ExportFormatter.format(Self.secrets, as: .json).utf8)),
            ])
        #expect(rendered.pathVariables == ["API_KEY": "/run/key", "CERT": "/dev/shm/soup-run.X/CERT"])
        #expect(throws: SecretFilesError.missingKey("API_KEY")) { try outputs.render([:], privateDirectory: "/d") }
        #expect(SecretFilesError.missingKey("API_KEY").exitCode == .notFound)
    }

    @Test func theBuilderPutsThePathInsteadOfTheValue() throws {
        let files = Self.files { $0.files = [.init(key: "API_KEY", path: "/run/key")] }
        let builder = ChildSetupBuilder(
            configuration: Self.configuration(files), inherited: Self.inherited, outputs: try Self.prepare(files))
        let (merge, childFiles) = try builder.build(Self.secrets)
        #expect(merge.environment["API_KEY"] == "/run/key")
        #expect(merge.environment["DB_URL"] == Self.secrets["DB_URL"], "other secrets are injected as usual")
        #expect(merge.environment["SOUP_TOKEN"] == nil)
        #expect(childFiles.secrets == Self.secrets)
        #expect(childFiles.files == [ChildFile(path: "/run/key", bytes: Array(Self.secrets["API_KEY"]!.utf8))])
    }

    @Test func withMountNoValueIsInjectedAndTheVariableNamesTheFile() throws {
        let files = Self.files {
            $0.mount = .init(path: "/run/s.env", format: .dotenv)
            $0.files = [.init(key: "CERT", path: "/run/cert")]
        }
        let builder = ChildSetupBuilder(
            configuration: Self.configuration(files, only: ["CERT", "DB_URL"]), inherited: Self.inherited,
            outputs: try Self.prepare(files))
        let (merge, childFiles) = try builder.build(Self.secrets)
        var expected = Self.inherited
        expected["SOUP_TOKEN"] = nil
        expected["CERT"] = "/run/cert"
        expected["SOUP_SECRETS_FILE"] = "/run/s.env"
        #expect(merge.environment == expected)
        let selected = ["CERT": Self.secrets["CERT"]!, "DB_URL": Self.secrets["DB_URL"]!]
        #expect(childFiles.secrets == selected, "--only applies to the files too")
        #expect(childFiles.files.last?.bytes == Array(ExportFormatter.format(selected, as: .dotenv).utf8))
    }

    @Test func aMissingOnlyKeyOrFileKeyFailsTheBuild() throws {
        let files = Self.files { $0.files = [.init(key: "NOPE", path: "/run/x")] }
        let builder = ChildSetupBuilder(
            configuration: Self.configuration(files), inherited: Self.inherited, outputs: try Self.prepare(files))
        #expect(throws: ChildSetupBuilder.SetupError.files(.missingKey("NOPE"))) { try builder.build(Self.secrets) }
        let only = ChildSetupBuilder(
            configuration: Self.configuration(files, only: ["GONE"]), inherited: Self.inherited,
            outputs: try Self.prepare(files))
        #expect(throws: ChildSetupBuilder.SetupError.merge(MergeError(.onlyKeysNotFound(["GONE"])))) {
            try only.build(Self.secrets)
        }
    }

    @Test func pristineAndPreserveEnvApplyToPathVariablesAsToSecrets() throws {
        let files = Self.files {
            $0.files = [.init(key: "CERT", path: "/run/cert")]
            $0.mount = .init(path: "/run/s.env", format: .dotenv)
        }
        var configuration = Self.configuration(files)
        configuration.pristine = true
        configuration.preserve = .keys(["PATH"])
        let pristine = ChildSetupBuilder(
            configuration: configuration, inherited: Self.inherited, outputs: try Self.prepare(files))
        #expect(
            try pristine.build(Self.secrets).merge.environment
                == ["PATH": "/usr/bin:/bin", "CERT": "/run/cert", "SOUP_SECRETS_FILE": "/run/s.env"])
        configuration.pristine = false
        configuration.preserve = .keys(["CERT"])
        let preserved = ChildSetupBuilder(
            configuration: configuration, inherited: Self.inherited.merging(["CERT": "mine"]) { $1 },
            outputs: try Self.prepare(files))
        #expect(try preserved.build(Self.secrets).merge.environment["CERT"] == "mine", "the inherited value wins")
    }

    @Test func completionsOfferNoneAndTheSignalsForReloadSignal() {
        #expect(Completions.values(.reloadSignals) == ["none"] + SignalName.all.map(\.name))
        #expect(OptionTable.spec(.reloadSignal).isWatchOnly)
        #expect(Completions.script(for: .zsh).contains(":src dest:_files'"), "no colon inside the message field")
        #expect(!OptionTable.spec(.file).isWatchOnly)
    }

    @Test func withoutFilesTheBuilderIsTheOneShotMerge() throws {
        let configuration = Self.configuration(Configuration.Files())
        let (merge, files) = try ChildSetupBuilder(configuration: configuration, inherited: Self.inherited).build(
            Self.secrets)
        #expect(
            merge
                == (try EnvironmentMerge.merge(
                    inherited: Self.inherited, secrets: Self.secrets, configuration: configuration)))
        #expect(files == .none)
    }

    @Test func privateDirectoryCandidatesPreferMemoryBackedOnes() {
        #expect(
            PrivateDirectory.candidates(["XDG_RUNTIME_DIR": "/run/user/1000/", "TMPDIR": "/var/tmp"])
                == ["/run/user/1000", "/dev/shm", "/var/tmp", "/tmp"])
        #expect(
            PrivateDirectory.candidates(["XDG_RUNTIME_DIR": "relative", "TMPDIR": "/tmp"]) == ["/dev/shm", "/tmp"])
    }
}

@Suite("ChildFileStore: writing and removing the command's files")
struct ChildFileStoreTests {
    @Test func aPrivateDirectoryThatAlreadyExistsIsNeverUsed() throws {
        let store = ChildFileStore()
        let base = "/tmp/soup-store-taken-\(getpid())"
        mkdir(base, 0o755)
        defer { rmdir(base) }
        let directory = try store.choosePrivateDirectory(environment: ["XDG_RUNTIME_DIR": base])
        mkdir(directory, 0o777)  // someone got there first
        defer { rmdir(directory) }
        #expect(
            store.write([ChildFile(path: directory + "/A", bytes: [1])])
                == .cannotWrite(path: directory, detail: "File exists"))
        #expect(access(directory + "/A", F_OK) != 0)
        #expect(store.removeAll() == [])
        #expect(access(directory, F_OK) == 0, "not ours: left alone")
    }

    @Test func writesFilesAs0600AndRemovesThemAndThePrivateDirectory() throws {
        let store = ChildFileStore()
        let base = "/tmp/soup-store-\(getpid())"
        mkdir(base, 0o755)
        defer { rmdir(base) }
        let directory = try store.choosePrivateDirectory(environment: ["XDG_RUNTIME_DIR": base])
        #expect(directory.hasPrefix(base + "/soup-run."))
        #expect(access(directory, F_OK) != 0, "made by the first write, not before")
        var info = stat()
        let files = [ChildFile(path: directory + "/A", bytes: [1, 2, 0x0A]), ChildFile(path: base + "/b", bytes: [])]
        #expect(store.write(files) == nil)
        #expect(stat(directory, &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(stat(directory + "/A", &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(try Platform.readFile(directory + "/A") == [1, 2, 0x0A])
        #expect(
            store.write([ChildFile(path: base, bytes: [1])]) == .cannotWrite(path: base, detail: "it is a directory"))
        #expect(
            store.write([ChildFile(path: base + "/no/x", bytes: [1])])
                == .cannotWrite(path: base + "/no/x", detail: "the directory \(base)/no does not exist"))
        #expect(store.removeAll() == [])
        #expect(access(directory, F_OK) != 0)
        #expect(access(base + "/b", F_OK) != 0)
    }
}
