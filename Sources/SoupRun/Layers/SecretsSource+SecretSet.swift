extension SecretsSource {
    /// A source that has only dictionaries (a test's fake, the fallback copy): its start-up
    /// fetch as a set. The API client and the layer stack give theirs with no dictionary made,
    /// so `--export` of a body of a million tiny keys costs about its own size again.
    public func startUpSetFetch() throws(Failure) -> SecretSetFetch {
        let fetched = try startUpFetch()
        return SecretSetFetch(
            secrets: SecretSet(fetched.secrets), etag: fetched.etag, rateLimitWait: fetched.rateLimitWait)
    }
}
