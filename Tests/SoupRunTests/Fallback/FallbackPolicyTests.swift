import Testing

@testable import SoupRun

/// The decision table: which failures start from the copy, which delete it, and when to write.
@Suite struct FallbackPolicyTests {
    @Test(arguments: [
        (FetchError.network(origin: "http://h:1", message: "refused"), FallbackPolicy.Action.useCopy),
        (.timedOut(origin: "http://h:1", seconds: 1), .useCopy),
        (.tls(origin: "https://h:443", message: "expired"), .useCopy),
        (.serverError(status: 500, serverMessage: nil, retryAfter: nil), .useCopy),
        (.serverError(status: 503, serverMessage: "down", retryAfter: 5), .useCopy),
        (.rateLimited(retryAfter: 1), .useCopy),
        (.gaveUp(attempts: 4, last: .serverError(status: 502, serverMessage: nil, retryAfter: nil)), .useCopy),
        (.gaveUp(attempts: 2, last: .rateLimited(retryAfter: nil)), .useCopy),
        (.invalidData("not valid JSON"), .useCopy),
        (.bodyTooLarge(limit: 16 << 20), .useCopy),
        (.unexpectedStatus(204), .useCopy),
        (.permission(status: 401, serverMessage: nil), .deleteCopy),
        (.permission(status: 403, serverMessage: "no"), .deleteCopy),
        (.notFound(serverMessage: nil, project: "p", environment: "e"), .deleteCopy),
        // 407 is a proxy asking for credentials, not the API refusing this token.
        (.permission(status: 407, serverMessage: nil), .none),
        (.rejected(status: 400, serverMessage: nil), .none),
        (.badURL(.invalidHost), .none),
        (.redirectRefused(target: "https://x", reason: "other origin"), .none),
        (.tooManyRedirects(5), .none),
        (.invalidToken("it is empty"), .none),
    ])
    func eachFailureHasItsAction(error: FetchError, action: FallbackPolicy.Action) {
        #expect(FallbackPolicy.action(for: error) == action)
        // The copy is used exactly for the API being unavailable (69) or its data unusable (65).
        #expect((action == .useCopy) == [.unavailable, .invalidData].contains(error.exitCode))
    }

    static let held = FallbackContents(secrets: ["A": "1"], writtenAt: 1000)

    @Test func writesOnlyWhatDiffersOrIsDueARefresh() {
        #expect(FallbackPolicy.shouldWrite(fetched: ["A": "1"], held: nil, now: 1000, maxAge: nil))
        #expect(!FallbackPolicy.shouldWrite(fetched: ["A": "1"], held: Self.held, now: 1000, maxAge: nil))
        #expect(FallbackPolicy.shouldWrite(fetched: ["A": "2"], held: Self.held, now: 1000, maxAge: nil))
        #expect(FallbackPolicy.shouldWrite(fetched: [:], held: Self.held, now: 1000, maxAge: nil))
        // Unchanged: rewritten after an hour, or half the maximum age when that is shorter.
        #expect(!FallbackPolicy.shouldWrite(fetched: ["A": "1"], held: Self.held, now: 1000 + 3599, maxAge: nil))
        #expect(FallbackPolicy.shouldWrite(fetched: ["A": "1"], held: Self.held, now: 1000 + 3600, maxAge: nil))
        #expect(!FallbackPolicy.shouldWrite(fetched: ["A": "1"], held: Self.held, now: 1000 + 44, maxAge: 90))
        #expect(FallbackPolicy.shouldWrite(fetched: ["A": "1"], held: Self.held, now: 1000 + 45, maxAge: 90))
        #expect(!FallbackPolicy.shouldWrite(fetched: ["A": "1"], held: Self.held, now: 1000 + 3599, maxAge: 7 * 86400))
    }

    @Test func ageAndFreshness() {
        #expect(FallbackPolicy.age(of: Self.held, now: 4600) == 3600)
        // A clock behind the file's time: age 0, not negative.
        #expect(FallbackPolicy.age(of: Self.held, now: 10) == 0)
        #expect(FallbackPolicy.isFresh(age: 1e9, maxAge: nil))
        #expect(FallbackPolicy.isFresh(age: 90, maxAge: 90))
        #expect(!FallbackPolicy.isFresh(age: 90.5, maxAge: 90))
    }

    @Test(arguments: [
        (UInt64(0), "1970-01-01 00:00:00 UTC"), (951_782_400, "2000-02-29 00:00:00 UTC"),
        (1_796_040_000, "2026-11-30 12:00:00 UTC"), (4_102_444_799, "2099-12-31 23:59:59 UTC"),
    ])
    func timesAreShownInUTC(seconds: UInt64, text: String) {
        #expect(FallbackTime.utc(seconds) == text)
    }

    @Test func civilDatesInvertDaysFromCivil() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = FallbackTime.civil(fromDays: days)
            #expect(RetryAfter.daysFromCivil(year: y, month: m, day: d) == days)
        }
    }

    @Test(arguments: [
        (0.0, "0 s"), (59.9, "59 s"), (60, "1 min"), (90, "1 min 30 s"), (3599, "59 min 59 s"), (3600, "1 h"),
    ])
    func agesInOneOrTwoUnits(seconds: Double, text: String) {
        #expect(FallbackTime.age(seconds) == text)
    }

    @Test func largerAges() {
        #expect(FallbackTime.age(3 * 3600 + 12) == "3 h")
        #expect(FallbackTime.age(2 * 3600 + 5 * 60) == "2 h 5 min")
        #expect(FallbackTime.age(72 * 3600) == "3 d")
        #expect(FallbackTime.age(3 * 86400 + 5 * 3600 + 59) == "3 d 5 h")
        #expect(FallbackTime.age(-5) == "0 s")
        #expect(FallbackTime.age(.infinity) == "0 s")
    }
}
