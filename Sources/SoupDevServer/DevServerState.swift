/// A token's rate-limit tier, as named in the state file.
public enum Tier: String, Sendable, CaseIterable {
    case selfHosted = "self-hosted"
    case free
    case pro
    case enterprise

    /// Requests a token of this tier may make per minute; nil is unlimited.
    public var requestsPerMinute: Int? {
        switch self {
        case .selfHosted: return nil
        case .free: return 100
        case .pro: return 1_000
        case .enterprise: return 10_000
        }
    }
}

/// What one token may do: the projects it reaches (`"*"` is every project) and its tier.
public struct TokenGrant: Sendable, Equatable {
    public var projects: [String]
    public var tier: Tier

    public init(projects: [String], tier: Tier = .selfHosted) {
        self.projects = projects
        self.tier = tier
    }

    /// Whether the token reaches `project`.
    public func allows(project: String) -> Bool {
        projects.contains("*") || projects.contains(project)
    }
}

/// One environment: an optional parent in the same project and the secrets set here.
public struct EnvironmentState: Sendable, Equatable {
    public var parent: String?
    public var secrets: [String: String]

    public init(parent: String? = nil, secrets: [String: String] = [:]) {
        self.parent = parent
        self.secrets = secrets
    }
}

/// One project: its environments by name.
public struct ProjectState: Sendable, Equatable {
    public var environments: [String: EnvironmentState]

    public init(environments: [String: EnvironmentState] = [:]) {
        self.environments = environments
    }
}

/// Everything the server knows: tokens (by token text) and projects (by name).
public struct DevServerState: Sendable, Equatable {
    public var tokens: [String: TokenGrant]
    public var projects: [String: ProjectState]

    public init(tokens: [String: TokenGrant] = [:], projects: [String: ProjectState] = [:]) {
        self.tokens = tokens
        self.projects = projects
    }
}

extension DevServerState {
    /// The token the demo data set grants; printed at start so the README quickstart works.
    public static let demoToken = "demo-token"

    /// The demo data set: used in memory without `--data`, written to a `--data` file that does
    /// not exist yet. The README quickstart and the end-to-end tests rely on exactly this content.
    public static let demo = DevServerState(
        tokens: [demoToken: TokenGrant(projects: ["*"])],
        projects: [
            "my-app": ProjectState(environments: [
                "base": EnvironmentState(
                    parent: nil,
                    secrets: ["LOG_LEVEL": "info", "DB_HOST": "localhost", "DB_PORT": "5432", "DB_NAME": "app"]
                ),
                "dev": EnvironmentState(
                    parent: "base",
                    secrets: [
                        "DB_PASSWORD": "dev-password",
                        "DATABASE_URL": "postgres://app:${DB_PASSWORD}@${DB_HOST}:${DB_PORT}/${DB_NAME}",
                        "FEATURE_BETA": "true",
                    ]
                ),
                "prod": EnvironmentState(
                    parent: "base",
                    secrets: [
                        "DB_HOST": "db.internal",
                        "DB_PASSWORD": "change-me",
                        "LOG_LEVEL": "warn",
                        "DATABASE_URL": "postgres://app:${DB_PASSWORD}@${DB_HOST}:${DB_PORT}/${DB_NAME}",
                    ]
                ),
            ])
        ]
    )
}
