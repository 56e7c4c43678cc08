import Foundation
import Testing
@testable import Replication

/// Names that become file names, and sizes, from experiment files and the command line
/// (issue 13): each hostile value is one error naming the file and the key (or the
/// argument), found before anything is allocated or written.
@Suite struct HostileInputTests {
    static let base = """
        paper = "demo"
        [profiles]
        full = "all"
        quick = "some"
        [[experiments]]
        id = "tiny"
        env = "CartPole-v1"
        rule = "reinforce-team"
        units = 2
        seeds = [0]
        """

    func load(_ text: String) throws -> PaperExperiments {
        let dir = Scratch.directory("hostile-input")
        let path = "\(dir)/experiments.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try PaperExperiments.load(path)
    }

    @Test(arguments: [
        // (replace this line of the base file, with this, expected key, expected message)
        ("id = \"tiny\"", "id = \"../../x\"", "id", "\"../../x\" is not a valid name"),
        ("id = \"tiny\"", "id = \"\"", "id", "\"\" is not a valid name"),
        ("id = \"tiny\"", "id = \".hidden\"", "id", "is not a valid name"),
        ("id = \"tiny\"", "id = \"a/b\"", "id", "is not a valid name"),
        ("paper = \"demo\"", "paper = \"../demo\"", "paper", "is not a valid name"),
        ("quick = \"some\"", "\"../q\" = \"some\"", "profiles.../q", "is not a valid name"),
        ("units = 2", "units = 0", "units", "must be between 1 and 1000000000, found 0"),
        ("units = 2", "units = 9223372036854775807", "units", "must be between 1 and 1000000000"),
        ("seeds = [0]", "seeds = \"0..9223372036854775807\"", "seeds", "larger than the largest seed, 4294967295"),
        ("seeds = [0]", "seeds = \"0..99999999\"", "seeds", "more than 10000 seeds"),
        ("seeds = [0]", "seeds = \"9223372036854775806..9223372036854775807\"", "seeds", "larger than the largest seed"),
        ("seeds = [0]", "seeds = [4294967296]", "seeds", "seed 4294967296 is larger than the largest seed"),
        ("seeds = [0]", "seeds = [0]\n[experiments.profiles.quick]\nunits = -5", "profiles.quick.units",
         "must be between 1 and 1000000000, found -5"),
        ("seeds = [0]", "seeds = [0]\n[experiments.params]\nhidden = [100000000, 32]", "params.hidden",
         "expected an array of integers [1, 4096], found"),
        ("seeds = [0]", "seeds = [0]\n[experiments.params]\nhidden = [\(Array(repeating: "8", count: 65).joined(separator: ", "))]",
         "params.hidden", "expected at most 64 values, found 65"),
    ])
    func hostileValueIsOneErrorNamingTheKey(line: String, replacement: String, key: String, message: String) throws {
        let text = Self.base.replacingOccurrences(of: line, with: replacement)
        #expect(text != Self.base)
        // A ConfigError, or a ParameterError for a rule's hyperparameter: either way one line
        // "<file>: ...<key>...: <message>".
        let error = #expect(throws: (any Error).self) { try load(text) }
        let line = error.map { "\($0)" } ?? ""
        #expect(line.contains("experiments.toml: "), "\(line)")
        #expect(line.contains(key), "\(line)")
        #expect(line.contains(message), "\(line)")
        #expect(!line.contains("\n"))
    }

    /// A bootstrap of absurdly many resamples in a reference file is refused by key.
    @Test func tooManyBootstrapResamplesAreRefused() {
        let text = """
            paper = "demo"
            [[checks]]
            id = "band"
            description = "d"
            experiments = ["tiny"]
            profiles = ["full"]
            provenance = "claim in abstract"
            source = "s"
              [checks.metric]
              kind = "mean"
              series = "episode_return"
              [checks.comparison]
              kind = "band"
              statistic = "mean"
              low = 1
              resamples = 9223372036854775807
            """
        let error = #expect(throws: ConfigError.self) { try ReferenceFile.parse(text, file: "demo.toml") }
        #expect(error?.key == "comparison.resamples")
        #expect(error?.message == "must be at most 1000000, found 9223372036854775807")
    }

    @Test func seedRangesAtTheLimits() throws {
        #expect(try SeedRange.parse("0..9999").count == Limits.maxSeeds)
        #expect(throws: SeedRange.Error.self) { try SeedRange.parse("0..10000") }
        #expect(throws: SeedRange.Error.self) { try SeedRange.parse("0..9998,20000,20001") }
        #expect(try SeedRange.parse("4294967295") == [4_294_967_295])
        #expect(throws: SeedRange.Error.self) { try SeedRange.parse("0..\(Int.max)") }
        #expect(throws: SeedRange.Error.self) { try SeedRange.parse("99999999999999999999") }
    }

    @Test func validNamesAreAccepted() {
        for name in ["cartpole-nrl", "MountainCar_v0", "a.b", "x1"] { #expect(Limits.checkName(name) == nil, "\(name)") }
    }

    /// The progress display's total does not overflow and is never printed negative.
    @Test func progressTotalOfAHugeBudgetIsPositive() {
        let progress = ConsoleProgress(isTerminal: false)
        let spec = ExperimentSpec(id: "huge", kind: "test", env: nil, rule: "random-walk", units: Limits.maxUnits,
                                  seeds: Array(0..<Limits.maxSeeds))
        progress.register(request: 0, experiment: spec)
        progress.seedStarted(request: 0, seed: 0, unitsDone: 3)
        let line = progress.summaryLines().joined()
        #expect(line.contains("units 3/10000000000000"), "\(line)")
    }

    // MARK: Found by fuzzing the readers (`make fuzz`, Fuzz/); each input is in Fuzz/corpus.

    static let fuzzCorpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    /// A table header whose key starts with a character no key may start with made TOMLKit's
    /// parser (toml++) assert and abort the process; it is one error naming the file, the line
    /// and the column.
    @Test(arguments: [
        ("[`experiments.profiles.quick]", 11, 2, "`"),
        ("[[ %experiments]]", 11, 4, "%"),
        ("  [ \u{1}a]", 11, 5, "\\u{1}"),
    ])
    func tableHeaderWithABadKeyIsOneError(header: String, line: Int, column: Int, found: String) throws {
        let text = Self.base + "\n" + header + "\nunits = 1\n"
        let error = #expect(throws: ConfigError.self) { try load(text) }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.hasSuffix(
            "experiments.toml: not valid TOML at line \(line), column \(column): expected a key in the table header, found '\(found)'"),
            "\(message)")
        #expect(!message.contains("\n"))
    }

    /// The two crashing inputs the fuzzer found, as files: an experiments file and a reference file.
    @Test func fuzzedTableHeadersAreOneErrorEach() throws {
        let experiments = Self.fuzzCorpus.appendingPathComponent("experiments/crash-table-header-backtick.toml").path
        let e = #expect(throws: ConfigError.self) { try PaperExperiments.load(experiments) }
        #expect(e?.description == "\(experiments): not valid TOML at line 17, column 2: expected a key in the table header, found '`'")
        let reference = try String(contentsOf: Self.fuzzCorpus.appendingPathComponent("reference/crash-table-header-tilde.toml"), encoding: .utf8)
        let r = #expect(throws: ConfigError.self) { try ReferenceFile.parse(reference, file: "demo.toml") }
        #expect(r?.description == "demo.toml: not valid TOML at line 2, column 2: expected a key in the table header, found '~'")
    }

    /// The header check knows strings, comments and values: `[` inside them is no header.
    @Test func bracketsInsideStringsCommentsAndValuesAreNoHeaders() throws {
        let text = #"""
            a = """
            [`not a header]
            """
            b = [
              [1, 2],
              [ +3 ],
              ['x'],
            ]
            c = '[`x]' # [`y]
            d = "\"[`z]\""
            e = """x""\#u{22}\#u{22}"
            [ "quoted key" ]
            f = { g = [ { h = 1 } ] }
            [[ t ]]
            i = 1
            """#
        let table = try ConfigFile.parse(text, file: "tricky.toml")
        #expect(table["a"] == .value(.string("[`not a header]\n")))
        #expect(table["e"] == .value(.string(#"x"""#)))
        #expect(table.keys.sorted() == ["a", "b", "c", "d", "e", "quoted key", "t"])
    }

    /// Values quoted in messages are escaped: a line break in a string of the file cannot
    /// split the one-line error.
    @Test func lineBreaksInQuotedValuesAreEscaped() throws {
        let text = Self.base.replacingOccurrences(of: "id = \"tiny\"", with: #"id = "a\r\nb\u2028c""#)
        let error = #expect(throws: ConfigError.self) { try load(text) }
        let line = error.map { "\($0)" } ?? ""
        #expect(line.contains(#"experiments.toml: key "experiments[0].id": "a\r\nb\u{2028}c" is not a valid name: "#), "\(line)")
        #expect(!line.unicodeScalars.contains { $0 == "\n" || $0 == "\r" || $0 == "\u{2028}" })
    }

    /// `env replay`: the fuzzer's --state with a NUL and a carriage return, and an actions line
    /// with an escape sequence, are quoted escaped in one line.
    @Test func replayErrorsQuoteControlCharactersEscaped() throws {
        let state = #expect(throws: EnvReplayError.self) {
            try EnvReplay.replay(id: "MountainCarContinuous-v0", state: "\u{0}51e-\r2,", actions: "")
        }
        #expect(state?.description ==
            #"--state: position = "\u{0}51e-\r2" is not a finite number; expected 2 comma-separated numbers position,velocity"#)
        let actions = #expect(throws: EnvReplayError.self) {
            try EnvReplay.replay(id: "CartPole-v1", state: nil, actions: "1\u{1B}[2J\n")
        }
        #expect(actions?.description == #"actions line 1: "1\u{1B}[2J" is not an integer; expected an integer in 0...1"#)
        let bytes = try Data(contentsOf: Self.fuzzCorpus.appendingPathComponent("actions/crash-state-carriage-return"))
        #expect(bytes.prefix(2) == Data([0x0C, 0x2F]))
    }

    /// A key holding an escaped NUL reached TOMLKit's C interface cut at the NUL, was not found
    /// under the cut name, and a force-unwrap trapped; it is one error naming the key.
    @Test func aKeyWithANulIsOneError() throws {
        let top = #expect(throws: ConfigError.self) { try ConfigFile.parse(#""a\u0000b" = 1"#, file: "nul.toml") }
        #expect(top?.description == #"nul.toml: key "a": keys may not hold the character U+0000 (the key is cut there)"#)
        let nested = #expect(throws: ConfigError.self) {
            try ReferenceFile.parse("paper = \"demo\"\n[[checks]]\n\"\\u0000\" = 1\n", file: "demo.toml")
        }
        #expect(nested?.description == #"demo.toml: key "checks[0].": keys may not hold the character U+0000 (the key is cut there)"#)
    }

    /// `env replay --state` with velocities far outside what the dynamics reach: Acrobot's
    /// Runge–Kutta step blew the angles up to infinity and Gymnasium's wrap (subtract 2π until
    /// in range) never ended; the fuzzer's input (Fuzz/corpus/actions/timeout-acrobot-wrap) hung
    /// for good. A far-out angle is now reduced in one step; every replay ends.
    @Test func replaysFromBlownUpStatesEnd() throws {
        let acrobot = try EnvReplay.replay(id: "Acrobot-v1", state: "0.01,0100,-02022,001", actions: "0\n1\n")
        #expect(acrobot.count == 2)
        let huge = try EnvReplay.replay(id: "Acrobot-v1", state: "1e300,-1e300,0,0", actions: "1\n")
        #expect(huge.count == 1)
        let follower = try EnvReplay.replay(id: "LineFollower-v0", state: "500,500,1e300,0,0,1e300,0,0", actions: "0,0\n0,0\n")
        #expect(follower.count == 2)
    }

    /// A `}` where an array expects a value made toml++ assert and abort the process, as the
    /// bad table header did (the fuzzer's input: Fuzz/corpus/experiments/crash-array-closing-brace.toml).
    @Test func aClosingBraceWhereAnArrayExpectsAValueIsOneError() throws {
        for (text, column) in [("x = [}", 6), ("x = [1, }", 9), ("x = [ { a = 1 },\n  # c\n}", 1)] {
            let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, file: "a.toml") }
            let line = text.split(separator: "\n").count
            #expect(error?.description == "a.toml: not valid TOML at line \(line), column \(column): expected a value in the array, found '}'")
        }
        let fuzzed = Self.fuzzCorpus.appendingPathComponent("experiments/crash-array-closing-brace.toml").path
        let e = #expect(throws: ConfigError.self) { try PaperExperiments.load(fuzzed) }
        #expect(e?.description == "\(fuzzed): not valid TOML at line 16, column 15: expected a value in the array, found '}'")
    }

    /// A date-time whose `T` is not followed by a digit made toml++ assert and abort the
    /// process (the fuzzer's input: Fuzz/corpus/reference/crash-date-time-without-time.toml).
    @Test func aDateTimeWithoutItsTimeIsOneError() throws {
        for (text, column, found) in [("x = 1979-05-27Tx", 16, "x"), ("x = [1, 1979-05-27t ]", 20, " ")] {
            let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, file: "a.toml") }
            #expect(error?.description == "a.toml: not valid TOML at line 1, column \(column): expected a time after the date's 'T', found '\(found)'")
        }
        // A whole date-time, and a bare key that looks like one, are fine.
        let table = try ConfigFile.parse("1979-05-27Tx = 1\ny = \"1979-05-27Tz\"", file: "a.toml")
        #expect(table["1979-05-27Tx"] == .value(.integer(1)))
        let fuzzed = try String(contentsOf: Self.fuzzCorpus.appendingPathComponent("reference/crash-date-time-without-time.toml"), encoding: .utf8)
        let e = #expect(throws: ConfigError.self) { try ReferenceFile.parse(fuzzed, file: "demo.toml") }
        #expect(e?.description == "demo.toml: not valid TOML at line 1, column 20: expected a time after the date's 'T', found 'c'")
    }
}
