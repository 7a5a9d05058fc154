import SoupCore

extension LayerStack {
    /// The API environments `configuration` names, in precedence order: `--also`, then the
    /// operands. Each is a `SecretsClient` of its own (same URL, token, timeout, retries, and
    /// one transport: their GETs share its connections). The operands' environment is named in
    /// errors only when it is not alone, so a plain run's messages are the same as without layers.
    public static func environments(
        configuration: Configuration, token: Secret, transport: any HTTPTransport, logger: Logger,
        budget: ExecBudget? = nil, sleep: @escaping @Sendable (Double) -> Void = { Platform.sleep(seconds: $0) }
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
        // With env files the stack above lists the overridden keys, these included.
        return LayerStack(
            layers: layers, files: .live, logger: logger, bound: worstCase(configuration),
            reportsOverrides: configuration.envFiles.isEmpty)
    }

    /// `api` (the API environments: a stack from `environments`, possibly through the fallback
    /// copy or a rotating token file) under the env files `configuration` names, in order; `api`
    /// itself when there are none (an idle poll then costs no extra level).
    public static func withEnvFiles(
        over api: any SecretsSource<LayerError>, configuration: Configuration, files: EnvFileAccess, logger: Logger
    ) -> any SecretsSource<LayerError> {
        if configuration.envFiles.isEmpty { return api }
        return stacked(over: api, configuration: configuration, files: files, logger: logger)
    }

    /// `api` as the lowest layer of a stack with the env files.
    static func stacked(
        over api: any SecretsSource<LayerError>, configuration: Configuration, files: EnvFileAccess, logger: Logger
    ) -> LayerStack {
        var layers = [Layer(name: apiLayerName, namedInErrors: false, source: .stack(api))]
        layers += configuration.envFiles.map {
            Layer(name: $0.description, source: .envFile(path: $0.path, optional: $0.optional))
        }
        // The API stack waits for its own layers within the same bound; a little more here.
        return LayerStack(layers: layers, files: files, logger: logger, bound: worstCase(configuration) + 30)
    }

    /// How `-v` names the API environments when they cannot be told apart: after a start from
    /// the fallback copy, which holds their combination.
    static let apiLayerName = "the fallback copy"

    /// A bound no fetch reaches: every attempt at its timeout, each after up to 5 redirects, plus
    /// the longest retry waits, twice over, and a minute of slack.
    static func worstCase(_ configuration: Configuration) -> Double {
        let attempts = Double(configuration.retries + 1)
        let perAttempt =
            configuration.timeout * Double(SecretsClient.maxRedirects + 1) + RetryPolicy(retries: 0).maxDelay
        return 2 * attempts * perAttempt + 60
    }
}
