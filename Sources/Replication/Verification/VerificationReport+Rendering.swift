import Foundation

extension VerificationReport {
    /// The verdict table for a terminal: one row per check (cells wrap), then the notes
    /// of every check that has any, then the summary line.
    public func terminalTable() -> String {
        var table = TextTable(
            headers: ["Verdict", "Check", "Metric", "Reference", "Ours", "Test"],
            maxWidths: [7, 30, 24, 28, 34, 40])
        for r in results {
            table.rows.append([r.verdict.rawValue, r.id, r.metric, r.reference, r.ours, r.test])
        }
        var out = "Verification of \(paper), profile \(profile)\n\n" + table.render() + "\n"
        let withNotes = results.filter { !$0.notes.isEmpty }
        if !withNotes.isEmpty {
            out += "\nNotes:\n"
            for r in withNotes {
                for note in r.notes { out += "  [\(r.id)] \(note)\n" }
            }
        }
        out += authorsCodeText(markdown: false)
        out += "\n" + summaryLine + "\n"
        return out
    }

    /// Each check held against the authors' code: the one-line reading, then the three
    /// comparisons with their tests and the runs' provenance. Empty when no check names the
    /// authors' code.
    func authorsCodeText(markdown: Bool) -> String {
        let compared = results.filter { $0.authors != nil }
        guard !compared.isEmpty else { return "" }
        var out = markdown
            ? "\n### Against the authors' code, re-run\n\n"
            : "\nAgainst the authors' code, re-run (exit code + 4 when ours is not shown equivalent):\n"
        for r in compared {
            let a = r.authors!
            let lines = [
                "authors' code vs the paper: \(a.paper.rawValue) — \(a.paperText)",
                "ours vs the authors' code: \(a.replication.rawValue) — \(a.replicationText)",
                "learning curves: \(a.curves?.rawValue ?? "—") — \(a.curvesText)",
                "runs: \(a.source)",
            ]
            if markdown {
                out += "- `\(r.id)`: **\(a.reading)**\n" + lines.map { "  - \($0)\n" }.joined()
            } else {
                out += "  [\(r.id)] \(a.reading)\n" + lines.map { "      \($0)\n" }.joined()
            }
        }
        return out
    }

    /// The verdict table in Markdown, followed by each check's description, provenance,
    /// source and notes, and (optionally) the summary line.
    public func markdownTable(includeSummary: Bool = true) -> String {
        var out = "| Verdict | Check | Provenance | Metric | Reference | Ours | Test |\n"
        out += "|---|---|---|---|---|---|---|\n"
        for r in results {
            let verdict = r.verdict == .pass ? "PASS" : "**\(r.verdict.rawValue)**"
            out += "| \(verdict) | `\(markdownCell(r.id))` | \(markdownCell(r.provenance.rawValue)) | \(markdownCell(r.metric)) | \(markdownCell(r.reference)) | \(markdownCell(r.ours)) | \(markdownCell(r.test)) |\n"
        }
        out += "\n"
        for r in results {
            out += "- `\(r.id)` (\(r.experiments.joined(separator: ", "))): \(markdownCell(r.description)). "
            out += "Source (\(r.provenance.rawValue)): \(markdownCell(r.source)).\n"
            for note in r.notes { out += "  - \(note)\n" }
        }
        out += authorsCodeText(markdown: true)
        if includeSummary { out += "\n" + summaryLine + "\n" }
        return out
    }
}
