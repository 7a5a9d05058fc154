import Testing
@testable import SoupRun

/// A fake filesystem: path → kind; anything else is missing. Records the probes in order.
final class ProcessFakeFiles: @unchecked Sendable {
    let files: [String: FileKind]
    private(set) var probed: [String] = []
    init(_ files: [String: FileKind]) { self.files = files }
    func probe(_ path: String) -> FileKind {
        probed.append(path)
        return files[path] ?? .missing
    }
}

@Suite("ExecutableLookup")
struct ExecutableLookupTests {
    @Test func firstExecutableInPathOrderWins() {
        let fs = ProcessFakeFiles(["/a/node": .executable, "/b/node": .executable])
        #expect(ExecutableLookup.resolve("node", path: "/a:/b", probe: fs.probe) == .success("/a/node"))
        #expect(fs.probed == ["/a/node"])
    }

    @Test func skipsMissingAndDirectories() {
        let fs = ProcessFakeFiles(["/a/node": .directory, "/c/node": .executable])
        #expect(ExecutableLookup.resolve("node", path: "/a:/b:/c", probe: fs.probe) == .success("/c/node"))
        #expect(fs.probed == ["/a/node", "/b/node", "/c/node"])
    }

    @Test func nonExecutableIsSkippedWhenALaterOneRuns() {
        let fs = ProcessFakeFiles(["/a/node": .notExecutable, "/b/node": .executable])
        #expect(ExecutableLookup.resolve("node", path: "/a:/b", probe: fs.probe) == .success("/b/node"))
    }

    @Test func onlyNonExecutableCandidatesMeanPermissionDenied() {
        let fs = ProcessFakeFiles(["/b/tool": .notExecutable])
        let result = ExecutableLookup.resolve("tool", path: "/a:/b", probe: fs.probe)
        #expect(result == .failure(.notExecutable(command: "tool", reason: .permissionDenied)))
        if case .failure(let error) = result { #expect(error.exitCode == .cannotExecute) }
    }

    @Test func nothingFoundIs127AndCountsDirectories() {
        let result = ExecutableLookup.resolve("nope", path: "/a:/b:/c", probe: ProcessFakeFiles([:]).probe)
        #expect(result == .failure(.notFound(command: "nope", searched: .path(directories: 3))))
        if case .failure(let error) = result {
            #expect(error.exitCode == .commandNotFound)
            #expect(
                error.description
                    == "command not found: nope (searched the 3 directories of PATH in the command's environment)")
        }
    }

    @Test(arguments: [
        ("/a::/b", ["/a", ".", "/b"]),
        (":/a", [".", "/a"]),
        ("/a:", ["/a", "."]),
        ("", ["."]),
        ("/a/", ["/a/"]),
    ])
    func emptyEntriesMeanTheCurrentDirectory(path: String, expected: [String]) {
        #expect(ExecutableLookup.searchDirectories(path: path) == expected)
    }

    @Test func emptyEntryProbesRelativeToCurrentDirectory() {
        let fs = ProcessFakeFiles(["./run": .executable])
        #expect(ExecutableLookup.resolve("run", path: "/a::/b", probe: fs.probe) == .success("./run"))
    }

    @Test func trailingSlashIsNotDoubled() {
        let fs = ProcessFakeFiles(["/opt/bin/x": .executable])
        #expect(ExecutableLookup.resolve("x", path: "/opt/bin/", probe: fs.probe) == .success("/opt/bin/x"))
    }

    @Test func noPathSearchesTheDefault() {
        let fs = ProcessFakeFiles(["/usr/bin/env": .executable])
        #expect(ExecutableLookup.resolve("env", path: nil, probe: fs.probe) == .success("/usr/bin/env"))
        #expect(fs.probed == ["/bin/env", "/usr/bin/env"])
        let missing = ExecutableLookup.resolve("nope", path: nil, probe: ProcessFakeFiles([:]).probe)
        #expect(missing == .failure(.notFound(command: "nope", searched: .defaultPath("/bin:/usr/bin"))))
    }

    @Test func nameWithSlashIsUsedAsIsAndPathIsNotSearched() {
        let fs = ProcessFakeFiles(["./bin/app": .executable, "/x/bin/app": .executable])
        #expect(ExecutableLookup.resolve("./bin/app", path: "/x", probe: fs.probe) == .success("./bin/app"))
        #expect(fs.probed == ["./bin/app"])
    }

    @Test(arguments: [
        (FileKind.missing, ExecError.notFound(command: "/opt/app", searched: .asGiven)),
        (FileKind.directory, ExecError.notExecutable(command: "/opt/app", reason: .isDirectory)),
        (FileKind.notExecutable, ExecError.notExecutable(command: "/opt/app", reason: .permissionDenied)),
    ])
    func nameWithSlashFailures(kind: FileKind, expected: ExecError) {
        let fs = ProcessFakeFiles(["/opt/app": kind])
        #expect(ExecutableLookup.resolve("/opt/app", path: "/bin", probe: fs.probe) == .failure(expected))
    }

    @Test func emptyCommandWordIsNotFound() {
        let fs = ProcessFakeFiles([:])
        #expect(
            ExecutableLookup.resolve("", path: "/bin", probe: fs.probe)
                == .failure(.notFound(command: "", searched: .asGiven)))
        #expect(fs.probed.isEmpty)
    }
}
