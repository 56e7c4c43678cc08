import ThreeFactor

/// Checks a replication's run logs against a paper's reference file.
///
/// A check is decided in this order:
/// 1. FAIL if any seed of a needed experiment DIVERGED (a run is a pure function of its
///    spec and seed, so rerunning reproduces the divergence) or a metric is non-finite;
/// 2. MISSING if a needed experiment has no log for the profile, was run under another
///    profile, lacks a seed the experiment file lists, has an interrupted seed, or a
///    seed with fewer units than the experiment expects, or lacks a series the metric
///    reads — the notes name the experiment and the seed;
/// 3. FAIL if the metric's threshold was never reached by some seed and the metric's
///    censoring policy is "fail";
/// 4. otherwise PASS or FAIL by the comparison's rule, which the result states.
public enum Verifier {
    /// Runs every check of `reference` that applies to `profile`.
    ///
    /// - Parameters:
    ///   - reference: the paper's reference file.
    ///   - logs: the experiments' logs as read back from `runs/<paper>/`.
    ///   - profile: checks whose `profiles` do not list it are skipped.
    ///   - expectedSeeds: per experiment id, the seeds the experiment file lists for this
    ///     profile; a seed absent from the log makes dependent checks MISSING. Without it
    ///     only the seeds present in the log are judged.
    ///   - expectedConfigs: per experiment id, the resolved configuration text the experiment
    ///     file gives for this profile; a log whose `config` differs (or is absent) makes
    ///     dependent checks MISSING, with the first difference. Without it the logs'
    ///     configurations are not compared.
    ///   - authorsCode: the authors' code's runs that checks name in `[checks.authors_code]`,
    ///     by the path the check gives; each such check is also judged against them.
    public static func run(
        reference: ReferenceFile, logs: [ExperimentLog], profile: String,
        expectedSeeds: [String: [Int]] = [:], expectedConfigs: [String: String] = [:],
        authorsCode: [String: AuthorsCodeRun] = [:]
    ) -> VerificationReport {
        var byID: [String: ExperimentLog] = [:]
        for log in logs where byID[log.experiment] == nil || log.profile == profile {
            byID[log.experiment] = log
        }
        let applicable = reference.checks.filter { $0.profiles.contains(profile) }
        let skipped = reference.checks.filter { !$0.profiles.contains(profile) }.map(\.id)
        let results = applicable.map {
            evaluate($0, logs: byID, profile: profile, expectedSeeds: expectedSeeds, expectedConfigs: expectedConfigs,
                     authorsCode: authorsCode)
        }

        var ids = Set(applicable.flatMap(\.experiments))
        for log in logs where log.profile == profile { ids.insert(log.experiment) }
        var statuses: [ExperimentStatus] = []
        var absent: [String] = []
        for id in ids.sorted() {
            guard let log = byID[id], log.profile == profile else {
                absent.append(id)
                continue
            }
            let present = Set(log.seeds.map(\.seed))
            statuses.append(ExperimentStatus(
                experiment: id, label: log.label, profile: log.profile,
                expectedUnits: log.expectedUnits,
                seeds: log.seeds.sorted { $0.seed < $1.seed }.map {
                    .init(seed: $0.seed, status: $0.status, unitsDone: $0.unitsDone, wallSeconds: $0.wallSeconds)
                },
                absentSeeds: (expectedSeeds[id] ?? []).filter { !present.contains($0) }.sorted()))
        }
        return VerificationReport(
            paper: reference.paper, profile: profile, results: results,
            skippedChecks: skipped, experiments: statuses, absentExperiments: absent)
    }

    /// Per-seed values of one experiment, in seed order.
    struct Sample {
        var experiment: String
        var values: [SeedValue]
        var numbers: [Double] { values.map(\.value) }
    }

    static func evaluate(
        _ check: ReferenceCheck, logs: [String: ExperimentLog], profile: String,
        expectedSeeds: [String: [Int]], expectedConfigs: [String: String] = [:],
        authorsCode: [String: AuthorsCodeRun] = [:]
    ) -> CheckResult {
        var result = evaluateAgainstReference(
            check, logs: logs, profile: profile, expectedSeeds: expectedSeeds, expectedConfigs: expectedConfigs)
        if let reference = check.authorsCode {
            result.authors = compareWithAuthorsCode(
                check, reference, ours: logs, oursVerdict: result.verdict, profile: profile, expectedSeeds: expectedSeeds,
                expectedConfigs: expectedConfigs, runs: authorsCode)
        }
        return result
    }

    /// Per-seed values of the check's metric for each of its experiments, with why the check
    /// FAILs (a diverged seed, an invalid value) or is MISSING (no log, another profile or
    /// configuration, absent or incomplete seeds, an absent series).
    static func collect(
        _ check: ReferenceCheck, logs: [String: ExperimentLog], profile: String,
        expectedSeeds: [String: [Int]], expectedConfigs: [String: String]
    ) -> (samples: [Sample], failures: [String], missing: [String]) {
        var failures: [String] = []
        var missing: [String] = []
        var samples: [Sample] = []

        for id in check.experiments {
            guard let log = logs[id] else {
                missing.append("experiment \(id): no run log")
                continue
            }
            guard log.profile == profile else {
                missing.append("experiment \(id): the log is from profile \"\(log.profile)\", not \"\(profile)\"")
                continue
            }
            if let wanted = expectedConfigs[id], log.config != wanted {
                let detail = log.config.map { RunLog.firstDifference($0, wanted) } ?? "the log records no configuration"
                missing.append("experiment \(id): the log was run with another configuration than the experiment file (\(detail)); rerun it into another directory")
                continue
            }
            let present = Set(log.seeds.map(\.seed))
            let absent = (expectedSeeds[id] ?? []).filter { !present.contains($0) }.sorted()
            if log.seeds.isEmpty { missing.append("experiment \(id): the log holds no seeds") }
            if !absent.isEmpty {
                missing.append("experiment \(id): seed\(absent.count > 1 ? "s" : "") \(absent.map(String.init).joined(separator: ", ")) not in the log")
            }
            var usable = true
            for seed in log.seeds.sorted(by: { $0.seed < $1.seed }) {
                switch seed.status {
                case .diverged:
                    failures.append("experiment \(id) seed \(seed.seed) diverged after \(seed.unitsDone) of \(log.expectedUnits) units")
                    usable = false
                case .interrupted:
                    missing.append("experiment \(id) seed \(seed.seed) is incomplete (interrupted at \(seed.unitsDone) of \(log.expectedUnits) units)")
                    usable = false
                case .complete where seed.unitsDone < log.expectedUnits:
                    missing.append("experiment \(id) seed \(seed.seed) has \(seed.unitsDone) of \(log.expectedUnits) units")
                    usable = false
                case .complete:
                    break
                }
            }
            guard usable, !log.seeds.isEmpty else { continue }
            var values: [SeedValue] = []
            for seed in log.seeds.sorted(by: { $0.seed < $1.seed }) {
                switch check.metric.evaluate(seed) {
                case .success(let v): values.append(v)
                case .failure(.missing(let why)): missing.append("experiment \(id): \(why)")
                case .failure(.invalid(let why)): failures.append("experiment \(id): \(why)")
                }
            }
            samples.append(Sample(experiment: id, values: values))
        }
        return (samples, failures, missing)
    }

    /// The check on one set of runs (ours, or the authors' code's): its verdict against the
    /// paper's reference.
    static func evaluateAgainstReference(
        _ check: ReferenceCheck, logs: [String: ExperimentLog], profile: String,
        expectedSeeds: [String: [Int]], expectedConfigs: [String: String]
    ) -> CheckResult {
        var result = CheckResult(
            id: check.id, description: check.description, provenance: check.provenance,
            source: check.source, experiments: check.experiments, metric: check.metric.summary,
            reference: referenceText(check), ours: "—", test: "—", estimates: [], statistics: [],
            verdict: .missing, notes: [])
        let (samples, collectedFailures, missing) = collect(
            check, logs: logs, profile: profile, expectedSeeds: expectedSeeds, expectedConfigs: expectedConfigs)
        var failures = collectedFailures
        if !failures.isEmpty {
            result.verdict = .fail
            result.notes = failures + missing
            return result
        }
        if !missing.isEmpty {
            result.verdict = .missing
            result.notes = missing
            return result
        }

        // Censored seeds (threshold never reached).
        if case .timeToThreshold(_, _, let policy) = check.metric {
            for s in samples {
                let censored = s.values.filter(\.censored).map(\.seed)
                guard !censored.isEmpty else { continue }
                let list = censored.map(String.init).joined(separator: ", ")
                if policy == .fail {
                    failures.append("experiment \(s.experiment): seed\(censored.count > 1 ? "s" : "") \(list) never reached the threshold (censoring policy \"fail\")")
                } else {
                    result.notes.append("experiment \(s.experiment): \(censored.count) of \(s.values.count) seeds (\(list)) never reached the threshold; their value is the budget + 1, a lower bound")
                }
            }
            if !failures.isEmpty {
                result.verdict = .fail
                result.notes = failures
                return result
            }
        }

        let stream = { (seed: UInt64?) in
            RandomStream(seed: seed ?? stableHash("bootstrap:" + check.id), stream: 0xB0075)
        }
        switch check.comparison {
        case .reported(let c): compareReported(c, samples[0], &result)
        case .band(let c): compareBand(c, samples, stream(c.bootstrapSeed), &result)
        case .ordering(let c): compareOrdering(c, samples[0], samples[1], &result)
        case .factor(let c): compareFactor(c, samples[0], samples[1], stream(c.bootstrapSeed), &result)
        case .fraction(let c): compareFraction(c, samples[0], &result)
        }
        return result
    }

    // MARK: Reference text

    static func referenceText(_ check: ReferenceCheck) -> String {
        switch check.comparison {
        case .reported(let c):
            let margin: String
            switch c.margin {
            case .absolute(let m): margin = "±\(formatReference(m))"
            case .relative(let f): margin = "±\(formatReference(f * 100))% (±\(formatReference(f * abs(c.mean))))"
            }
            return "\(formatReference(c.mean)) ± \(formatReference(c.std)) (\(c.stdKind.rawValue) sd), n = \(c.n); equivalence \(margin)"
        case .band(let c):
            let name = c.statistic == .iqm ? "IQM" : c.statistic.rawValue
            switch (c.low, c.high) {
            case let (l?, h?): return "\(formatPercent(c.confidence)) CI of \(name) inside [\(formatReference(l)), \(formatReference(h))]"
            case let (l?, nil): return "\(formatPercent(c.confidence)) CI of \(name) >= \(formatReference(l))"
            case let (nil, h?): return "\(formatPercent(c.confidence)) CI of \(name) <= \(formatReference(h))"
            default: return "—"
            }
        case .ordering(let c):
            let a = check.experiments[0], b = check.experiments[1]
            return "\(a) \(c.better == .higher ? ">" : "<") \(b) (\(c.better.rawValue) is better), one-sided at α = \(formatReference(c.alpha))"
        case .factor(let c):
            let name = c.statistic == .iqm ? "IQM" : c.statistic.rawValue
            let ratio = "\(name)(\(check.experiments[0]))/\(name)(\(check.experiments[1]))"
            switch c.sides {
            case .both: return "\(formatPercent(c.confidence)) CI of \(ratio) inside [\(formatReference(1 / c.factor)), \(formatReference(c.factor))]"
            case .upper: return "\(formatPercent(c.confidence)) CI of \(ratio) <= \(formatReference(c.factor))"
            case .lower: return "\(formatPercent(c.confidence)) CI of \(ratio) >= \(formatReference(1 / c.factor))"
            }
        case .fraction(let c):
            return "at least \(formatReference(c.minFraction * 100))% of seeds with value \(c.predicate.rawValue) \(formatReference(c.value))"
        }
    }

    // MARK: Comparisons

    /// mean ± sd, 95% t-interval of the mean, n.
    static func describe(_ x: [Double], label: String) -> (String, Estimate) {
        let m = Descriptive.mean(x)
        guard x.count >= 2 else {
            return ("\(label)\(format(m)) (n = 1)", Estimate(label: label, value: m, n: 1))
        }
        let ci = meanConfidenceInterval(x, level: 0.95)
        let text = "\(label)\(format(m)) ± \(format(Descriptive.standardDeviation(x))) sd, 95% CI \(formatInterval(ci.low, ci.high)), n = \(x.count)"
        return (text, Estimate(label: label.isEmpty ? "mean" : label, value: m, low: ci.low, high: ci.high, level: 0.95, n: x.count))
    }

    static func compareReported(_ c: ReportedComparison, _ sample: Sample, _ r: inout CheckResult) {
        let x = sample.numbers
        let (text, estimate) = describe(x, label: "")
        r.ours = text
        r.estimates = [estimate]
        guard x.count >= 2 else {
            r.verdict = .fail
            r.notes.append("Welch's test needs at least 2 seeds; this profile has \(x.count)")
            return
        }
        let welch = WelchTest(
            mean1: estimate.value, sd1: Descriptive.standardDeviation(x), n1: x.count,
            mean2: c.mean, sd2: c.sampleStd, n2: c.n)
        let margin = c.margin.value(reportedMean: c.mean)
        let noDifference = welch.pValue > c.alpha
        let equivalent: Bool
        var equivalenceText: String
        r.statistics = [
            Statistic(name: "difference", value: welch.difference),
            Statistic(name: "Welch t", value: welch.t),
            Statistic(name: "Welch df", value: welch.degreesOfFreedom),
            Statistic(name: "Welch p", value: welch.pValue),
        ]
        switch c.equivalence {
        case .tost:
            let tost = welch.equivalence(margin: margin)
            let ci = welch.differenceInterval(level: 1 - 2 * c.alpha)
            equivalent = tost.pValue <= c.alpha
            r.statistics.append(Statistic(name: "TOST p", value: tost.pValue))
            equivalenceText = "TOST ±\(format(margin)): p = \(formatP(tost.pValue)) \(equivalent ? "≤" : ">") α (\(formatPercent(1 - 2 * c.alpha)) CI of difference \(formatInterval(ci.low, ci.high)))"
        case .absolute:
            equivalent = abs(welch.difference) <= margin
            equivalenceText = "|difference| \(format(abs(welch.difference))) \(equivalent ? "≤" : ">") margin \(format(margin))"
        }
        r.test = "difference \(format(welch.difference)); Welch t = \(format(welch.t)), df = \(format(welch.degreesOfFreedom, digits: 3)), p = \(formatP(welch.pValue)) \(noDifference ? ">" : "≤") α = \(format(c.alpha)); " + equivalenceText
        r.verdict = noDifference && equivalent ? .pass : .fail
        if !noDifference { r.notes.append("Welch's test rejects equality of means at α = \(format(c.alpha))") }
        if !equivalent { r.notes.append("equivalence within ±\(format(margin)) not shown") }
    }

    static func compareBand(_ c: BandComparison, _ samples: [Sample], _ stream: RandomStream, _ r: inout CheckResult) {
        let strata = samples.map(\.numbers)
        let n = strata.reduce(0) { $0 + $1.count }
        let name = c.statistic == .iqm ? "IQM" : c.statistic.rawValue
        guard strata.allSatisfy({ $0.count >= 2 }) else {
            r.ours = "\(name) \(format(c.statistic.apply(strata.flatMap { $0 }))), n = \(n)"
            r.verdict = .fail
            r.notes.append("a bootstrap interval needs at least 2 seeds per experiment")
            return
        }
        let interval = Bootstrap.percentileInterval(
            strata: strata, level: c.confidence, resamples: c.resamples, stream: stream
        ) { c.statistic.apply($0.flatMap { $0 }) }
        r.estimates = [Estimate(label: name, value: interval.estimate, low: interval.low, high: interval.high, level: c.confidence, n: n)]
        r.ours = "\(name) \(format(interval.estimate)), \(formatPercent(c.confidence)) CI \(formatInterval(interval.low, interval.high)), n = \(n)"
        let aboveLow = c.low.map { interval.low >= $0 } ?? true
        let belowHigh = c.high.map { interval.high <= $0 } ?? true
        r.statistics = [Statistic(name: "CI low", value: interval.low), Statistic(name: "CI high", value: interval.high)]
        let strataText = samples.count > 1 ? "stratified over \(samples.count) experiments, " : ""
        r.test = "percentile bootstrap, \(strataText)\(c.resamples) resamples: CI \(aboveLow && belowHigh ? "inside" : "not inside") the band"
        r.verdict = aboveLow && belowHigh ? .pass : .fail
        if !aboveLow, let l = c.low { r.notes.append("CI lower end \(format(interval.low)) < \(format(l))") }
        if !belowHigh, let h = c.high { r.notes.append("CI upper end \(format(interval.high)) > \(format(h))") }
    }

    static func compareOrdering(_ c: OrderingComparison, _ a: Sample, _ b: Sample, _ r: inout CheckResult) {
        let x = a.numbers, y = b.numbers
        let (ta, ea) = describe(x, label: "\(a.experiment): ")
        let (tb, eb) = describe(y, label: "\(b.experiment): ")
        r.ours = ta + "; " + tb
        r.estimates = [ea, eb]
        let alternative: Alternative = c.better == .higher ? .greater : .less
        var parts: [String] = []
        var rejects: [Bool] = []
        if c.test == .mannWhitney || c.test == .both {
            let mw = MannWhitneyTest(x, y, alternative: alternative)
            rejects.append(mw.pValue <= c.alpha)
            r.statistics += [Statistic(name: "Mann–Whitney U", value: mw.u1), Statistic(name: "Mann–Whitney p", value: mw.pValue)]
            parts.append("Mann–Whitney U = \(format(mw.u1)) (\(mw.method.rawValue)), one-sided p = \(formatP(mw.pValue)) \(mw.pValue <= c.alpha ? "≤" : ">") α = \(format(c.alpha))")
            if mw.method == .exact {
                let smallest = 1 / binomial(x.count + y.count, x.count)
                if smallest > c.alpha {
                    r.notes.append("with n = \(x.count) and \(y.count) the smallest possible one-sided p is \(formatP(smallest)) > α: this check cannot pass with so few seeds")
                }
            }
        }
        if c.test == .welch || c.test == .both {
            if x.count >= 2 && y.count >= 2 {
                let w = WelchTest(x, y, alternative: alternative)
                rejects.append(w.pValue <= c.alpha)
                r.statistics += [Statistic(name: "Welch t", value: w.t), Statistic(name: "Welch p", value: w.pValue)]
                parts.append("Welch t = \(format(w.t)), df = \(format(w.degreesOfFreedom, digits: 3)), one-sided p = \(formatP(w.pValue)) \(w.pValue <= c.alpha ? "≤" : ">") α = \(format(c.alpha))")
                if a.values.contains(where: \.censored) || b.values.contains(where: \.censored) {
                    r.notes.append("Welch's test on censored values (lower bounds) is approximate; prefer Mann–Whitney")
                }
            } else {
                rejects.append(false)
                r.notes.append("Welch's test needs at least 2 seeds per experiment")
            }
        }
        r.test = parts.joined(separator: "; ")
        r.verdict = rejects.allSatisfy { $0 } ? .pass : .fail
        if r.verdict == .fail {
            r.notes.append("\(a.experiment) not shown \(c.better == .higher ? "higher" : "lower") than \(b.experiment) at α = \(format(c.alpha))")
        }
    }

    static func compareFactor(_ c: FactorComparison, _ a: Sample, _ b: Sample, _ stream: RandomStream, _ r: inout CheckResult) {
        let x = a.numbers, y = b.numbers
        let name = c.statistic == .iqm ? "IQM" : c.statistic.rawValue
        let ax = c.statistic.apply(x), by = c.statistic.apply(y)
        r.estimates = [
            Estimate(label: a.experiment, value: ax, n: x.count),
            Estimate(label: b.experiment, value: by, n: y.count),
        ]
        guard ax >= 0 && by > 0 else {
            r.ours = "\(name) \(a.experiment) = \(format(ax)), \(b.experiment) = \(format(by))"
            r.verdict = .fail
            r.notes.append("a ratio needs a positive denominator and a non-negative numerator; choose a positive metric (e.g. a normalised AUC)")
            return
        }
        guard x.count >= 2 && y.count >= 2 else {
            r.ours = "ratio \(format(ax / by))"
            r.verdict = .fail
            r.notes.append("a bootstrap interval needs at least 2 seeds per experiment")
            return
        }
        let interval = Bootstrap.percentileInterval(
            strata: [x, y], level: c.confidence, resamples: c.resamples, stream: stream
        ) { s in
            let num = c.statistic.apply(s[0]), den = c.statistic.apply(s[1])
            return den > 0 && num >= 0 ? num / den : .nan
        }
        r.estimates.append(Estimate(label: "ratio of \(name)s", value: interval.estimate, low: interval.low, high: interval.high, level: c.confidence, n: x.count + y.count))
        r.ours = "ratio \(format(interval.estimate)), \(formatPercent(c.confidence)) CI \(formatInterval(interval.low, interval.high)) (\(name) \(format(ax)) / \(format(by)), n = \(x.count), \(y.count))"
        r.statistics = [Statistic(name: "ratio", value: interval.estimate), Statistic(name: "CI low", value: interval.low), Statistic(name: "CI high", value: interval.high)]
        if interval.undefinedResamples > 0 {
            r.verdict = .fail
            r.test = "stratified percentile bootstrap, \(c.resamples) resamples"
            r.notes.append("the ratio was undefined (denominator <= 0) in \(interval.undefinedResamples) of \(c.resamples) resamples")
            return
        }
        let lowOK = c.sides == .upper || interval.low >= 1 / c.factor
        let highOK = c.sides == .lower || interval.high <= c.factor
        r.verdict = lowOK && highOK ? .pass : .fail
        r.test = "stratified percentile bootstrap, \(c.resamples) resamples: CI \(r.verdict == .pass ? "inside" : "not inside") the allowed range"
        if !lowOK { r.notes.append("CI lower end \(format(interval.low)) < \(format(1 / c.factor))") }
        if !highOK { r.notes.append("CI upper end \(format(interval.high)) > \(format(c.factor))") }
    }

    static func compareFraction(_ c: FractionComparison, _ sample: Sample, _ r: inout CheckResult) {
        let holding = sample.values.filter { c.predicate.holds($0.value, c.value) }
        let k = holding.count, n = sample.values.count
        let ci = clopperPearsonInterval(successes: k, trials: n, level: c.confidence)
        let fraction = Double(k) / Double(n)
        r.estimates = [Estimate(label: "fraction of seeds", value: fraction, low: ci.low, high: ci.high, level: c.confidence, n: n)]
        r.statistics = [Statistic(name: "seeds meeting the condition", value: Double(k)), Statistic(name: "fraction", value: fraction)]
        r.ours = "\(k) of \(n) seeds (\(format(fraction * 100))%), \(formatPercent(c.confidence)) Clopper–Pearson CI \(formatInterval(ci.low, ci.high))"
        r.verdict = fraction >= c.minFraction ? .pass : .fail
        r.test = "observed fraction \(format(fraction)) \(r.verdict == .pass ? ">=" : "<") \(format(c.minFraction)) (descriptive rule; the CI shows its uncertainty)"
        let failing = sample.values.filter { !c.predicate.holds($0.value, c.value) }.map(\.seed)
        if !failing.isEmpty {
            r.notes.append("seeds not meeting the condition: \(failing.map(String.init).joined(separator: ", "))")
        }
    }

    /// C(n, k) as a Double.
    static func binomial(_ n: Int, _ k: Int) -> Double {
        var result = 1.0
        for i in 0..<min(k, n - k) { result = result * Double(n - i) / Double(i + 1) }
        return result
    }
}
