import SoupCore

extension Configuration {
    /// An environment fetched as well, with `--also PROJECT/ENVIRONMENT`.
    public struct EnvironmentName: Sendable, Equatable, CustomStringConvertible {
        public var project: String
        public var environment: String

        public init(project: String, environment: String) {
            self.project = project
            self.environment = environment
        }

        /// `PROJECT/ENVIRONMENT`, a `%` or `/` inside a name written `%25` or `%2F`, so the text
        /// parses back to the same names.
        public var description: String { Self.escaped(project) + "/" + Self.escaped(environment) }

        private static func escaped(_ name: String) -> String {
            var out = ""
            for character in name {
                switch character {
                case "%": out += "%25"
                case "/": out += "%2F"
                default: out.append(character)
                }
            }
            return out
        }

        /// `--also`'s value: exactly one `/` between two non-empty names, each percent-decoded
        /// (`%2F` is a `/` inside a name, `%25` a `%`), as the operands are sent once encoded.
        static func parse(_ text: String, flag: String) throws(UsageError) -> EnvironmentName {
            let invalid = UsageError(
                .invalidValue(
                    flag: flag, value: text,
                    expected: "PROJECT/ENVIRONMENT (a / or % inside a name is written %2F or %25)"))
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let project = PercentEncoding.decode(parts[0]),
                let environment = PercentEncoding.decode(parts[1]), !project.isEmpty, !environment.isEmpty
            else { throw invalid }
            return EnvironmentName(project: project, environment: environment)
        }
    }

    /// A dotenv file read as a layer, with `--env-file PATH` or `--env-file-optional PATH`.
    public struct EnvFile: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        /// `--env-file-optional`: a missing file is an empty layer rather than an error.
        public var optional: Bool

        public init(path: String, optional: Bool = false) {
            self.path = path
            self.optional = optional
        }

        /// The option and path, as the user wrote them: `--env-file .env`.
        public var description: String { (optional ? "--env-file-optional " : "--env-file ") + path }
    }
}
