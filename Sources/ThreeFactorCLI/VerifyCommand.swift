import ArgumentParser
import Foundation
import Replication

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a paper's run logs against data/reference/<paper>.toml; write report.md and figures.",
        discussion: """
            Exit status: 0 every check passes, 1 a check fails, 2 a needed run is missing or \
            incomplete; plus 4 when a check's authors' code was re-run and ours is not shown \
            equivalent to it (exit & 3: the paper's numbers; exit & 4: faithful to the authors' \
            code). With --expect-verdicts: 0 when every verdict is the pinned one, else 1. \
            The results section of papers/<paper>/README.md for the profile (between the lines \
            "<!-- results of profile <profile>: ... -->" and "<!-- end of results -->") is \
            rewritten from the verified logs (--readme update, the default for the default logs \
            directory), compared (--readme check: exit 1 when it differs) or left alone.
            """
    )

    @Argument(help: "Paper module id, e.g. map-prop.") var paper: String
    @Option(help: "Profile whose logs to check (a profile of the paper's experiments.toml: full, quick, ci, ...).") var profile: String = "full"
    @Option(help: "Directory holding papers/ and data/ (default: current directory).") var root: String = "."
    @Option(help: "Directory of the run logs (default: runs/<paper> for full, runs/<paper>/<profile> otherwise).")
    var logs: String?
    @Option(help: "The README's results section: update, check or leave (default: update for the default logs directory, else leave).")
    var readme: ReadmeOption?
    @Flag(help: "Exit 0 exactly when every verdict is the one data/reference/<paper>.toml pins for the profile ([expected_verdicts.<profile>]), else 1 listing the changes (what CI runs: a pinned FAIL stays a FAIL in the report).")
    var expectVerdicts = false

    func run() throws {
        try Self.verify(paper: paper, profile: profile, root: root, directory: logs, expectVerdicts: expectVerdicts,
                        readme: (readme ?? (logs == nil ? .update : .leave)).mode)
    }

    /// Prints the verdict table and ends with the verifier's exit status when it is not 0;
    /// with `expectVerdicts`, with 0 or 1 by whether the verdicts are the pinned ones.
    static func verify(
        paper: String, profile: String, root: String, directory: String?, expectVerdicts: Bool = false,
        readme: ReadmeResults.Mode = .leave
    ) throws {
        let outcome = try PaperVerification.run(paper: paper, profile: profile, root: root, directory: directory, readme: readme)
        print(outcome.report.terminalTable())
        for w in outcome.warnings { print("warning: \(w)") }
        print("report: \(outcome.reportURL.path)")
        let stale = outcome.readme == .stale
        switch outcome.readme {
        case .noSection: break
        case .current: print("\(outcome.readmePath): results of profile \(profile) as generated")
        case .updated: print("\(outcome.readmePath): results of profile \(profile) rewritten from these logs")
        case .stale:
            print("\(outcome.readmePath): its results of profile \(profile) are not what the verifier writes from these logs; `threefactor verify \(paper) --profile \(profile)` rewrites them")
        }
        guard expectVerdicts else {
            if outcome.report.exitCode != 0 { throw ExitCode(outcome.report.exitCode) }
            if stale { throw ExitCode(1) }
            return
        }
        guard let changes = outcome.unexpectedVerdicts else {
            throw UsageError("--expect-verdicts: \(root)/data/reference/\(paper).toml pins no verdicts for profile \(profile) ([expected_verdicts.\(profile)])")
        }
        if changes.isEmpty {
            print("verdicts as pinned in data/reference/\(paper).toml for profile \(profile)")
        } else {
            print("verdicts that changed from those pinned in data/reference/\(paper).toml for profile \(profile):")
            for c in changes { print("  \(c)") }
        }
        if stale || !changes.isEmpty { throw ExitCode(1) }
    }
}

/// `--readme`: what `verify` does with the README's results section.
enum ReadmeOption: String, ExpressibleByArgument, CaseIterable {
    case update, check, leave

    var mode: ReadmeResults.Mode {
        switch self {
        case .update: .update
        case .check: .check
        case .leave: .leave
        }
    }
}
