import ThreeFactor

/// The catalog as text, for `threefactor list` and `threefactor describe`: everything is
/// read from the catalog's entries and the rules' parameter tables, so what is printed is
/// what the parser accepts.
public enum CatalogText {
    /// Every rule, task and experiment kind, one line each.
    public static func list() -> String {
        func line(_ name: String, _ text: String) -> String { "  " + name.padding(toLength: 28, withPad: " ", startingAt: 0) + " " + text }
        var lines = ["rules (threefactor describe <rule> for the hyperparameters):"]
        for r in Catalog.rules {
            lines.append(line(r.name, "[\(r.implementations.map(\.kind).joined(separator: ", "))] \(r.summary)"))
        }
        lines.append("tasks:")
        for t in Catalog.tasks { lines.append(line(t.id, "[\(t.kind)] \(t.actionSpace)  \(t.summary)")) }
        lines.append("experiment kinds:")
        for k in Catalog.kinds {
            lines.append(line(k.name, "\(k.summary); unit: \(k.unit); headline series: \(k.headlineSeries.name)"))
        }
        return lines.joined(separator: "\n")
    }

    /// One rule in full: summary, citation, equations and, per experiment kind, the action
    /// spaces it acts on and its hyperparameter table.
    public static func describe(rule name: String) throws -> String {
        guard let rule = Catalog.rule(name) else {
            throw CatalogError.unknownRule(name, valid: Catalog.rules.map(\.name))
        }
        var lines = [
            "\(rule.name): \(rule.summary)",
            "citation:  \(rule.citation)",
            "equations: \(rule.equations)",
        ]
        for i in rule.implementations {
            let spaces = ActionSpace.Kind.allCases.filter { i.actionSpaces.contains($0) }.map(\.rawValue)
            let tasks = Catalog.tasks.filter { $0.kind == i.kind && i.actionSpaces.contains($0.actionSpace.kind) }.map(\.id)
            lines.append("")
            lines.append("kind \(i.kind): \(spaces.joined(separator: " and ")) actions; tasks: \(tasks.joined(separator: ", "))")
            lines.append(contentsOf: table(i.parameters))
        }
        return lines.joined(separator: "\n")
    }

    /// A parameter table as aligned text columns: key, type, default, range and unit, meaning.
    public static func table(_ parameters: ParameterTable) -> [String] {
        let header = ["key", "type", "default", "range / unit", "meaning"]
        let rows = parameters.entries.map { p -> [String] in
            let range = p.range == .any ? "" : p.range.description
            let rangeAndUnit = [range, p.unit].filter { !$0.isEmpty }.joined(separator: ", ")
            return [p.key, p.type.description, p.defaultValue.description, rangeAndUnit, p.meaning]
        }
        guard !rows.isEmpty else { return ["  (no hyperparameters)"] }
        let widths = (0..<4).map { c in ([header] + rows).map { $0[c].count }.max()! }
        return ([header] + rows).map { row in
            "  " + (0..<4).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                + "  " + row[4]
        }
    }

    /// A parameter table as a Markdown table (for documentation).
    public static func markdownTable(_ parameters: ParameterTable) -> String {
        var lines = ["| key | type | default | range / unit | meaning |", "|---|---|---|---|---|"]
        for p in parameters.entries {
            let range = p.range == .any ? "" : p.range.description
            let rangeAndUnit = [range, p.unit].filter { !$0.isEmpty }.joined(separator: ", ")
            lines.append("| `\(p.key)` | \(p.type.description) | \(p.defaultValue.description) | \(rangeAndUnit) | \(p.meaning) |")
        }
        return lines.joined(separator: "\n")
    }
}
