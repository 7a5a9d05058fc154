import Foundation

/// One stage of `examples/Dockerfile` laid over this machine, for running its command line the
/// way a container runtime would without building it: every file the stage's `COPY` lines put in
/// the image maps to the host file it comes from (the build context's file, or the built binary
/// that `scripts/release.sh` leaves in its output directory), and the command's program is looked
/// up on the image's `PATH` among those files.
struct ExampleImage {
    /// The `PATH` Docker gives a container whose image sets none.
    static let dockerDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    static let dockerfile = "examples/Dockerfile"

    let model: DockerfileModel
    let stage: DockerfileModel.Stage
    /// Host file for each image path: what the stage copies in, plus files the runtime mounts.
    var files: [String: String]
    /// The environment the image sets (`ENV`, and Docker's default `PATH`).
    let environment: [String: String]
    let entrypoint: [String]
    let command: [String]

    /// - Parameter name: the stage; nil is the last one, which `docker build` builds without `--target`.
    init(stage name: String? = nil) throws {
        let model = try DockerfileModel.parse(try ExampleRepository.read(Self.dockerfile))
        self.model = model
        stage = try name.map { try model.stage($0) } ?? model.stages[model.stages.count - 1]
        var environment = try model.environment(of: stage)
        if environment["PATH"] == nil { environment["PATH"] = Self.dockerDefaultPath }
        self.environment = environment
        entrypoint = try model.entrypoint(of: stage)
        command = try model.command(of: stage)
        files = [:]
        for copy in try model.copies(in: stage) {
            let produced = try copy.from.map { try Self.releaseOutputs(of: try model.stage($0)) }
            for source in copy.sources {
                let destination =
                    copy.destination.hasSuffix("/") || copy.sources.count > 1
                    ? copy.destination + "/" + (source as NSString).lastPathComponent : copy.destination
                if let produced {
                    guard let host = produced[source] else {
                        throw ExampleError(
                            "COPY --from=\(copy.from ?? "") \(source): the build stage produces no such file")
                    }
                    files[destination] = host
                } else {
                    files[destination] = ExampleRepository.path(source)
                }
            }
        }
    }

    /// The CA bundle Debian's `ca-certificates` package installs (this machine's stands for it).
    static let caBundle = "/etc/ssl/certs/ca-certificates.crt"

    /// What a stage that runs `scripts/release.sh OUT` leaves in OUT: the built binaries, by image
    /// path; plus the CA bundle when the stage installs `ca-certificates`.
    static func releaseOutputs(of stage: DockerfileModel.Stage) throws -> [String: String] {
        let runs = stage.arguments(of: "RUN")
        let installsCAs = try runs.contains { try ExampleWords.split($0).contains("ca-certificates") }
        for run in runs {
            let words = try ExampleWords.split(run)
            guard words.first == "scripts/release.sh" else { continue }
            let out = words.count > 1 ? words[1] : "dist"
            var outputs = ["\(out)/soup-run": Binaries.soupRun, "\(out)/soup-dev-server": Binaries.soupDevServer]
            if installsCAs { outputs[caBundle] = caBundle }
            return outputs
        }
        throw ExampleError("stage \(stage.name ?? stage.base) does not run scripts/release.sh")
    }

    /// The command line the container runs (`entrypoint` + `arguments`, which default to `CMD`),
    /// with the program found on the image's PATH and every argument that names an image file
    /// replaced by the host file that stands for it.
    func hostCommand(arguments: [String]? = nil, entrypoint: [String]? = nil) throws -> [String] {
        let argv = (entrypoint ?? self.entrypoint) + (arguments ?? command)
        guard let program = argv.first else { throw ExampleError("the \(stage.name ?? "") stage has no command") }
        return [try executable(program)] + argv.dropFirst().map { files[$0] ?? $0 }
    }

    /// The host file for `program`: an image path, or a name looked up on the image's PATH.
    func executable(_ program: String) throws -> String {
        if program.contains("/") {
            guard let host = files[program] else { throw ExampleError("\(program) is not a file the image holds") }
            return host
        }
        let path = environment["PATH"] ?? Self.dockerDefaultPath
        for directory in path.split(separator: ":") {
            if let host = files["\(directory)/\(program)"] { return host }
        }
        throw ExampleError("\(program) is not on the image's PATH (\(path)); the image holds \(files.keys.sorted())")
    }

    /// The `USER` the stage runs as, as uid and gid (numeric only: the slim base has no other users).
    func user() throws -> (uid: Int, gid: Int)? {
        guard let user = stage.arguments(of: "USER").last else { return nil }
        let parts = user.split(separator: ":").compactMap { Int($0) }
        guard let uid = parts.first, parts.count == user.split(separator: ":").count else {
            throw ExampleError("USER \(user) is not numeric")
        }
        return (uid, parts.count > 1 ? parts[1] : uid)
    }
}
