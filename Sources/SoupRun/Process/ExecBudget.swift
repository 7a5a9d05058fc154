import SoupCore

/// What exec can still take for secrets, known before the fetch, so that a response whose
/// secrets cannot fit is refused while it is read instead of after it is all in memory.
///
/// It counts as `ExecLimits.check` does (each `KEY=value` with its NUL, one pointer each) and
/// as `EnvironmentMerge.merge` combines: the arguments and the inherited variables the command
/// keeps are the base; a secret adds its string and pointer, replaces an inherited variable of
/// its name, adds nothing when `--preserve-env` keeps the inherited one or `--only` leaves it
/// out. The count is a lower bound of the final size (the path, resolved later, is left out),
/// so a response it refuses could never have been exec'd.
public struct ExecBudget: Sendable, Equatable {
    /// The ARG_MAX in force.
    public var limit: Int
    /// Bytes exec needs before any secret: the arguments and the kept inherited variables, with pointers.
    public var base: Int
    /// The kept inherited variables by name: the bytes of their `KEY=value` strings.
    var kept: [String: Int]
    /// Inherited names whose inherited value wins over a secret (`--preserve-env`).
    var winning: Set<String>
    /// `--only`: the names that reach the command (nil: all).
    var only: Set<String>?
    /// False when later layers may replace a value (`--also`, `--env-file`): only keys count then.
    var countsValues: Bool
    var pointerSize: Int

    /// The budget for running `command` with `inherited` under `configuration`.
    public init(
        command: [String], inherited: [String: String], configuration: Configuration,
        limit: Int = ProcessSystem.Limits.current.argMax, pointerSize: Int = MemoryLayout<UnsafeRawPointer>.size
    ) {
        let (base, kept) = EnvironmentMerge.inheritedPart(inherited, configuration: configuration)
        self.limit = limit
        self.pointerSize = pointerSize
        self.kept = kept.reduce(into: [:]) { $0[$1.key] = Self.entryBytes($1.key, $1.value) }
        self.base =
            command.reduce(0) { $0 + $1.utf8.count + 1 } + max(command.count, 1) * pointerSize
            + self.kept.values.reduce(0, +) + kept.count * pointerSize
        winning = Set(base.keys.filter { EnvironmentMerge.isPreserved($0, configuration.preserve) })
        only = configuration.only.map(Set.init)
        countsValues = configuration.also.isEmpty && configuration.envFiles.isEmpty
    }

    /// `KEY=value` with its NUL.
    static func entryBytes(_ key: String, _ value: String) -> Int { key.utf8.count + 1 + value.utf8.count + 1 }

    /// A running count over the secrets of one response.
    public struct Meter: Sendable {
        public let budget: ExecBudget
        /// The whole would-be exec size so far.
        public private(set) var total: Int
        /// The secrets' share so far: how many, their bytes with pointers, the largest.
        public private(set) var share = ExecSizeProblem.Share(count: 0, bytes: 0, largest: [])

        public init(_ budget: ExecBudget) {
            self.budget = budget
            total = budget.base
        }

        /// Counts one secret; the problem once the total is over the limit (then stop reading).
        public mutating func add(key: String, value: String) -> ExecSizeProblem? {
            if let only = budget.only, !only.contains(key) { return nil }
            if budget.winning.contains(key) { return nil }
            let bytes = ExecBudget.entryBytes(key, budget.countsValues ? value : "")
            total += bytes + (budget.kept[key].map { -$0 } ?? budget.pointerSize)
            share.count += 1
            share.bytes += bytes + budget.pointerSize
            if share.largest.count < ExecLimits.namedInMessage || bytes > share.largest.last!.bytes {
                share.largest = ExecLimits.largest(share.largest + [ExecSizeProblem.Item(name: key, bytes: bytes)])
            }
            guard total > budget.limit else { return nil }
            return .secretsDoNotFit(bytes: total, limit: budget.limit, secrets: share)
        }
    }
}
