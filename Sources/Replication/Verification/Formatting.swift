import Foundation

/// Numbers as the report prints them: 4 significant digits, plain notation where it
/// reads well, exponent notation for very small or very large magnitudes.
func format(_ x: Double, digits: Int = 4) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded() && abs(x) < 1e9 { return String(Int(x)) }
    return String(format: "%.\(digits)g", x)
}

/// p-values: 3 significant digits; "< 1e-300" rather than 0.
func formatP(_ p: Double) -> String {
    if p == 0 { return "< 1e-300" }
    if p >= 0.001 { return String(format: "%.3f", p) }
    return String(format: "%.2e", p)
}

func formatInterval(_ low: Double, _ high: Double) -> String {
    "[\(format(low)), \(format(high))]"
}

func formatPercent(_ level: Double) -> String {
    let p = level * 100
    return p == p.rounded() ? "\(Int(p))%" : String(format: "%.1f%%", p)
}

/// Reference values keep the digits they were given with (6 significant digits).
func formatReference(_ x: Double) -> String { format(x, digits: 6) }

/// Text as one cell of a Markdown table: `|` escaped, line breaks as spaces.
func markdownCell(_ s: String) -> String {
    s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
}
