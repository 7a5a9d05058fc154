import Testing

/// What `examples/app/app.sh` said about its environment: the secrets it saw (by name and size in
/// bytes), the keys it looked for and did not find, and whether it saw the API token.
struct AppReport: Equatable, CustomStringConvertible {
    var sizes: [String: Int]
    var notSet: Set<String>
    var sawToken: Bool

    /// The first report in `text` (the app's stdout); nil if there is none.
    static func first(in text: String) -> AppReport? { all(in: text).first }

    /// Every report in `text`, in order (one per start of the app).
    static func all(in text: String) -> [AppReport] {
        var reports: [AppReport] = []
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("app["), let colon = line.firstRange(of: "]: ")?.upperBound else { continue }
            let message = line[colon...]
            if message.hasPrefix("secrets:") {
                var sizes: [String: Int] = [:]
                for item in message.dropFirst("secrets:".count).split(separator: " ") where item != "none" {
                    // KEY(12B)
                    guard let open = item.firstIndex(of: "("), item.hasSuffix("B)") else { continue }
                    sizes[String(item[..<open])] = Int(item[item.index(after: open)...].dropLast(2))
                }
                reports.append(AppReport(sizes: sizes, notSet: [], sawToken: false))
            } else if message.hasPrefix("not set:"), !reports.isEmpty {
                reports[reports.count - 1].notSet = Set(
                    message.dropFirst("not set:".count).split(separator: " ").map(String.init))
            } else if message.hasPrefix("the API token is in my environment"), !reports.isEmpty {
                reports[reports.count - 1].sawToken = true
            }
        }
        return reports
    }

    /// The report the app gives when its environment holds exactly `secrets` among the keys it knows.
    static func expected(for secrets: [String: String], known: Set<String> = AppReport.knownKeys) -> AppReport {
        let seen = secrets.filter { known.contains($0.key) }
        return AppReport(sizes: seen.mapValues(\.utf8.count), notSet: known.subtracting(seen.keys), sawToken: false)
    }

    /// The keys app.sh looks for by default: its `keys=${APP_KEYS:-"..."}` line (empty if that is gone).
    static let knownKeys: Set<String> = {
        let text = (try? ExampleRepository.read("examples/app/app.sh")) ?? ""
        guard let start = text.firstRange(of: "keys=${APP_KEYS:-\"")?.upperBound else { return [] }
        return Set(text[start...].prefix { $0 != "\"" }.split(separator: " ").map(String.init))
    }()

    /// Keys and sizes only: a report never holds a value, so it is safe in a failure message.
    var description: String {
        let seen = sizes.keys.sorted().map { "\($0)(\(sizes[$0]!)B)" }.joined(separator: " ")
        return "secrets: \(seen); not set: \(notSet.sorted().joined(separator: " ")); token seen: \(sawToken)"
    }
}

/// Checks the app's first report in `stdout` is the one for `secrets`.
func expectAppReport(_ stdout: String, secrets: [String: String], sourceLocation: SourceLocation = #_sourceLocation) {
    let report = AppReport.first(in: stdout)
    #expect(report != nil, "the app printed no report", sourceLocation: sourceLocation)
    guard let report else { return }
    let expected = AppReport.expected(for: secrets)
    #expect(report == expected, "the app reported \(report), expected \(expected)", sourceLocation: sourceLocation)
    #expect(!report.sawToken, "the API token reached the app's environment", sourceLocation: sourceLocation)
}
