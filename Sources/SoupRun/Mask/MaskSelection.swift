/// Which values `--mask` masks: those of the secrets the command is given (after `--only`).
enum MaskSelection {
    /// The secrets after `--only` (all of them if the selection fails: masking more is safe).
    static func selected(_ secrets: [String: String], _ configuration: Configuration) -> [String: String] {
        (try? EnvironmentMerge.selectedSecrets(secrets, configuration: configuration)) ?? secrets
    }

    /// The patterns for the first child; the keys too short to mask are listed once at `-v`.
    static func patterns(
        _ secrets: [String: String], _ configuration: Configuration, _ mask: Configuration.Mask, _ logger: Logger
    ) -> MaskPatterns {
        let chosen = selected(secrets, configuration)
        let short = shortKeys(chosen, minimumLength: mask.minimumLength)
        if !short.isEmpty {
            logger.debug("not masked, shorter than \(mask.minimumLength) bytes: \(short.joined(separator: ", "))")
        }
        return MaskPatterns(values: chosen.values, minimumLength: mask.minimumLength)
    }

    /// The keys whose values are too short to mask, sorted (names only, never values).
    static func shortKeys(_ secrets: [String: String], minimumLength: Int) -> [String] {
        secrets.filter { $0.value.utf8.count < minimumLength }.keys.sorted()
    }
}
