import Foundation

/// A plain-text table whose cells wrap at word boundaries to fit column widths.
struct TextTable {
    var headers: [String]
    /// Maximum width of every column (cells wrap beyond it).
    var maxWidths: [Int]
    var rows: [[String]] = []

    func render() -> String {
        let wrapped = rows.map { row in row.indices.map { wrap(row[$0], maxWidths[$0]) } }
        var widths = headers.map(\.count)
        for row in wrapped {
            for (i, lines) in row.enumerated() {
                widths[i] = max(widths[i], lines.map(\.count).max() ?? 0)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: " | ").trimmingTrailingSpaces()
        }
        var out = [line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")]
        for row in wrapped {
            let height = row.map(\.count).max() ?? 1
            for k in 0..<height {
                out.append(line(row.map { k < $0.count ? $0[k] : "" }))
            }
        }
        return out.joined(separator: "\n")
    }

    /// Greedy word wrap; a word longer than the width is split.
    func wrap(_ text: String, _ width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = String(word)
            while word.count > width {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(width)))
                word = String(word.dropFirst(width))
            }
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
