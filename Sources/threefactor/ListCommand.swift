import ArgumentParser
import ThreeFactor

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the environments, rules and experiment kinds the toolkit has.")

    func run() {
        print("environments:")
        for e in EnvironmentRegistry.all { print("  \(e.id.padding(toLength: 28, withPad: " ", startingAt: 0)) \(e.summary)") }
        print("rules:")
        for r in RuleRegistry.all { print("  \(r.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(r.summary)") }
        print("experiment kinds:")
        for k in TrialRegistry.all { print("  \(k.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(k.summary)") }
    }
}
