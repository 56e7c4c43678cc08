import Foundation
import ThreeFactor

/// Receives the runner's events; implementations draw a progress bar or print log lines.
/// Called from worker threads: implementations synchronise themselves.
public protocol RunProgress: AnyObject, Sendable {
    /// An experiment is queued under the number `request` (before `start`).
    func register(request: Int, experiment: ExperimentSpec)
    /// The run begins.
    func start()
    /// A seed begins or resumes, with `unitsDone` units already in its log.
    func seedStarted(request: Int, seed: Int, unitsDone: Int)
    /// A seed completed a unit; `record` holds its values in the trial's series order.
    func unitDone(request: Int, seed: Int, record: [Double])
    /// A seed stopped, with its status; `resumed` tells a continued run from a new one.
    func seedFinished(request: Int, seed: Int, unitsDone: Int, status: RunStatus, resumed: Bool)
    /// The run ended; no more events follow.
    func stop()
}

/// Progress on standard error: a redrawn status line per experiment on a terminal, plain
/// log lines every `logInterval` seconds otherwise (CI logs, files, pipes).
public final class ConsoleProgress: RunProgress, @unchecked Sendable {
    struct Entry {
        var id: String
        var units: Int
        var seeds: Int
        var unitsDone: [Int: Int] = [:]
        var finished: [Int: RunStatus] = [:]
        var recentReturns: [Double] = []
    }

    let lock = NSLock()
    var entries: [Int: Entry] = [:]
    let isTerminal: Bool
    let logInterval: Double
    var timer: DispatchSourceTimer?
    var startTime = Date()
    var drawnLines = 0

    /// Progress on standard error; `isTerminal` chooses the redrawn status line over log lines
    /// every `logInterval` seconds.
    public init(isTerminal: Bool = isatty(STDERR_FILENO) != 0, logInterval: Double = 10) {
        self.isTerminal = isTerminal
        self.logInterval = logInterval
    }

    public func register(request: Int, experiment: ExperimentSpec) {
        lock.withLock { entries[request] = Entry(id: experiment.id, units: experiment.units, seeds: experiment.seeds.count) }
    }

    public func start() {
        startTime = Date()
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "progress"))
        let interval = isTerminal ? 0.25 : logInterval
        t.schedule(deadline: .now() + interval, repeating: interval)
        t.setEventHandler { [weak self] in self?.draw(final: false) }
        t.resume()
        timer = t
    }

    public func seedStarted(request: Int, seed: Int, unitsDone: Int) {
        lock.withLock { entries[request]?.unitsDone[seed] = unitsDone }
        if !isTerminal, unitsDone > 0 {
            emit("\(entries[request]?.id ?? "?") seed \(seed): resuming after \(unitsDone) units")
        }
    }

    public func unitDone(request: Int, seed: Int, record: [Double]) {
        lock.withLock {
            entries[request]?.unitsDone[seed, default: 0] += 1
            entries[request]?.recentReturns.append(record[0])
            if let n = entries[request]?.recentReturns.count, n > 200 { entries[request]?.recentReturns.removeFirst(n - 100) }
        }
    }

    public func seedFinished(request: Int, seed: Int, unitsDone: Int, status: RunStatus, resumed: Bool) {
        let id: String? = lock.withLock {
            entries[request]?.finished[seed] = status
            entries[request]?.unitsDone[seed] = unitsDone
            return entries[request]?.id
        }
        if !isTerminal || status != .complete {
            let how = resumed ? "already \(status.rawValue) in the log" : status.rawValue
            emit("\(id ?? "?") seed \(seed): \(how) after \(unitsDone) units")
        }
    }

    public func stop() {
        timer?.cancel()
        timer = nil
        draw(final: true)
        // A later run (the benchmark's evaluation after its tuning) numbers its requests
        // from 0 again: it must not add to this run's entries.
        lock.withLock { entries = [:] }
    }

    func emit(_ line: String) {
        lock.withLock {
            if isTerminal, drawnLines > 0 {
                FileHandle.standardError.write(Data("\u{1B}[\(drawnLines)F\u{1B}[J".utf8))
                drawnLines = 0
            }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    func summaryLines() -> [String] {
        entries.keys.sorted().compactMap { key in
            let e = entries[key]!
            let (product, overflow) = e.units.multipliedReportingOverflow(by: e.seeds)
            let total = overflow ? Int.max : product
            let done = e.unitsDone.values.reduce(0, +)
            if done == 0 && e.finished.isEmpty && !isTerminal { return nil }
            let fraction = total > 0 ? min(1, max(0, Double(done) / Double(total))) : 1
            let tail = e.recentReturns.suffix(100)
            let mean = tail.isEmpty ? "-" : String(format: "%.1f", tail.reduce(0, +) / Double(tail.count))
            let bar: String
            if isTerminal {
                let width = 24
                let filled = Int(fraction * Double(width))
                bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            } else {
                bar = ""
            }
            // Integers are interpolated, not passed to %d (a 32-bit conversion on Linux that
            // printed a large total as a negative number).
            let complete = e.finished.values.filter { $0 == .complete }.count
            return e.id.padding(toLength: max(e.id.count, 28), withPad: " ", startingAt: 0) + " " + bar
                + String(format: "%3.0f%%", fraction * 100)
                + "  units \(done)/\(total)  seeds complete \(complete)/\(e.seeds)  recent mean \(mean)"
        }
    }

    func draw(final: Bool) {
        lock.withLock {
            let lines = summaryLines()
            let elapsed = String(format: "elapsed %.0fs", Date().timeIntervalSince(startTime))
            if isTerminal {
                var out = drawnLines > 0 ? "\u{1B}[\(drawnLines)F\u{1B}[J" : ""
                out += (lines + [elapsed]).joined(separator: "\n") + "\n"
                FileHandle.standardError.write(Data(out.utf8))
                drawnLines = lines.count + 1
                if final { drawnLines = 0 }
            } else if !lines.isEmpty {
                FileHandle.standardError.write(Data(((lines.map { "progress: " + $0 }) + ["progress: " + elapsed]).joined(separator: "\n").utf8 + [10]))
            }
        }
    }
}
