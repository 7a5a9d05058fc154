/// A source whose start-up fetch gives its secrets as a `SecretSet`, with no dictionary made on
/// the way: the API client and the layer stack. `--export` reads through these, so a body of a
/// million tiny keys costs about its own size again, not four times it.
public protocol SecretSetSource<Failure>: SecretsSource {
    func startUpSetFetch() throws(Failure) -> SecretSetFetch
}

extension SecretSetSource {
    public func startUpFetch() throws(Failure) -> StartUpFetch {
        try startUpSetFetch().startUpFetch
    }
}

extension SecretsSource {
    /// The start-up fetch as a `SecretSet`: the source's own when it has one (a
    /// `SecretSetSource`), else its dictionary's (a test's fake, the fallback copy).
    public func startUpSetFetchThroughAny() throws(Failure) -> SecretSetFetch {
        if let source = self as? any SecretSetSource<Failure> { return try source.startUpSetFetch() }
        let fetched = try startUpFetch()
        return SecretSetFetch(
            secrets: SecretSet(fetched.secrets), etag: fetched.etag, rateLimitWait: fetched.rateLimitWait)
    }
}

extension SecretsClient: SecretSetSource {}
