/// The actor–critic of MAP propagation (`ActorCriticAgent<MAPPropagation>`) for eight seeds
/// at once, one per SIMD lane of a `LockstepTeamNetwork`: the same loop, step for step, in
/// every lane, with the same bits as each seed's agent run alone.
///
/// Every lane runs the same operations per environment step (both forward passes, the
/// learning step from the previous TD error, 20 MAP ascent steps, the critic gate, the
/// traces), so lanes never wait on each other. What differs between lanes is data: a lane
/// whose episode starts learns with δ = 0 and clears its traces (masks), and each lane's
/// learning rates follow its own step counter. The one extra operation, the learning step
/// after an episode's last step, runs for the lanes whose episodes ended (`completeEpisodes`),
/// the other lanes masked out.
///
/// Use: `act` for all lanes, each lane's environment step and `observe`, then
/// `completeEpisodes`. `agent(lane:)` reads a lane back as a single-seed agent (whose
/// checkpoint is that seed's); a lockstep agent can start from agents loaded from checkpoints.
public struct LockstepActorCritic {
    /// One value per lane.
    public typealias Lanes = LockstepTeamNetwork.Lanes
    /// One flag per lane.
    public typealias LaneMask = LockstepTeamNetwork.LaneMask
    /// Seeds advanced together.
    public static var lanes: Int { LockstepTeamNetwork.lanes }

    /// Lane 0's agent as built: settings, rules and shapes every lane shares.
    let template: ActorCriticAgent<MAPPropagation>
    var settings: ActorCriticSettings { template.settings }
    /// The eight policy networks.
    public private(set) var actor: LockstepTeamNetwork
    /// The eight value networks.
    public private(set) var critic: LockstepTeamNetwork

    /// Each lane's step counter (the learning-rate schedules' step).
    public private(set) var iterations: [Int]
    var previousValue: Lanes
    var pendingReward: Lanes
    var tdSquareSum: Lanes
    var tdCount: [Int]
    var valueSum: Lanes
    var valueCount: [Int]
    /// Lanes whose episode ended in this step, with the δ of their final learning step.
    var endedLanes = LaneMask(repeating: false)
    var finalDelta = Lanes()
    /// Learning rates of the current step, per layer (scratch).
    var criticRates: [Lanes]
    var actorRates: [Lanes]

    /// Eight agents with the same settings and rules (fresh, or loaded from checkpoints), one
    /// per lane; the networks' inner loops use `instructionSet` (the same bits with each).
    public init(_ agents: [ActorCriticAgent<MAPPropagation>], instructionSet: LaneInstructionSet = .best) {
        precondition(agents.count == Self.lanes, "one agent per lane")
        let first = agents[0]
        for a in agents {
            precondition(
                a.settings == first.settings && a.criticRule.steps == first.criticRule.steps
                    && a.criticRule.updateAdjustment == first.criticRule.updateAdjustment
                    && a.actorRule.steps == first.actorRule.steps
                    && a.actorRule.updateAdjustment == first.actorRule.updateAdjustment
                    && a.discreteActions == first.discreteActions && a.actionDimensions == first.actionDimensions
                    && a.actionLow == first.actionLow && a.actionHigh == first.actionHigh,
                "lockstep agents must share their settings, rules and action space")
        }
        template = first
        actor = LockstepTeamNetwork(agents.map(\.actor), instructionSet: instructionSet)
        critic = LockstepTeamNetwork(agents.map(\.critic), instructionSet: instructionSet)
        iterations = agents.map(\.iteration)
        func lanes(_ value: (ActorCriticAgent<MAPPropagation>) -> Double) -> Lanes {
            var v = Lanes()
            for s in 0..<Self.lanes { v[s] = value(agents[s]) }
            return v
        }
        previousValue = lanes(\.previousValue)
        pendingReward = lanes(\.pendingReward)
        tdSquareSum = lanes(\.tdSquareSum)
        tdCount = agents.map(\.tdCount)
        valueSum = lanes(\.valueSum)
        valueCount = agents.map(\.valueCount)
        criticRates = Array(repeating: Lanes(), count: first.settings.hidden.count + 1)
        actorRates = criticRates
    }

    /// Lane `s` as a single-seed agent, in the state it would have had running alone.
    public func agent(lane s: Int) -> ActorCriticAgent<MAPPropagation> {
        template.withState(
            actor: actor.network(lane: s), critic: critic.network(lane: s), iteration: iterations[s],
            previousValue: previousValue[s], pendingReward: pendingReward[s], tdSquareSum: tdSquareSum[s],
            tdCount: tdCount[s], valueSum: valueSum[s], valueCount: valueCount[s])
    }

    /// `ActorCriticAgent.act` in every lane: samples both networks for `observations[s]`,
    /// learns from the previous TD error, assigns credit and writes lane s's action to
    /// `actions[s]`. Lanes in `episodeStart` clear their traces and learn with δ = 0.
    public mutating func act(_ observations: [[Double]], episodeStart: LaneMask, actions: inout [Action]) {
        for s in 0..<Self.lanes {
            observations[s].withUnsafeBufferPointer {
                actor.setInput(lane: s, $0.baseAddress!)
                critic.setInput(lane: s, $0.baseAddress!)
            }
        }
        actor.forward(hiddenNoise: true)
        critic.forward(hiddenNoise: true)
        let value = critic.outputMean()
        valueSum += value
        var learning = LaneMask(repeating: false)
        for s in 0..<Self.lanes {
            valueCount[s] += 1
            learning[s] = iterations[s] > 0
        }
        let recorded = learning .& .!episodeStart
        let delta = (pendingReward + settings.gamma * value - previousValue).replacing(with: 0, where: .!recorded)
        recordTDErrors(delta, lanes: recorded)
        learn(delta, lanes: learning)
        critic.clearTraces(lanes: episodeStart)
        actor.clearTraces(lanes: episodeStart)
        critic.mapPropagate(steps: template.criticRule.steps, updateAdjustment: template.criticRule.updateAdjustment)
        critic.applyMAPCriticGate()
        actor.mapPropagate(steps: template.actorRule.steps, updateAdjustment: template.actorRule.updateAdjustment)
        critic.accumulateTraces(decay: settings.criticLambda * settings.gamma)
        actor.accumulateTraces(decay: settings.actorLambda * settings.gamma)
        previousValue = value
        for s in 0..<Self.lanes {
            iterations[s] += 1
            actions[s] = action(lane: s)
        }
    }

    /// `ActorCriticAgent.observe` for lane `s`; the final learning step of an ended episode
    /// waits for `completeEpisodes`.
    public mutating func observe(lane s: Int, reward: Double, terminated: Bool, truncated: Bool) {
        let limit = settings.rewardLimit
        pendingReward[s] = limit > 0 ? min(max(reward, -limit), limit) : reward
        guard terminated || truncated else { return }
        var delta = 0.0
        if terminated {
            delta = pendingReward[s] - previousValue[s]
            tdSquareSum[s] += delta * delta
            tdCount[s] += 1
        }
        endedLanes[s] = true
        finalDelta[s] = delta
    }

    /// The final learning step of every lane whose episode ended since the last call.
    public mutating func completeEpisodes() {
        guard any(endedLanes) else { return }
        learn(finalDelta, lanes: endedLanes)
        for s in 0..<Self.lanes where endedLanes[s] { iterations[s] += 1 }
        endedLanes = LaneMask(repeating: false)
        finalDelta = Lanes()
    }

    /// `ActorCriticAgent.endEpisode` for lane `s`.
    public mutating func endEpisode(lane s: Int, diagnostics: inout [Double]) {
        diagnostics[0] = tdCount[s] > 0 ? (tdSquareSum[s] / Double(tdCount[s])).squareRoot() : 0
        diagnostics[1] = valueCount[s] > 0 ? valueSum[s] / Double(valueCount[s]) : 0
        tdSquareSum[s] = 0
        tdCount[s] = 0
        valueSum[s] = 0
        valueCount[s] = 0
    }

    /// The lanes whose networks have a non-finite weight or bias.
    public var divergedLanes: LaneMask { .!(actor.finiteLanes .& critic.finiteLanes) }

    mutating func recordTDErrors(_ delta: Lanes, lanes mask: LaneMask) {
        tdSquareSum = tdSquareSum.replacing(with: tdSquareSum + delta * delta, where: mask)
        for s in 0..<Self.lanes where mask[s] { tdCount[s] += 1 }
    }

    mutating func learn(_ delta: Lanes, lanes mask: LaneMask) {
        guard any(mask) else { return }
        for l in 0..<criticRates.count {
            for s in 0..<Self.lanes {
                criticRates[l][s] = settings.criticLearningRates[l].value(at: iterations[s])
                actorRates[l][s] = settings.actorLearningRates[l].value(at: iterations[s])
            }
        }
        criticRates.withUnsafeBufferPointer { critic.learnFromTraces(signal: delta, learningRates: $0, lanes: mask) }
        actorRates.withUnsafeBufferPointer { actor.learnFromTraces(signal: delta, learningRates: $0, lanes: mask) }
    }

    func action(lane s: Int) -> Action {
        if template.discreteActions { return .discrete(actor.chosenAction(lane: s)) }
        var a = SIMD4<Double>()
        for k in 0..<template.actionDimensions {
            let low = template.actionLow[k], high = template.actionHigh[k]
            a[k] = min(max(actor.outputValue(unit: k)[s] * (high - low) - low, low), high)
        }
        return .continuous(a)
    }
}
