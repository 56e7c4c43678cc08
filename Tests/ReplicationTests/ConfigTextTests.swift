import Testing
import ThreeFactor
@testable import Replication

/// The configuration text stored in every run log reads back, through the TOML parser
/// that reads experiments files, as the configuration it was written from.
struct ConfigTextTests {
    static let awkward = [
        "plain", "", "say \"hi\"", #"C:\runs\new"#, "line one\nline two", "tab\there", "cr\rlf",
        "bell\u{07} del\u{7F} esc\u{1B} us\u{1F}", "ünïcødé — 漢字 🧠", "\\\"", "'single' \"\"\"triple\"\"\"",
    ]

    @Test(arguments: awkward)
    func stringsRoundTrip(_ s: String) throws {
        let spec = ExperimentSpec(
            id: s, kind: s, env: s,
            envOptions: Hyperparameters(["option": .string(s)]),
            rule: s,
            params: Hyperparameters([
                "name": .string(s), "names": .list([.string(s), .string("x"), .number(0.5)]),
                s.isEmpty ? "empty" : s: .integer(3),
                "rate": .number(1e-5), "flag": .bool(true),
            ]),
            units: 7, seeds: [0])
        let table = try ConfigFile.parse(spec.configText, file: "config")
        #expect(table["id"] == .value(.string(s)))
        #expect(table["kind"] == .value(.string(s)))
        #expect(table["env"] == .value(.string(s)))
        #expect(table["rule"] == .value(.string(s)))
        #expect(table["units"] == .value(.integer(7)))
        #expect(table["env_options"] == .table(["option": .value(.string(s))]))
        #expect(table["params"] == .table(spec.params.values.mapValues { .value($0) }))
    }

    /// Every control character is escaped, NUL included (which the TOML reader, passing
    /// strings through C, cannot read back).
    @Test func controlCharactersAreEscaped() {
        #expect(TOMLText.string("a\u{00}b\u{08}\u{0C}\r\u{1F}\u{7F}") == #""a\u0000b\b\f\r\u001F\u007F""#)
        #expect(TOMLText.key("learning_rate-2") == "learning_rate-2")
        #expect(TOMLText.key("a b") == #""a b""#)
    }
}
