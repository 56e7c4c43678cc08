import ArgumentParser
import Foundation
import Replication

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a paper's run logs against data/reference/<paper>.toml; write report.md and figures.",
        discussion: "Exit status: 0 every check passes, 1 a check fails, 2 a needed run is missing or incomplete."
    )

    @Argument(help: "Paper module id, e.g. map-prop.") var paper: String
    @Option(help: "Profile whose logs to check: full or quick.") var profile: String = "full"
    @Option(help: "Directory holding papers/ and data/ (default: current directory).") var root: String = "."
    @Option(help: "Directory of the run logs (default: runs/<paper> for full, runs/<paper>/<profile> otherwise).")
    var logs: String?

    func run() throws {
        try Self.verify(paper: paper, profile: profile, root: root, directory: logs)
    }

    /// Prints the verdict table and ends with the verifier's exit status when it is not 0.
    static func verify(paper: String, profile: String, root: String, directory: String?) throws {
        let outcome = try PaperVerification.run(paper: paper, profile: profile, root: root, directory: directory)
        print(outcome.report.terminalTable())
        for w in outcome.warnings { print("warning: \(w)") }
        print("report: \(outcome.reportURL.path)")
        if outcome.report.exitCode != 0 { throw ExitCode(outcome.report.exitCode) }
    }
}
