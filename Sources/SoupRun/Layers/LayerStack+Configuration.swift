import SoupCore

extension LayerStack {
    /// The layers `configuration` names, in precedence order: `--also`, the operands, the env
    /// files. Each API layer is a `SecretsClient` of its own (same URL, token, timeout, retries).
    /// The operands' environment is named in errors only when it is not alone, so a plain run's
    /// messages are the same as without layers.
    public static func make(
        configuration: Configuration, token: Secret, transport: any HTTPTransport, logger: Logger,
        budget: ExecBudget? = nil,
        sleep: @escaping @Sendable (Double) -> Void = { Platform.sleep(seconds: $0) },
        files: EnvFileAccess = .live
    ) -> LayerStack {
        // The clients' warnings (plain http) are the same for every layer: print each once.
        let printed = Locked<Set<String>>([])
        let shared = logger.filtered { line in
            !line.hasPrefix("soup-run: warning: ") || printed.withLock { $0.insert(line).inserted }
        }
        func client(_ name: Configuration.EnvironmentName) -> SecretsClient {
            var layerConfiguration = configuration
            layerConfiguration.project = name.project
            layerConfiguration.environment = name.environment
            return SecretsClient(
                configuration: layerConfiguration, token: token, transport: transport, logger: shared, budget: budget,
                sleep: sleep)
        }
        let operands = Configuration.EnvironmentName(
            project: configuration.project, environment: configuration.environment)
        var layers = configuration.also.map { Layer(name: "--also \($0)", source: .api(client($0))) }
        layers.append(
            Layer(
                name: operands.description,
                namedInErrors: !configuration.also.isEmpty || !configuration.envFiles.isEmpty,
                source: .api(client(operands))))
        layers += configuration.envFiles.map {
            Layer(name: $0.description, source: .envFile(path: $0.path, optional: $0.optional))
        }
        return LayerStack(layers: layers, files: files, logger: logger, bound: worstCase(configuration))
    }

    /// A bound no fetch reaches: every attempt at its timeout, each after up to 5 redirects, plus
    /// the longest retry waits, twice over, and a minute of slack.
    static func worstCase(_ configuration: Configuration) -> Double {
        let attempts = Double(configuration.retries + 1)
        let perAttempt =
            configuration.timeout * Double(SecretsClient.maxRedirects + 1) + RetryPolicy(retries: 0).maxDelay
        return 2 * attempts * perAttempt + 60
    }
}
