import ThreeFactor

/// Values and keys written as TOML text (the configuration stored in every run log), so
/// that any string a configuration holds reads back as the same string.
enum TOMLText {
    /// A basic string: quotes, backslashes and control characters escaped as the TOML
    /// specification requires; every other character, non-ASCII included, as it is.
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\u{0C}": out += "\\f"
            case "\r": out += "\\r"
            case "\u{00}"..."\u{1F}", "\u{7F}":
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A key: bare when the specification allows it (letters, digits, `_`, `-`), else quoted.
    static func key(_ k: String) -> String {
        let bare = !k.isEmpty && k.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        return bare ? k : string(k)
    }

    /// A value; numbers, integers and booleans print as Swift prints them, which is valid
    /// TOML (`inf` and `nan` included).
    static func value(_ v: ParameterValue) -> String {
        switch v {
        case .string(let s): string(s)
        case .list(let xs): "[" + xs.map(value).joined(separator: ", ") + "]"
        case .number, .integer, .bool: v.description
        }
    }
}
