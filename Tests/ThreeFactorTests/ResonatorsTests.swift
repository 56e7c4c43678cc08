import Testing
@testable import ThreeFactor

@Suite struct ResonatorsTests {
    @Test func simulatorBankHasTheAuthorsCentreFrequencies() {
        let bank = FilterBank(kind: .simulator, inputCount: 1)
        let expected = [0.1, 0.1 + 0.7 / 12, 0.1 + 1.4 / 12, 0.1 + 2.1 / 12, 1.0 / 3]
        #expect(bank.frequencies.count == 5)
        for (f, e) in zip(bank.frequencies, expected) { #expect(abs(f - e) < 1e-12) }
    }

    @Test func impulseResponseMatchesTheAnalyticForm() {
        var bank = FilterBank(kind: .simulator, inputCount: 2)
        let resonators = bank.frequencies.map { Resonator(frequency: $0, q: 0.51) }
        for n in 0..<80 {
            // Input 0 gets the impulse, input 1 stays silent.
            let out = bank.filter([n == 0 ? 1 : 0, 0])
            for (f, r) in resonators.enumerated() {
                let analytic = r.impulseResponse(n)
                #expect(abs(out[f] - analytic) < 1e-13, "filter \(f), n \(n): \(out[f]) vs \(analytic)")
                #expect(out[5 + f] == 0)
            }
        }
    }

    @Test func normalisedStepResponsePeaksAtOne() {
        // The authors' calcNorm: the step (switching on at sample 2) of the normalised
        // filter has largest |output| exactly 1 within the first 2 / f samples.
        for f in FilterBank(kind: .simulator, inputCount: 1).frequencies {
            let r = Resonator(frequency: f, q: 0.51)
            var w1 = 0.0, w2 = 0.0, peak = 0.0
            var i = 0
            while Double(i) < 2 / f {
                let y = (i > 1 ? 1 : 0) - r.a1 * w1 - r.a2 * w2
                w2 = w1
                w1 = y
                peak = max(peak, abs(y / r.norm))
                i += 1
            }
            #expect(peak == 1)
            // Low damping at Q 0.51: one broad bump, the poles just inside the unit circle.
            #expect(r.a2 > 0 && r.a2 < 1)
        }
    }

    @Test func delayTapsDelayAndHoldTheFirstSample() {
        var bank = FilterBank(kind: .delays(count: 5), inputCount: 1)
        let samples = [3.0, 1, 4, 1, 5, 9, 2, 6]
        for (n, x) in samples.enumerated() {
            let out = bank.filter([x])
            for d in 0..<5 { #expect(out[d] == samples[max(0, n - d)]) }
        }
    }

    @Test func checkpointRestoresTheFilterState() throws {
        var a = FilterBank(kind: .simulator, inputCount: 3)
        for n in 0..<7 { _ = a.filter([Double(n), -1, 0.5]) }
        var archive = StateArchive()
        a.save(to: &archive)
        var b = FilterBank(kind: .simulator, inputCount: 3)
        var reader = StateArchive.Reader(archive)
        try b.load(from: &reader)
        #expect(reader.isAtEnd)
        for n in 0..<5 { #expect(a.filter([Double(n), 2, -3]) == b.filter([Double(n), 2, -3])) }
    }
}
