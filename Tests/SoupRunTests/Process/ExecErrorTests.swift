#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Testing
@testable import SoupRun

@Suite("ExecError and PreparedCommand")
struct ExecErrorTests {
    @Test(arguments: [
        (EACCES, ExecError.Reason.permissionDenied),
        (EPERM, .permissionDenied),
        (ENOEXEC, .badFormat),
        (ENOENT, .interpreterMissing),
        (EISDIR, .isDirectory),
        (ETXTBSY, .other(errno: ETXTBSY)),
    ])
    func execErrnoMapsTo126(code: Int32, reason: ExecError.Reason) {
        let error = ExecError.fromExec(errno: code, command: "app")
        #expect(error == .notExecutable(command: "app", reason: reason))
        #expect(error.exitCode == .cannotExecute)
        #expect(error.description.hasPrefix("cannot execute app: "))
    }

    @Test func notFoundMessagesDescribePathWithoutPrintingIt() {
        let withPath = ExecError.notFound(command: "node", searched: .path(directories: 1))
        #expect(
            withPath.description
                == "command not found: node (searched the 1 directory of PATH in the command's environment)")
        let noPath = ExecError.notFound(command: "node", searched: .defaultPath("/bin:/usr/bin"))
        #expect(
            noPath.description
                == "command not found: node (the command's environment has no PATH; searched /bin:/usr/bin)")
        #expect(
            ExecError.notFound(command: "./x", searched: .asGiven).description
                == "command not found: ./x (no such file)")
    }

    @Test func prepareResolvesInTheFinalEnvironmentsPathAndSortsVariables() throws {
        let fs = ProcessFakeFiles(["/secret/bin/app": .executable, "/usr/bin/app": .executable])
        let env = ["PATH": "/secret/bin:/usr/bin", "B": "2", "A": "1"]
        let prepared = try PreparedCommand.prepare(
            command: ["app", "--flag"], environment: env, probe: fs.probe,
            limits: .init(argMax: 1 << 20, pageSize: 4096)
        ).get()
        #expect(
            prepared
                == PreparedCommand(
                    path: "/secret/bin/app", argv: ["app", "--flag"],
                    environment: ["A=1", "B=2", "PATH=/secret/bin:/usr/bin"]))
    }

    /// Sorted by key, not by the `KEY=value` string: "=" sorts after digits, so "A1=x" would
    /// come before "A=y" if the strings were compared whole.
    @Test func variablesAreSortedByKeyBytes() throws {
        let fs = ProcessFakeFiles(["/bin/app": .executable])
        let env = ["A1": "x", "A": "y", "A_B": "z", "PATH": "/bin", "B": "", "a": "lower", "É": "non-ascii"]
        let prepared = try PreparedCommand.prepare(
            command: ["app"], environment: env, probe: fs.probe, limits: .init(argMax: 1 << 20, pageSize: 4096)
        ).get()
        #expect(prepared.environment == ["A=y", "A1=x", "A_B=z", "B=", "PATH=/bin", "a=lower", "É=non-ascii"])
    }

    /// What execve receives: argv as given and NULL-terminated, envp pointing at each `KEY=value`.
    @Test func cArraysHoldExactlyTheStrings() throws {
        let fs = ProcessFakeFiles(["/bin/app": .executable])
        var env: [String: String] = ["PATH": "/bin", "EMPTY": "", "MULTI": "line 1\nline 2 = é"]
        for i in 0..<200 { env["K\(i)"] = String(repeating: "v", count: i) }
        let prepared = try PreparedCommand.prepare(
            command: ["app", "", "two words"], environment: env, probe: fs.probe,
            limits: .init(argMax: 1 << 20, pageSize: 4096)
        ).get()
        func strings(_ array: UnsafePointer<UnsafeMutablePointer<CChar>?>) -> [String] {
            var result: [String] = []
            var i = 0
            while let p = array[i] {
                result.append(String(cString: p))
                i += 1
            }
            return result
        }
        let (path, argv, envp) = prepared.withCArrays { path, argv, envp in
            (String(cString: path), strings(argv), strings(envp))
        }
        #expect(path == "/bin/app")
        #expect(argv == ["app", "", "two words"])
        #expect(envp == prepared.environment)
        #expect(Set(envp) == Set(env.map { "\($0.key)=\($0.value)" }))
        #expect(envp.count == env.count)
    }

    /// An inherited variable that is not UTF-8 goes to the command as its original bytes when its
    /// value is unchanged, and as the new value when a secret replaced it.
    @Test func undecodableInheritedEntriesKeepTheirBytesUnlessReplaced() throws {
        let fs = ProcessFakeFiles(["/bin/app": .executable])
        let latin1 = Array("LATIN1=caf".utf8) + [0xE9]
        let other = Array("OTHER=x".utf8) + [0xFF]
        let undecodable = [
            "LATIN1": RawEnvironmentEntry(value: "caf\u{FFFD}", bytes: latin1),
            "OTHER": RawEnvironmentEntry(value: "x\u{FFFD}", bytes: other),
        ]
        let env = ["PATH": "/bin", "LATIN1": "caf\u{FFFD}", "OTHER": "from a secret"]
        let prepared = try PreparedCommand.prepare(
            command: ["app"], environment: env, undecodable: undecodable, probe: fs.probe,
            limits: .init(argMax: 1 << 20, pageSize: 4096)
        ).get()
        let envp: [[UInt8]] = prepared.withCArrays { _, _, envp in
            var result: [[UInt8]] = []
            var i = 0
            while let p = envp[i] {
                result.append(
                    Array(
                        UnsafeBufferPointer(
                            start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))))
                i += 1
            }
            return result
        }
        #expect(envp == [latin1, Array("OTHER=from a secret".utf8), Array("PATH=/bin".utf8)])
    }

    @Test func anEmptyEnvironmentIsJustTheTerminator() throws {
        let prepared = PreparedCommand(path: "/bin/app", argv: ["app"], environment: [])
        #expect(prepared.withCArrays { _, _, envp in envp[0] == nil })
    }

    @Test func prepareChecksLimitsAfterLookup() {
        let fs = ProcessFakeFiles(["/bin/app": .executable])
        let result = PreparedCommand.prepare(
            command: ["app"], environment: ["PATH": "/bin", "BIG": String(repeating: "x", count: 5000)],
            probe: fs.probe, limits: .init(argMax: 4096, pageSize: nil))
        guard case .failure(.tooLarge(.totalTooLarge(_, 4096, let largest))) = result else {
            Issue.record("expected totalTooLarge, got \(result)")
            return
        }
        #expect(largest.first?.name == "BIG")
    }

    @Test func prepareWithoutCommandIsNotFound() {
        #expect(
            PreparedCommand.prepare(command: [], environment: [:])
                == .failure(.notFound(command: "", searched: .asGiven)))
    }

    @Test func systemProbeSeesRealFiles() {
        #expect(ProcessSystem.probe("/bin/sh") == .executable)
        #expect(ProcessSystem.probe("/") == .directory)
        #expect(ProcessSystem.probe("/etc/hostname-that-does-not-exist") == .missing)
    }

    @Test func currentLimitsAreSane() {
        let limits = ProcessSystem.Limits.current
        #expect(limits.argMax >= 131072)
        #if os(Linux)
            #expect(limits.argMax <= 6 << 20)
            #expect(limits.pageSize != nil)
        #endif
    }
}
