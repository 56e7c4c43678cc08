import Foundation

/// A check's second reference: runs of the authors' own code on today's environments
/// (`[checks.authors_code]` in the reference file). With it a verdict tells apart "our
/// implementation is at fault" from "the paper's number does not reproduce, even with the
/// authors' code".
public struct AuthorsCodeReference: Sendable, Equatable {
    /// One file per experiment of the check, in the check's order, relative to the root
    /// (`data/authors-code/<paper>/<experiment>.json`, the format of `AuthorsCodeRun`).
    public var runs: [String]
    /// The half-width of "ours is equivalent to the authors' code", in the metric's units;
    /// nil takes the margin of the check's reported comparison.
    public var margin: Double?
    /// The number of windows the learning curves are compared in.
    public var windows: Int
    /// The level of every test against the authors' code.
    public var alpha: Double

    /// A reference from its parts.
    public init(runs: [String], margin: Double? = nil, windows: Int = 10, alpha: Double = 0.05) {
        self.runs = runs
        self.margin = margin
        self.windows = windows
        self.alpha = alpha
    }
}

/// The authors' code run by us: a JSON file written by the driver script beside it
/// (`data/authors-code/<paper>/`), with one learning curve per seed and the provenance of the
/// run.
public struct AuthorsCodeRun: Sendable, Equatable, Decodable {
    /// Always "authors' code, re-run".
    public var provenance: String
    /// The authors' repository.
    public var repository: String
    /// The commit that was run.
    public var commit: String
    /// When it was run (ISO date).
    public var date: String
    /// Library versions (Python, NumPy, Gymnasium, ...).
    public var versions: [String: String]
    /// Environment, budget, hyperparameters, metric: how the run was made.
    public var `protocol`: String
    /// The matching experiment of our experiments file.
    public var experiment: String
    /// The seeds run.
    public var seeds: [Int]
    /// The series the curves are, as our logs name it (absent: "episode_return", the return
    /// of every episode; e.g. "abs_error_mean" for a closed-loop run's mean |E| per block).
    public var series: String?
    /// Per seed, the series' value for every unit (episode, block).
    public var curves: [[Double]]
    /// Per seed, how its run ended: "complete", or "diverged" when the authors' code stopped
    /// on a NaN (its curve then holds the units before); absent: every seed is complete.
    public var statuses: [String]?

    /// One line: repository at commit, seeds, date.
    public var summary: String {
        "\(repository) at \(commit.prefix(10)), \(seeds.count) seeds, run \(date)"
    }

    /// Reads and checks a run file: one line naming the file and the key when it is not one.
    public static func load(_ path: String) throws -> AuthorsCodeRun {
        func fail(_ message: String) -> AuthorsCodeError { AuthorsCodeError(description: "\(path): \(message)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("no such file (the authors' code run a check names)") }
        let run: AuthorsCodeRun
        do { run = try JSONDecoder().decode(AuthorsCodeRun.self, from: data) } catch let DecodingError.keyNotFound(key, _) {
            throw fail("key \"\(key.stringValue)\" is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw fail("key \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\": \(context.debugDescription)")
        } catch {
            throw fail("is not a JSON run file of the authors' code")
        }
        guard run.provenance == "authors' code, re-run" else { throw fail("key \"provenance\": expected \"authors' code, re-run\", got \"\(run.provenance)\"") }
        guard !run.seeds.isEmpty, run.curves.count == run.seeds.count else {
            throw fail("key \"curves\": expected one curve per seed (\(run.seeds.count)), got \(run.curves.count)")
        }
        if let statuses = run.statuses {
            guard statuses.count == run.seeds.count else {
                throw fail("key \"statuses\": expected one status per seed (\(run.seeds.count)), got \(statuses.count)")
            }
            if let bad = statuses.first(where: { $0 != "complete" && $0 != "diverged" }) {
                throw fail("key \"statuses\": expected \"complete\" or \"diverged\", got \"\(bad)\"")
            }
        }
        for (k, (seed, curve)) in zip(run.seeds, run.curves).enumerated()
        where (curve.isEmpty && run.status(k) == .complete) || curve.contains(where: { !$0.isFinite }) {
            throw fail("key \"curves\": the curve of seed \(seed) is empty or not finite")
        }
        return run
    }

    /// How the run of the k-th seed ended.
    func status(_ k: Int) -> RunStatus {
        statuses?[k] == "diverged" ? .diverged : .complete
    }

    /// The run as a log of experiment `id`, its curves as `series`, so that a check's metric
    /// reads it exactly as it reads ours.
    /// `expectedUnits` is the experiment's budget (absent: the longest curve), against which a
    /// diverged seed's units are counted.
    func log(experiment id: String, paper: String, profile: String, expectedUnits: Int? = nil) -> ExperimentLog {
        ExperimentLog(
            paper: paper, experiment: id, profile: profile, label: "authors' code", figure: "",
            expectedUnits: expectedUnits ?? curves.map(\.count).max() ?? 0,
            seeds: zip(seeds, curves).enumerated().map { k, run in
                SeedLog(seed: run.0, status: status(k), series: [series ?? "episode_return": run.1])
            })
    }
}

/// A run file of the authors' code that cannot be used; `description` names the file and key.
public struct AuthorsCodeError: Error, CustomStringConvertible {
    /// The one-line message.
    public var description: String
}

/// The comparisons of one check with the authors' code.
public struct AuthorsCodeResult: Sendable, Equatable {
    /// The runs compared with (repository, commit, seeds, date per file).
    public var source: String
    /// The check applied to the authors' code's runs: does their code reproduce the paper?
    public var paper: Verdict
    /// The authors' code's estimate against the paper, as the check states it.
    public var paperText: String
    /// Ours against the authors' code: PASS when equivalence within the margin is shown and
    /// Welch's test does not reject equal means.
    public var replication: Verdict
    /// The tests of ours against the authors' code.
    public var replicationText: String
    /// The learning curves compared window by window: PASS when no window differs after
    /// Holm's correction; nil when a curve is missing.
    public var curves: Verdict?
    /// The window tests.
    public var curvesText: String
    /// One line that reads the three verdicts together.
    public var reading: String
}

extension Verifier {
    static func compareWithAuthorsCode(
        _ check: ReferenceCheck, _ reference: AuthorsCodeReference, ours: [String: ExperimentLog], oursVerdict: Verdict,
        profile: String, expectedSeeds: [String: [Int]], expectedConfigs: [String: String], runs: [String: AuthorsCodeRun]
    ) -> AuthorsCodeResult {
        let loaded = reference.runs.compactMap { runs[$0] }
        let source = loaded.map(\.summary).joined(separator: "; ")
        guard loaded.count == check.experiments.count else {
            let absent = reference.runs.filter { runs[$0] == nil }.joined(separator: ", ")
            return AuthorsCodeResult(source: source, paper: .missing, paperText: "—", replication: .missing,
                                     replicationText: "no run file \(absent)", curves: nil, curvesText: "—",
                                     reading: "the authors' code's runs are missing")
        }
        var theirs: [String: ExperimentLog] = [:]
        for (id, run) in zip(check.experiments, loaded) {
            theirs[id] = run.log(experiment: id, paper: "", profile: profile, expectedUnits: ours[id]?.expectedUnits)
        }
        let paper = evaluateAgainstReference(check, logs: theirs, profile: profile, expectedSeeds: [:], expectedConfigs: [:])
        let a = collect(check, logs: ours, profile: profile, expectedSeeds: expectedSeeds, expectedConfigs: expectedConfigs)
        // A diverged seed of the authors' code has no value of the metric: the comparison FAILs
        // and names it, and is still made on their seeds that completed, for what it shows.
        var completed = theirs
        for id in completed.keys { completed[id]!.seeds.removeAll { $0.status == .diverged } }
        let divergences = collect(check, logs: theirs, profile: profile, expectedSeeds: [:], expectedConfigs: [:])
            .failures.map { "authors' code: \($0)" }
        let b = collect(check, logs: completed, profile: profile, expectedSeeds: [:], expectedConfigs: [:])

        var replication = Verdict.missing, replicationText = "—"
        var margin = reference.margin
        if margin == nil, case .reported(let c) = check.comparison { margin = c.margin.value(reportedMean: c.mean) }
        if !a.failures.isEmpty || !b.failures.isEmpty {
            replication = .fail
            replicationText = (a.failures + b.failures).joined(separator: "; ")
        } else if a.missing.isEmpty, b.missing.isEmpty, let margin {
            var parts = divergences, pass = divergences.isEmpty
            for (x, y) in zip(a.samples, b.samples) {
                guard x.numbers.count >= 2, y.numbers.count >= 2 else {
                    pass = false
                    parts.append("\(x.experiment): Welch's test needs at least 2 seeds on each side")
                    continue
                }
                let welch = WelchTest(x.numbers, y.numbers)
                let tost = welch.equivalence(margin: margin)
                let ci = welch.differenceInterval(level: 1 - 2 * reference.alpha)
                let same = welch.pValue > reference.alpha, equivalent = tost.pValue <= reference.alpha
                pass = pass && same && equivalent
                parts.append("\(x.experiment): ours \(format(Descriptive.mean(x.numbers))) (n = \(x.numbers.count)) vs authors' code \(format(Descriptive.mean(y.numbers))) (n = \(y.numbers.count)); Welch p = \(formatP(welch.pValue)) \(same ? ">" : "≤") α; TOST ±\(format(margin)): p = \(formatP(tost.pValue)) \(equivalent ? "≤" : ">") α (\(formatPercent(1 - 2 * reference.alpha)) CI of difference \(formatInterval(ci.low, ci.high)))")
            }
            replication = pass ? .pass : .fail
            replicationText = parts.joined(separator: "; ")
        } else if margin == nil {
            replicationText = "no equivalence margin: set [checks.authors_code] margin"
        } else {
            replicationText = (a.missing + b.missing).joined(separator: "; ")
        }
        if replication == .missing, !divergences.isEmpty {
            replication = .fail
            replicationText = divergences.joined(separator: "; ")
        }

        let (curves, curvesText) = compareCurves(check, ours: ours, theirs: theirs, reference: reference)
        // A FAIL without an estimate (a diverged seed) shows why instead.
        let paperText = paper.ours == "—" && !paper.notes.isEmpty ? paper.notes.joined(separator: "; ") : paper.ours
        return AuthorsCodeResult(
            source: source, paper: paper.verdict, paperText: paperText, replication: replication,
            replicationText: replicationText, curves: curves, curvesText: curvesText,
            reading: reading(ours: oursVerdict, authors: paper.verdict, replication: replication, curves: curves,
                             divergence: divergence(check, loaded)))
    }

    /// The curves (the metric's series, per unit) of ours and of the authors' code, cut into
    /// `windows` windows of their common length (up to the earliest divergence of theirs); per
    /// window the per-seed means are compared by Welch's two-sided test, and the p-values of
    /// every window of every experiment are adjusted by Holm's step-down method.
    static func compareCurves(_ check: ReferenceCheck, ours: [String: ExperimentLog], theirs: [String: ExperimentLog],
                              reference: AuthorsCodeReference) -> (Verdict?, String) {
        let series = check.metric.seriesNames[0]
        var tests: [(label: String, p: Double)] = []
        var lengths: [String] = []
        for id in check.experiments {
            guard let mine = ours[id], let other = theirs[id] else { return (nil, "—") }
            let x = mine.seeds.filter { $0.status == .complete }.compactMap { $0.series[series] }
            // The authors' diverged seeds count with the units before their NaN: the curves are
            // compared over the units every seed has.
            let y = other.seeds.compactMap { $0.series[series] }
            guard x.count >= 2, y.count >= 2 else { return (nil, "curves of at least 2 seeds on each side are needed") }
            let length = (x + y).map(\.count).min()!
            let k = min(reference.windows, length)
            guard k >= 1 else { return (nil, "—") }
            lengths.append("\(id): \(length) units")
            for w in 0..<k {
                let range = (w * length / k)..<((w + 1) * length / k)
                let mx = x.map { Descriptive.mean(Array($0[range])) }, my = y.map { Descriptive.mean(Array($0[range])) }
                tests.append(("\(id) units \(range.lowerBound + 1)–\(range.upperBound)", WelchTest(mx, my).pValue))
            }
        }
        let adjusted = holmAdjusted(tests.map(\.p))
        let differing = zip(tests, adjusted).filter { $0.1 <= reference.alpha }.map { "\($0.0.label) (p = \(formatP($0.1)))" }
        let smallest = adjusted.enumerated().min { $0.element < $1.element }!
        let text = "\(tests.count) windows (\(lengths.joined(separator: ", "))), Welch per window, Holm-adjusted: smallest p = \(formatP(smallest.element)) (\(tests[smallest.offset].label))"
            + (differing.isEmpty ? "; no window differs at α = \(format(reference.alpha))" : "; differ: \(differing.joined(separator: ", "))")
        return (differing.isEmpty ? .pass : .fail, text)
    }

    /// Which of the authors' code's runs diverged, e.g. "the authors' code diverged (NaN) in
    /// 5 of 5 seeds of depth4-nrl"; nil when none did.
    static func divergence(_ check: ReferenceCheck, _ runs: [AuthorsCodeRun]) -> String? {
        let parts = zip(check.experiments, runs).compactMap { id, run -> String? in
            let n = run.seeds.indices.filter { run.status($0) == .diverged }.count
            return n == 0 ? nil : "\(n) of \(run.seeds.count) seeds of \(id)"
        }
        return parts.isEmpty ? nil : "the authors' code diverged (NaN) in " + parts.joined(separator: " and ")
    }

    /// The three comparisons read together, e.g. "paper's number not reproduced; the authors'
    /// code does not reproduce it either; ours is equivalent to the authors' code".
    static func reading(ours: Verdict, authors: Verdict, replication: Verdict, curves: Verdict?, divergence: String? = nil) -> String {
        var parts: [String] = []
        switch (ours, authors) {
        case (.pass, .pass): parts.append("the paper's result is reproduced, by ours and by the authors' code")
        case (.pass, .fail): parts.append("the paper's result is reproduced by ours but not by the authors' code")
        case (.fail, .fail): parts.append("the paper's result is not reproduced; the authors' code does not reproduce it either")
        case (.fail, .pass): parts.append("the paper's result is not reproduced by ours, though the authors' code reproduces it")
        case (.missing, .pass): parts.append("our runs are missing; the authors' code reproduces the paper's result")
        case (.missing, .fail): parts.append("our runs are missing; the authors' code does not reproduce the paper's result")
        case (_, .missing): parts.append("the authors' code's runs cannot be judged against the paper")
        }
        switch replication {
        case .pass: parts.append("ours is equivalent to the authors' code")
        case .fail: parts.append("ours is not shown equivalent to the authors' code")
        case .missing: parts.append("ours cannot yet be compared with the authors' code")
        }
        if curves == .fail { parts.append("the learning curves differ in some windows") }
        if curves == .pass && replication == .pass { parts[parts.count - 1] += ", curve by curve too" }
        if let divergence { parts.append(divergence) }
        return parts.joined(separator: "; ")
    }
}

/// Holm's step-down adjustment of p-values (family-wise error control): the i-th smallest of
/// m p-values becomes max over j <= i of min(1, (m − j + 1) p_(j)); returned in input order.
public func holmAdjusted(_ p: [Double]) -> [Double] {
    let order = p.indices.sorted { p[$0] < p[$1] }
    var adjusted = [Double](repeating: 0, count: p.count)
    var running = 0.0
    for (rank, i) in order.enumerated() {
        running = max(running, min(1, Double(p.count - rank) * p[i]))
        adjusted[i] = running
    }
    return adjusted
}
