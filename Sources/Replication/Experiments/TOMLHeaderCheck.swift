/// The two TOML errors that TOMLKit's parser (toml++ 3.4) does not report but asserts on,
/// aborting the process (found by fuzzing the experiments and reference readers, issue 13): a
/// table header whose key starts with a character that cannot start a key, e.g. "[`a]" or
/// "[[ %b]]", a `}` where an array expects a value, e.g. "x = [}" or "x = [1, }", and a
/// date-time whose `T` is not followed by a digit, e.g. "x = 1979-05-27Tx". toml++
/// checks every other key and value start itself; this scan finds these first so that each
/// becomes one `ConfigError`.
///
/// The scan follows TOML's lexical structure only as far as needed to tell a header from a
/// `[` inside a string, a comment or a value (an array or inline table): a header is a `[`
/// that is the first non-blank character of a line outside any value. It only ever rejects
/// text that is not valid TOML.
enum TOMLHeaderCheck {
    /// The first such construct: its 1-based line and column, what was expected there and the
    /// character found; nil when there is none.
    static func badTableHeader(_ text: String) -> (line: Int, column: Int, expected: String, found: Unicode.Scalar)? {
        let s = Array(text.unicodeScalars)
        var i = 0, line = 1, lineStart = 0
        var open: [Unicode.Scalar] = [] // `[` and `{` of values still open
        var expectArrayValue = false // just after an array's `[` or `,`
        var expectValue = false // just after a key's `=`
        func isDigit(_ k: Int) -> Bool { k < s.count && ("0"..."9").contains(s[k]) }
        /// A date-time "YYYY-MM-DDT" at `k` whose time does not start with a digit: the column.
        func badDateTime(_ k: Int) -> Int? {
            guard k + 11 <= s.count, isDigit(k), isDigit(k + 1), isDigit(k + 2), isDigit(k + 3), s[k + 4] == "-",
                  isDigit(k + 5), isDigit(k + 6), s[k + 7] == "-", isDigit(k + 8), isDigit(k + 9),
                  s[k + 10] == "T" || s[k + 10] == "t", !isDigit(k + 11) else { return nil }
            return k + 11 - lineStart + 1
        }
        var atLineStart = true // only blanks so far on this line
        func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }
        func canStartKey(_ c: Unicode.Scalar) -> Bool {
            switch c {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-", "\"", "'": true
            default: false
            }
        }
        while i < s.count {
            let c = s[i]
            if expectValue || expectArrayValue, !isBlank(c), c != "\n", c != "\r", c != "#", let column = badDateTime(i) {
                return (line, column, "a time after the date's 'T'", i + 11 < s.count ? s[i + 11] : "T")
            }
            if !isBlank(c) { expectValue = false }
            switch c {
            case "\n":
                line += 1
                lineStart = i + 1
                atLineStart = true
                i += 1
                continue
            case " ", "\t":
                i += 1
                continue
            case "\u{FEFF}" where i == 0: // a byte-order mark
                i += 1
                lineStart = 1
                continue
            case "#": // a comment, to the end of the line
                while i < s.count, s[i] != "\n" { i += 1 }
                continue
            case "\r" where i + 1 < s.count && s[i + 1] == "\n":
                i += 1
                continue
            case "\"", "'":
                let escapes = c == "\""
                if i + 2 < s.count, s[i + 1] == c, s[i + 2] == c { // multi-line string
                    i += 3
                    while i < s.count {
                        if escapes, s[i] == "\\" { i += 2; continue }
                        if s[i] == "\n" { line += 1; lineStart = i + 1 }
                        if i + 2 < s.count, s[i] == c, s[i + 1] == c, s[i + 2] == c {
                            i += 3
                            // Up to two more quotes belong to the content: """a"""""
                            var extra = 0
                            while extra < 2, i < s.count, s[i] == c { i += 1; extra += 1 }
                            break
                        }
                        i += 1
                    }
                } else { // one-line string
                    i += 1
                    while i < s.count, s[i] != c, s[i] != "\n" {
                        if escapes, s[i] == "\\", i + 1 < s.count, s[i + 1] != "\n" { i += 1 }
                        i += 1
                    }
                    if i < s.count, s[i] == c { i += 1 }
                }
                atLineStart = false
                expectArrayValue = false
                continue
            case "[" where atLineStart && open.isEmpty: // a table header
                var j = i + 1
                while j < s.count, isBlank(s[j]) { j += 1 }
                if j < s.count, s[j] == "[" {
                    j += 1
                    while j < s.count, isBlank(s[j]) { j += 1 }
                }
                if j < s.count, s[j] != "]", !canStartKey(s[j]) {
                    return (line, j - lineStart + 1, "a key in the table header", s[j])
                }
                i = j
                atLineStart = false
                continue
            case "}" where expectArrayValue && open.last == "[":
                return (line, i - lineStart + 1, "a value in the array", c)
            case "[", "{":
                open.append(c)
                atLineStart = false
                expectArrayValue = c == "["
                i += 1
                continue
            case "]", "}":
                _ = open.popLast()
            case "=":
                atLineStart = false
                expectArrayValue = false
                expectValue = true
                i += 1
                continue
            case "," where open.last == "[":
                atLineStart = false
                expectArrayValue = true
                i += 1
                continue
            default:
                break
            }
            atLineStart = false
            expectArrayValue = false
            i += 1
        }
        return nil
    }
}
