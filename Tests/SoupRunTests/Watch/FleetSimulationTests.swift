import Testing

@testable import SoupRun

/// The pacing of a fleet under a rate limit, checked by `FleetSimulation` (virtual clock, the
/// dev server's `RateLimiter`, each watcher's real retry decisions and `WatchMachine`): the
/// targets of `bench/fleet.sh` hold by design, for several seeds and launch speeds.
@Suite("Fleet simulation: 200 watchers --interval 1 against one rate-limited API")
struct FleetSimulationTests {
    static let seeds: [UInt64] = [1, 2, 3, 4, 5]

    /// Free tier (100 requests per minute), the fleet launched over 0.5, 3 and 10 s.
    @Test(arguments: [0.5, 3, 10])
    func theFreeTierStartsEveryoneSpreadsPollsAndDeliversAChange(launch: Double) {
        for seed in Self.seeds {
            let outcome = FleetSimulation(launch: launch).run(seed: seed)
            let starts = outcome.starts.compactMap { $0 }
            #expect(outcome.gaveUp == 0, "seed \(seed): no start-up gives up (exit 69)")
            #expect(starts.count == 200, "seed \(seed): every watcher starts")
            // The last attempt may begin at the --max-wait bound itself (rounding aside).
            #expect(starts.allSatisfy { $0 <= 120 + 1e-6 }, "seed \(seed): each within --max-wait of its launch")
            let share = outcome.refusedShare(from: 180, to: 300)
            #expect(share <= 0.25, "seed \(seed): \(Int(share * 100))% of requests in minutes 3–5 were 429s")
            let reached = outcome.reached.compactMap { $0 }
            #expect(reached.count == 200, "seed \(seed): the change at minute 3 reaches every watcher")
            #expect((reached.max() ?? .infinity) <= 300, "seed \(seed): within 5 minutes, not \(reached.max() ?? -1) s")
            #expect(outcome.mostChildren == 1, "seed \(seed): never two children")
        }
    }

    /// The pace the fleet settles at: after the start-up's transient, few requests are refused.
    @Test func theFreeTierSettlesAtTheGrantedRate() {
        for seed in Self.seeds {
            let outcome = FleetSimulation(launch: 1, horizon: 1200).run(seed: seed)
            let share = outcome.refusedShare(from: 600, to: 1200)
            #expect(share <= 0.1, "seed \(seed): \(Int(share * 100))% of requests in minutes 10–20 were 429s")
            let admitted = outcome.requests.filter { $0.time >= 600 && $0.admitted }.count
            #expect(admitted >= 600, "seed \(seed): \(admitted) of the 1000 admissions the API grants are used")
        }
    }

    /// Pro tier (1,000 requests per minute): the same fleet; its first polls are refused, and a
    /// change still reaches everyone within a minute and a half.
    @Test func theProTierDeliversAChangeWithinNinetySeconds() {
        for seed in Self.seeds {
            let outcome = FleetSimulation(limit: 1000, launch: 1).run(seed: seed)
            #expect(outcome.gaveUp == 0 && outcome.starts.allSatisfy { $0 != nil }, "seed \(seed)")
            let reached = outcome.reached.compactMap { $0 }
            #expect(
                reached.count == 200 && (reached.max() ?? .infinity) <= 90, "seed \(seed): \(reached.max() ?? -1) s")
            #expect(outcome.refusedShare(from: 180, to: 300) <= 0.25, "seed \(seed)")
        }
    }

    /// Self-hosted (no limit): nothing is refused, a change arrives within the interval (+10%).
    @Test func selfHostedPollsAtTheInterval() {
        let outcome = FleetSimulation(limit: nil, launch: 1, horizon: 240).run(seed: 1)
        #expect(outcome.requests.allSatisfy { $0.admitted })
        #expect(outcome.starts.allSatisfy { ($0 ?? .infinity) == 0 })
        let reached = outcome.reached.compactMap { $0 }
        #expect(reached.count == 200 && (reached.max() ?? .infinity) <= 1.1)
    }
}
