import Foundation
import SoupCore
import Testing

/// `examples/kubernetes.yaml`: parsed (PyYAML); the token file must lie in the Secret volume's
/// mount and be readable by the user the container runs as; the grace period must leave soup-run
/// its stop timeout; and the container's command line (the Dockerfile's `ENTRYPOINT` + the
/// container's `args`) runs with the container's environment and a token file at its path under
/// a temporary directory, against soup-dev-server, until SIGTERM as the kubelet sends it.
@Suite("examples/kubernetes.yaml") struct KubernetesExampleTests {
    static let file = "examples/kubernetes.yaml"

    /// The Deployment's pod spec and its one container.
    static func podAndContainer() throws -> (pod: JSONValue, container: JSONValue) {
        let yaml = try ExampleYAML.load(file)
        #expect(yaml["kind"]?.stringValue == "Deployment")
        let pod = try #require(yaml["spec"]?["template"]?["spec"], "no spec.template.spec")
        let containers = pod["containers"]?.arrayValue ?? []
        #expect(containers.count == 1)
        return (pod, try #require(containers.first, "no container"))
    }

    /// The container's `env:` list as a map (only literal `value`s: the example needs no more).
    static func environment(of container: JSONValue) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in container["env"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let value = entry["value"]?.yamlScalar else {
                throw ExampleError("env entry \(entry["name"]?.stringValue ?? "?") has no literal value")
            }
            result[name] = value
        }
        return result
    }

    /// The Secret volume mounted at the directory that holds `path`: its mount path and volume.
    static func secretMount(holding path: String, pod: JSONValue, container: JSONValue) throws -> (
        mountPath: String, secret: JSONValue
    ) {
        for mount in container["volumeMounts"]?.arrayValue ?? [] {
            guard let mountPath = mount["mountPath"]?.stringValue, path.hasPrefix(mountPath + "/"),
                let volume = pod["volumes"]?.arrayValue?.first(where: { $0["name"] == mount["name"] }),
                let secret = volume["secret"]
            else { continue }
            return (mountPath, secret)
        }
        throw ExampleError("\(path) is in no mounted Secret volume")
    }

    @Test func theTokenFileIsTheSecretsKeyInsideItsMount() throws {
        let (pod, container) = try Self.podAndContainer()
        let tokenFile = try #require(try Self.environment(of: container)["SOUP_TOKEN_FILE"], "no SOUP_TOKEN_FILE")
        let (mountPath, secret) = try Self.secretMount(holding: tokenFile, pod: pod, container: container)
        // The file's name is the Secret's key, which the file's comment tells how to create.
        let key = String(tokenFile.dropFirst(mountPath.count + 1))
        let text = try ExampleRepository.read(Self.file)
        let name = try #require(secret["secretName"]?.stringValue)
        #expect(
            text.contains("kubectl create secret generic \(name) --from-literal=\(key)="),
            "the comment creates no key \(key) in \(name)")
    }

    /// Secret volume files belong to root, with `defaultMode` as permissions; with an `fsGroup`
    /// the kubelet gives them that group and makes them group-readable (and the container's
    /// processes members of it). The container runs as the image's `USER` unless the pod says otherwise.
    @Test func theContainersUserCanReadTheTokenFile() throws {
        let (pod, container) = try Self.podAndContainer()
        let tokenFile = try #require(try Self.environment(of: container)["SOUP_TOKEN_FILE"])
        let (_, secret) = try Self.secretMount(holding: tokenFile, pod: pod, container: container)
        let imageUser = try ExampleImage().user()
        let context = { (key: String) in
            container["securityContext"]?[key]?.yamlInt ?? pod["securityContext"]?[key]?.yamlInt
        }
        let uid = context("runAsUser") ?? imageUser?.uid ?? 0
        let gid = context("runAsGroup") ?? imageUser?.gid ?? 0
        let fsGroup = pod["securityContext"]?["fsGroup"]?.yamlInt
        var mode = secret["defaultMode"]?.yamlInt ?? 0o644
        if fsGroup != nil { mode |= 0o440 }
        let readable = uid == 0 || mode & 0o004 != 0 || (mode & 0o040 != 0 && (fsGroup != nil || gid == 0))
        #expect(
            readable,
            "uid \(uid) gid \(gid) cannot read a root-owned token file of mode \(String(mode, radix: 8)) (fsGroup \(fsGroup.map(String.init) ?? "unset"))"
        )
    }

    /// `:latest` or no tag means `imagePullPolicy: Always`: an image built locally (from
    /// examples/Dockerfile) would fail with ErrImagePull. The tag must be a pinned version.
    @Test func theImageIsPinnedAndNotAlwaysPulled() throws {
        let (_, container) = try Self.podAndContainer()
        let image = try #require(container["image"]?.stringValue, "no image")
        let name = image.split(separator: "/").last.map(String.init) ?? image
        let tag = name.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init)
        #expect(tag != nil && tag != "latest", "image \(image) implies imagePullPolicy: Always")
        let policy = container["imagePullPolicy"]?.stringValue ?? "IfNotPresent"
        #expect(policy != "Always", "imagePullPolicy: \(policy)")
    }

    @Test func theGracePeriodExceedsSoupRunsStopTimeout() throws {
        let (pod, container) = try Self.podAndContainer()
        let image = try ExampleImage()
        let grace = pod["terminationGracePeriodSeconds"]?.yamlInt ?? 30  // the Kubernetes default
        let argv =
            (container["command"]?.arrayValue?.compactMap(\.stringValue) ?? image.entrypoint)
            + (container["args"]?.arrayValue?.compactMap(\.stringValue) ?? image.command)
        let stopTimeout = try ExampleAPI.stopTimeout(in: argv)
        #expect(
            Double(grace) > stopTimeout,
            "terminationGracePeriodSeconds \(grace), soup-run's --stop-timeout \(stopTimeout) s")
    }

    @Test func theContainerRunsTheAppWithItsSecretsAndStopsOnSigterm() throws {
        let server = try DevServer(state: ExampleAPI.state)
        let (_, container) = try Self.podAndContainer()
        let image = try ExampleImage()
        let root = try TemporaryDirectory(prefix: "soup-k8s")
        var environment = image.environment
        environment.merge(try Self.environment(of: container)) { $1 }
        environment["SOUP_API_URL"] = try ExampleAPI.repoint(
            try #require(environment["SOUP_API_URL"]), to: server.apiURL)
        let tokenFile = try #require(environment["SOUP_TOKEN_FILE"])
        let hostTokenFile = root.path + tokenFile
        try FileManager.default.createDirectory(
            atPath: (hostTokenFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(e2eToken.utf8).write(to: URL(fileURLWithPath: hostTokenFile))
        environment["SOUP_TOKEN_FILE"] = hostTokenFile
        let argv = try image.hostCommand(
            arguments: container["args"]?.arrayValue?.compactMap(\.stringValue),
            entrypoint: container["command"]?.arrayValue?.compactMap(\.stringValue))
        let target = try ExampleAPI.target(of: argv, environment: environment)
        let secrets = try ExampleAPI.secrets(
            api: server.apiURL, project: target.project, environment: target.environment, token: e2eToken)
        try expectServesSecretsAndStops(
            argv, environment: environment, secrets: secrets, token: e2eToken,
            stopBound: try ExampleAPI.stopTimeout(in: argv))
    }
}
