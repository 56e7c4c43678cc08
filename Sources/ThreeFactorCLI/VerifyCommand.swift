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
    @Option(help: "Profile whose logs to check (a profile of the paper's experiments.toml: full, quick, ci, ...).") var profile: String = "full"
    @Option(help: "Directory holding papers/ and data/ (default: current directory).") var root: String = "."
    @Option(help: "Directory of the run logs (default: runs/<paper> for full, runs/<paper>/<profile> otherwise).")
    var logs: String?
    @Flag(help: "Exit 0 exactly when every verdict is the one data/reference/<paper>.toml pins for the profile ([expected_verdicts.<profile>]), else 1 listing the changes (what CI runs: a pinned FAIL stays a FAIL in the report).")
    var expectVerdicts = false

    func run() throws {
        try Self.verify(paper: paper, profile: profile, root: root, directory: logs, expectVerdicts: expectVerdicts)
    }

    /// Prints the verdict table and ends with the verifier's exit status when it is not 0;
    /// with `expectVerdicts`, with 0 or 1 by whether the verdicts are the pinned ones.
    static func verify(paper: String, profile: String, root: String, directory: String?, expectVerdicts: Bool = false) throws {
        let outcome = try PaperVerification.run(paper: paper, profile: profile, root: root, directory: directory)
        print(outcome.report.terminalTable())
        for w in outcome.warnings { print("warning: \(w)") }
        print("report: \(outcome.reportURL.path)")
        guard expectVerdicts else {
            if outcome.report.exitCode != 0 { throw ExitCode(outcome.report.exitCode) }
            return
        }
        guard let changes = outcome.unexpectedVerdicts else {
            throw UsageError("--expect-verdicts: \(root)/data/reference/\(paper).toml pins no verdicts for profile \(profile) ([expected_verdicts.\(profile)])")
        }
        if changes.isEmpty {
            print("verdicts as pinned in data/reference/\(paper).toml for profile \(profile)")
            return
        }
        print("verdicts that changed from those pinned in data/reference/\(paper).toml for profile \(profile):")
        for c in changes { print("  \(c)") }
        throw ExitCode(1)
    }
}
