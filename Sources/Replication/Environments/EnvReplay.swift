import ThreeFactor

/// A replay request that cannot run, with one line saying what is wrong and what was
/// expected (the CLI prints it and exits with status 2).
public struct EnvReplayError: Error, Equatable, CustomStringConvertible {
    /// The one-line message for the user.
    public let description: String
    /// An error with the given message.
    public init(_ description: String) { self.description = oneLine(description) }
}

/// `threefactor env`: list the environments, and replay an action sequence from a given
/// internal state, one JSON line per step — the way to compare a step of this toolkit
/// with a reference simulator by hand. Pure functions from text to lines, so that every
/// error message is testable.
public enum EnvReplay {
    /// One line per registered environment: id, observation and action spaces, time limit,
    /// internal-state layout.
    public static func listLines() -> [String] {
        Catalog.environments.map { entry in
            guard let env = try? entry.makeEnvironment?(Hyperparameters()) else { return "\(entry.id)  (cannot be built without options)" }
            return "\(entry.id)  observation Box(\(env.observationCount)) float32  actions \(env.actionSpace)  "
                + "limit \(env.maxEpisodeSteps) steps  state [\(layout(of: env).joined(separator: ", "))]"
        }
    }

    /// The environment with this registered id, built with its default options.
    public static func environment(_ id: String) throws -> any Environment {
        let valid = Catalog.environments
        guard let make = valid.first(where: { $0.id == id })?.makeEnvironment else {
            throw EnvReplayError(
                "unknown environment \"\(id)\"; expected one of \(valid.map(\.id).joined(separator: ", "))")
        }
        do {
            return try make(Hyperparameters())
        } catch {
            throw EnvReplayError("\(id) cannot be built with default options: \(error)")
        }
    }

    /// Names of the state components, or "s0", "s1", … when the environment gives none.
    public static func layout(of env: any Environment) -> [String] {
        if let described = type(of: env) as? any StateLayoutDescribing.Type { return described.stateLayout }
        return env.state.indices.map { "s\($0)" }
    }

    /// Parses `--state`: exactly as many comma-separated finite numbers as the
    /// environment's internal state has.
    public static func parseState(_ text: String, for env: any Environment) throws -> [Double] {
        let names = layout(of: env)
        let expected = "expected \(names.count) comma-separated numbers \(names.joined(separator: ","))"
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == names.count else {
            throw EnvReplayError("--state: \(expected), got \(fields.count) value\(fields.count == 1 ? "" : "s")")
        }
        return try fields.enumerated().map { i, field in
            let trimmed = field.trimmingWhitespace
            guard let x = Double(trimmed), x.isFinite else {
                throw EnvReplayError("--state: \(names[i]) = \"\(trimmed)\" is not a finite number; \(expected)")
            }
            return x
        }
    }

    /// The actions of an actions file: one per non-blank line, an integer for a discrete
    /// space, comma-separated reals for a box. Errors name the line (1-based).
    public static func parseActions(_ text: String, for env: any Environment) throws -> [Action] {
        var actions: [Action] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingWhitespace
            if line.isEmpty { continue }
            let place = "actions line \(index + 1)"
            let action: Action
            switch env.actionSpace {
            case .discrete(let n):
                guard let a = Int(line) else {
                    throw EnvReplayError("\(place): \"\(line)\" is not an integer; expected an integer in 0...\(n - 1)")
                }
                action = .discrete(a)
            case .box(let low, let high):
                let bounds = zip(low, high).map { "[\($0), \($1)]" }.joined(separator: " x ")
                let expected = "expected \(low.count) comma-separated real\(low.count == 1 ? "" : "s") in \(bounds)"
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(\.trimmingWhitespace)
                guard fields.count == low.count, low.count <= 4 else {
                    throw EnvReplayError(
                        "\(place): \(expected), got \(fields.count) value\(fields.count == 1 ? "" : "s")")
                }
                var v = SIMD4<Double>(repeating: 0)
                for (i, field) in fields.enumerated() {
                    guard let x = Double(field), x.isFinite else {
                        throw EnvReplayError("\(place): \"\(field)\" is not a finite real; \(expected)")
                    }
                    v[i] = x
                }
                action = .continuous(v)
            }
            do {
                try env.validate(action)
            } catch {
                throw EnvReplayError("\(place): \(error)")
            }
            actions.append(action)
        }
        return actions
    }

    /// Replays `actionsText` in environment `id`, starting from `state` (comma-separated
    /// internal state) if given, else from `reset(seed:)`. One JSON object per step,
    /// `{"step":k,"obs":[...],"reward":r,"terminated":b,"truncated":b}`; stops after the
    /// step that terminates or truncates the episode (later actions are checked but unused).
    public static func replay(id: String, state: String?, seed: UInt64 = 0, actions actionsText: String) throws -> [String] {
        let prototype = try environment(id)
        let start = try state.map { try parseState($0, for: prototype) }
        let actions = try parseActions(actionsText, for: prototype)
        return try run(prototype, start: start, seed: seed, actions: actions)
    }

    static func run<E: Environment>(_ prototype: E, start: [Double]?, seed: UInt64, actions: [Action]) throws -> [String] {
        var env = prototype
        var observation = Array(repeating: 0.0, count: env.observationCount)
        env.reset(seed: seed, observation: &observation)
        if let start {
            do {
                try env.setState(start, observation: &observation)
            } catch {
                throw EnvReplayError("--state: \(error)")
            }
        }
        var lines: [String] = []
        for (k, action) in actions.enumerated() {
            let outcome = env.step(action, observation: &observation)
            lines.append(stepLine(step: k + 1, observation: observation, outcome: outcome))
            if outcome.terminated || outcome.truncated { break }
        }
        return lines
    }

    /// One step as a JSON object. Observations are float32 values and print as the
    /// shortest decimal that identifies the float32; the reward as the shortest decimal
    /// that identifies the float64.
    public static func stepLine(step: Int, observation: [Double], outcome: StepOutcome) -> String {
        let obs = observation.map { json(Float($0)) }.joined(separator: ",")
        return "{\"step\":\(step),\"obs\":[\(obs)],\"reward\":\(json(outcome.reward)),"
            + "\"terminated\":\(outcome.terminated),\"truncated\":\(outcome.truncated)}"
    }

    static func json<F: BinaryFloatingPoint & LosslessStringConvertible>(_ x: F) -> String {
        x.isFinite ? x.description : "null"
    }
}

fileprivate extension StringProtocol {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
