/// How the fallback copy's time and age are shown: `2026-11-30 12:00:00 UTC`, `3 h old`.
enum FallbackTime {
    /// `seconds` since the epoch as `YYYY-MM-DD HH:MM:SS UTC` (proleptic Gregorian, no time zone lookup).
    static func utc(_ seconds: UInt64) -> String {
        let days = Int(seconds / 86400)
        let rest = Int(seconds % 86400)
        let (year, month, day) = civil(fromDays: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) UTC"
    }

    /// A duration as a person reads it, in its largest unit and the next one when that is not
    /// zero, rounded down: `45 s`, `1 min 30 s`, `3 h`, `2 h 5 min`, `3 d 5 h`.
    static func age(_ seconds: Double) -> String {
        let s = seconds.isFinite ? Int(min(max(0, seconds), 1e15).rounded(.down)) : 0
        func two(_ big: Int, _ bigUnit: String, _ small: Int, _ smallUnit: String) -> String {
            small == 0 ? "\(big) \(bigUnit)" : "\(big) \(bigUnit) \(small) \(smallUnit)"
        }
        switch s {
        case ..<60: return "\(s) s"
        case ..<3600: return two(s / 60, "min", s % 60, "s")
        case ..<86400: return two(s / 3600, "h", s / 60 % 60, "min")
        default: return two(s / 86400, "d", s / 3600 % 24, "h")
        }
    }

    /// The date of day `days` since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
