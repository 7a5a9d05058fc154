import SoupCore

/// The kernel's size limits on what execve copies, checked before exec so that an oversized
/// secret gives a message naming it instead of a bare "argument list too long".
///
/// Linux counts every string (the path, each argument, each `KEY=value`, each with its NUL)
/// plus one pointer per argument and variable against the ARG_MAX in force, which follows
/// RLIMIT_STACK / 4 (at least 32 pages, at most 6 MiB); and one string may not exceed 32 pages
/// (128 KiB with 4 KiB pages). Other systems only have the total.
public enum ExecLimits {
    /// How many of the largest variables a "too large" message names.
    public static let namedInMessage = 5

    /// The largest items, largest first, ties by name. Sorted only for a message: the check
    /// itself needs sums, and it passes on almost every run.
    static func largest(_ items: [ExecSizeProblem.Item]) -> [ExecSizeProblem.Item] {
        let sorted = items.sorted {
            $0.bytes != $1.bytes ? $0.bytes > $1.bytes : ByteOrder.precedes($0.name, $1.name)
        }
        return Array(sorted.prefix(namedInMessage))
    }

    /// What `secrets` take of exec's total: their `KEY=value` strings and their pointers.
    static func share(
        of secrets: [String: String], pointerSize: Int = MemoryLayout<UnsafeRawPointer>.size
    ) -> ExecSizeProblem.Share {
        let items = secrets.map {
            ExecSizeProblem.Item(name: $0.key, bytes: $0.key.utf8.count + 1 + $0.value.utf8.count + 1)
        }
        let bytes = items.reduce(0) { $0 + $1.bytes } + items.count * pointerSize
        return ExecSizeProblem.Share(count: items.count, bytes: bytes, largest: largest(items))
    }

    /// Nil when `argv` and `environment` fit, else what is too large.
    /// - Parameters:
    ///   - path: the file to exec (the kernel copies it too).
    ///   - argMax: the total limit in bytes, strings plus pointers.
    ///   - pageSize: the page size when one string is limited to 32 pages (Linux); nil when not.
    ///   - pointerSize: bytes per argv/envp pointer.
    public static func check(
        path: String = "",
        argv: [String],
        environment: [String: String],
        argMax: Int,
        pageSize: Int?,
        pointerSize: Int = MemoryLayout<UnsafeRawPointer>.size
    ) -> ExecSizeProblem? {
        let variables = environment.map {
            ExecSizeProblem.Item(name: $0.key, bytes: $0.key.utf8.count + 1 + $0.value.utf8.count + 1)
        }
        let arguments = argv.map { $0.utf8.count + 1 }

        if let pageSize {
            let maxString = 32 * pageSize
            let tooLong = variables.filter { $0.bytes > maxString }
            if !tooLong.isEmpty {
                return .variableTooLong(largest(tooLong), limit: maxString)
            }
            if let index = arguments.firstIndex(where: { $0 > maxString }) {
                return .argumentTooLong(index: index, bytes: arguments[index], limit: maxString)
            }
        }

        let strings = path.utf8.count + 1 + arguments.reduce(0, +) + variables.reduce(0) { $0 + $1.bytes }
        let pointers = (max(argv.count, 1) + environment.count) * pointerSize
        let total = strings + pointers
        if total > argMax {
            return .totalTooLarge(bytes: total, limit: argMax, largest: largest(variables))
        }
        return nil
    }
}

/// What exceeds the kernel's exec limits, by key and size (a value is never part of it).
public enum ExecSizeProblem: Sendable, Equatable, CustomStringConvertible {
    /// A named size: a variable's `KEY=value` string with its NUL.
    public struct Item: Sendable, Equatable {
        public var name: String
        public var bytes: Int
        public init(name: String, bytes: Int) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// One or more `KEY=value` strings over the per-string limit (largest first).
    case variableTooLong([Item], limit: Int)
    /// An argument over the per-string limit (0 is the command word).
    case argumentTooLong(index: Int, bytes: Int, limit: Int)
    /// All strings plus pointers over ARG_MAX; the largest variables, largest first.
    case totalTooLarge(bytes: Int, limit: Int, largest: [Item])
    /// The check passed but execve still said E2BIG (a limit this check does not model).
    case refusedByKernel(bytes: Int, largest: [Item])
    /// `totalTooLarge` (limit) or `refusedByKernel` (no limit) told against the secrets' share.
    case secretsTooLarge(bytes: Int, limit: Int?, secrets: Share)
    /// The response was still being read when its secrets went over the limit (`ExecBudget`):
    /// the size and the secrets' share up to that point.
    case secretsDoNotFit(bytes: Int, limit: Int, secrets: Share)

    /// The secrets' part of the total: how many, their size with pointers, the largest.
    public struct Share: Sendable, Equatable {
        public var count: Int
        public var bytes: Int
        public var largest: [Item]
    }

    /// This problem told against `secrets` (those in the final environment), for a total that
    /// is too large; nil for a single string that is too long (already named) or no secrets.
    func measured(against secrets: [String: String]) -> ExecSizeProblem? {
        guard !secrets.isEmpty else { return nil }
        switch self {
        case .totalTooLarge(let bytes, let limit, _):
            return .secretsTooLarge(bytes: bytes, limit: limit, secrets: ExecLimits.share(of: secrets))
        case .refusedByKernel(let bytes, _) where bytes > 0:
            return .secretsTooLarge(bytes: bytes, limit: nil, secrets: ExecLimits.share(of: secrets))
        default:
            return nil
        }
    }

    private static func list(_ items: [Item]) -> String {
        items.map { "\($0.name) (\(ByteCount.format($0.bytes)))" }.joined(separator: ", ")
    }

    public var description: String {
        switch self {
        case .variableTooLong(let items, let limit):
            let list = items.map { "\($0.name) (\(ByteCount.format($0.bytes)))" }.joined(separator: ", ")
            let noun = items.count == 1 ? "variable is" : "variables are"
            return "the environment is too large for exec: \(noun) over the kernel's limit of "
                + "\(ByteCount.format(limit)) for one KEY=value string: \(list)"
        case .argumentTooLong(let index, let bytes, let limit):
            return "argument \(index) of the command is too large for exec: \(ByteCount.format(bytes)), "
                + "over the kernel's limit of \(ByteCount.format(limit)) for one string"
        case .totalTooLarge(let bytes, let limit, let largest):
            let list = largest.map { "\($0.name) (\(ByteCount.format($0.bytes)))" }.joined(separator: ", ")
            return "the environment and arguments are too large for exec: \(ByteCount.format(bytes)) "
                + "with pointers, over the ARG_MAX in force of \(ByteCount.format(limit)) "
                + "(it follows the stack size limit, ulimit -s); largest variables: \(list)"
        case .secretsTooLarge(let bytes, let limit, let secrets):
            let over =
                limit.map {
                    "over the ARG_MAX in force of \(ByteCount.format($0)) (it follows the stack size limit, ulimit -s)"
                }
                ?? "refused by the kernel (E2BIG)"
            let noun = secrets.count == 1 ? "secret takes" : "secrets take"
            return "the environment and arguments are too large for exec: \(ByteCount.format(bytes)) with pointers, "
                + "\(over); the \(secrets.count) \(noun) \(ByteCount.format(secrets.bytes)) of it, largest: "
                + Self.list(secrets.largest)
        case .secretsDoNotFit(let bytes, let limit, let secrets):
            // Exact bytes: both sides round to the same MiB when the limit is just passed.
            return "the secrets are too large for exec: after \(secrets.count) of them the environment and arguments "
                + "take \(bytes) bytes with pointers, over the ARG_MAX in force of \(limit) bytes "
                + "(\(ByteCount.format(limit)); it follows the stack size limit, ulimit -s); the response was not "
                + "read further; the secrets read take \(ByteCount.format(secrets.bytes)), largest: "
                + Self.list(secrets.largest)
        case .refusedByKernel(let bytes, let largest):
            let list = largest.map { "\($0.name) (\(ByteCount.format($0.bytes)))" }.joined(separator: ", ")
            return "the kernel refused the environment and arguments as too large for exec (E2BIG) at "
                + "\(ByteCount.format(bytes)) with pointers; largest variables: \(list)"
        }
    }
}

/// Human-readable byte counts for messages.
enum ByteCount {
    /// `512 bytes`, `128 KiB`, `1.5 MiB` (binary units, one decimal when not whole).
    static func format(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        let (unit, divisor) = bytes < 1024 * 1024 ? ("KiB", 1024) : ("MiB", 1024 * 1024)
        let tenths = (bytes * 10 + divisor / 2) / divisor
        return tenths % 10 == 0 ? "\(tenths / 10) \(unit)" : "\(tenths / 10).\(tenths % 10) \(unit)"
    }
}
