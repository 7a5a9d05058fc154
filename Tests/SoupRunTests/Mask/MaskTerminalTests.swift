import SoupTestSupport
import Testing

@testable import SoupRun

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--mask` in a terminal: which streams get the pty, the outer terminal's mode transitions,
/// the signals handled on the pty's behalf and the Ctrl-Z decision.
@Suite("MaskTerminal")
struct MaskTerminalTests {
    typealias Mode = MaskTerminal.Mode

    @Test(arguments: [false, true], [false, true])
    func withoutATerminalOnStdoutThereIsNoPty(stdin: Bool, stderr: Bool) {
        #expect(
            MaskTerminal.Plan.decide(stdoutIsTerminal: false, stdinIsSameTerminal: stdin, stderrIsSameTerminal: stderr)
                == nil)
    }

    @Test(arguments: [false, true], [false, true])
    func stdoutOnATerminalGetsThePtyAndTheOthersOnlyWhenTheyAreThatTerminal(stdin: Bool, stderr: Bool) {
        let plan = MaskTerminal.Plan.decide(
            stdoutIsTerminal: true, stdinIsSameTerminal: stdin, stderrIsSameTerminal: stderr)
        #expect(plan == MaskTerminal.Plan(stdin: stdin, stderr: stderr))
    }

    @Test func aCommandInTheForegroundMakesTheTerminalRawOnceAndTheExitRestoresIt() {
        var mode = Mode.untouched
        #expect(mode.handle(.started(foreground: true)) == .makeRaw)
        #expect(mode == .raw)
        // --watch restarts: already raw.
        #expect(mode.handle(.started(foreground: true)) == .none)
        #expect(mode.handle(.finishing) == .restore)
        #expect(mode == .finished)
        #expect(mode.handle(.finishing) == .none, "restored once")
    }

    @Test func ctrlZRestoresTheModeAndFgMakesItRawAgainButBgDoesNot() {
        var mode = Mode.untouched
        _ = mode.handle(.started(foreground: true))
        #expect(mode.handle(.stopped) == .restore)
        #expect(mode.handle(.stopped) == .none)
        #expect(mode.handle(.continued(foreground: false)) == .none, "bg: the shell keeps its terminal")
        #expect(mode == .restored)
        #expect(mode.handle(.continued(foreground: true)) == .makeRaw, "fg later")
        #expect(mode.handle(.continued(foreground: true)) == .none)
        #expect(mode.handle(.finishing) == .restore)
    }

    @Test func aTerminalNeverMadeRawIsNeverTouched() {
        var mode = Mode.untouched
        #expect(mode.handle(.started(foreground: false)) == .none, "started in the background")
        #expect(mode.handle(.stopped) == .none)
        #expect(mode.handle(.finishing) == .none)
        var leaving = Mode.untouched
        #expect(leaving.handle(.finishing) == .none, "an error before the command started")
        #expect(leaving.handle(.started(foreground: true)) == .none, "nothing after the end")
    }

    /// Random event sequences (seeded): raw and restore alternate, starting with raw; the mode is
    /// raw exactly after a `.makeRaw`; and after `.finishing` the terminal has its mode back.
    @Test func everySequenceOfEventsEndsWithTheModeRestored() {
        var random = SplitMix64(seed: 15)
        let events: [Mode.Event] = [
            .started(foreground: true), .started(foreground: false), .stopped, .continued(foreground: true),
            .continued(foreground: false),
        ]
        for _ in 0..<2000 {
            var mode = Mode.untouched
            var isRaw = false
            for _ in 0..<random.next(below: 12) {
                switch mode.handle(events[random.next(below: events.count)]) {
                case .makeRaw:
                    #expect(!isRaw)
                    isRaw = true
                case .restore:
                    #expect(isRaw)
                    isRaw = false
                case .none: break
                }
                #expect((mode == .raw) == isRaw)
            }
            let last = mode.handle(.finishing)
            #expect(last == (isRaw ? .restore : .none))
            #expect(mode == .finished)
        }
    }

    @Test func windowChangesAreCopiedNotForwardedAndContinueMakesRawAgain() {
        #expect(MaskTerminal.handling(of: SIGWINCH) == .resize)
        #expect(MaskTerminal.handling(of: SIGCONT) == .continueThenForward)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGTSTP] {
            #expect(MaskTerminal.handling(of: signal) == .asUsual, "signal \(signal)")
        }
    }

    @Test func ctrlZStopsTheCommandWithSIGSTOPOnlyWhereTheKernelWouldDiscardItsSIGTSTP() {
        #expect(MaskTerminal.stopsWithSIGSTOP(ptySignalsTSTP: true, foregroundLeadsSession: true, keepsTSTP: 0))
        #expect(
            MaskTerminal.stopsWithSIGSTOP(ptySignalsTSTP: true, foregroundLeadsSession: true, keepsTSTP: -1),
            "unknown counts as the default")
        #expect(
            !MaskTerminal.stopsWithSIGSTOP(ptySignalsTSTP: true, foregroundLeadsSession: true, keepsTSTP: 1),
            "a shell or an editor handles Ctrl-Z itself")
        #expect(
            !MaskTerminal.stopsWithSIGSTOP(ptySignalsTSTP: true, foregroundLeadsSession: false, keepsTSTP: 0),
            "an inner shell's job stops by itself")
        #expect(
            !MaskTerminal.stopsWithSIGSTOP(ptySignalsTSTP: false, foregroundLeadsSession: true, keepsTSTP: 0),
            "raw pty: the key is input")
    }
}
