import ArgumentParser
import Foundation
import Replication

/// `threefactor env list` and `threefactor env replay`: inspect the environments and step
/// one by hand, e.g. to compare a step with the reference simulator.
struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "List the environments or replay actions in one of them.",
        subcommands: [List.self, Replay.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List environment ids with their observation and action spaces, time limits and state layouts.")

        func run() {
            for line in EnvReplay.listLines() { print(line) }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Step an environment through a file of actions, printing one JSON object per step.",
            discussion: """
                Starts from --state (the internal state, comma-separated, in the layout `env list` \
                shows) or else from a reset with --seed. The actions file holds one action per line: \
                an integer for a discrete action space, comma-separated reals for a continuous one; \
                blank lines are skipped. Each step prints \
                {"step":k,"obs":[...],"reward":r,"terminated":b,"truncated":b}; the replay stops \
                after the step that terminates or truncates the episode.
                """)

        @Argument(help: "A registered environment id, e.g. Acrobot-v1.")
        var envID: String

        @Option(parsing: .unconditional, help: "Initial internal state, comma-separated (e.g. -0.5,0).")
        var state: String?

        @Option(help: "Seed of the reset when no --state is given.")
        var seed: UInt64 = 0

        @Option(help: "File with one action per line ('-' reads standard input).")
        var actions: String

        func run() throws {
            let text: String
            if actions == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: actions) else {
                    throw fail("cannot read actions file \(actions)")
                }
                text = String(decoding: data, as: UTF8.self)
            }
            let lines: [String]
            do {
                lines = try EnvReplay.replay(id: envID, state: state, seed: seed, actions: text)
            } catch let error as EnvReplayError {
                throw fail(error.description)
            }
            for line in lines { print(line) }
        }

        /// Writes one line to standard error; the returned error ends the command with status 2.
        func fail(_ message: String) -> ExitCode {
            FileHandle.standardError.write(Data("threefactor: error: \(message)\n".utf8))
            return ExitCode(2)
        }
    }
}
