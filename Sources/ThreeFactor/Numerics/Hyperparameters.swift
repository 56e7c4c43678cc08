/// A rule's or an experiment's settings, as read from a configuration file.
///
/// The core never parses files; the replication layer turns TOML into these values and
/// every rule reads its settings through the typed accessors, which name the key and the
/// expected type in their errors.
public enum ParameterValue: Equatable, Sendable, CustomStringConvertible {
    /// A real number (TOML float).
    case number(Double)
    /// An integer; accepted where a number is expected.
    case integer(Int)
    /// A boolean.
    case bool(Bool)
    /// A string.
    case string(String)
    /// An array, possibly of mixed element types (the reader checks them).
    case list([ParameterValue])

    /// The value as TOML would write it, e.g. `0.5`, `"adam"`, `[1, 2]`.
    public var description: String {
        switch self {
        case .number(let x): "\(x)"
        case .integer(let x): "\(x)"
        case .bool(let x): "\(x)"
        case .string(let x): "\"\(x)\""
        case .list(let xs): "[" + xs.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// The TOML name of the value's type, for "found ..." in errors.
    public var typeName: String {
        switch self {
        case .number: "float"
        case .integer: "integer"
        case .bool: "boolean"
        case .string: "string"
        case .list: "array"
        }
    }
}

/// A setting that is missing, of the wrong type or out of range; its `description` is the
/// one-line message for the user, naming the key.
public struct ParameterError: Error, CustomStringConvertible, Equatable {
    /// The key with its context, e.g. "experiments.cartpole.params.gamma".
    public let key: String
    /// What is wrong, e.g. "expected a number > 0, found -1".
    public let message: String
    /// An error about `key`.
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
    /// "key: message", on one line (see `oneLine(_:)`).
    public var description: String { oneLine("\(key): \(message)") }
}

/// `text` with every line break and other control character (except the tab) shown as an
/// escape (`\n`, `\r`, `\u{1B}`): error messages quote values from files and command lines,
/// and each message must stay one line whatever those values hold (found by fuzzing the
/// readers, issue 13).
public func oneLine(_ text: String) -> String {
    func needsEscape(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .control: c != "\t"
        case .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
    guard text.unicodeScalars.contains(where: needsEscape) else { return text }
    var out = ""
    for c in text.unicodeScalars {
        switch c {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case _ where needsEscape(c): out += "\\u{\(String(c.value, radix: 16, uppercase: true))}"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// Settings by key (a rule's `params`, an environment's `env_options`), with the context that
/// names them in error messages. Rules read them through a `ParameterTable`, which also checks
/// unknown keys and ranges; the accessors here serve the few readers without a table
/// (environment options).
public struct Hyperparameters: Equatable, Sendable {
    /// The values by key, as given.
    public var values: [String: ParameterValue]
    /// Prefix used in error messages, e.g. "experiments.cartpole.rule".
    public var context: String

    /// Settings with the context their error messages name them by.
    public init(_ values: [String: ParameterValue] = [:], context: String = "") {
        self.values = values
        self.context = context
    }

    func name(_ key: String) -> String { context.isEmpty ? key : "\(context).\(key)" }

    func require(_ key: String) throws -> ParameterValue {
        guard let v = values[key] else {
            throw ParameterError(key: name(key), message: "missing required value")
        }
        return v
    }

    func mismatch(_ key: String, _ expected: String, _ v: ParameterValue) -> ParameterError {
        ParameterError(key: name(key), message: "expected \(expected), found \(v.typeName) \(v)")
    }

    /// The number at `key` (an integer is converted); `default`, when given, is used for a
    /// missing key, else the key is required. Throws on a missing key or another type.
    public func double(_ key: String, default def: Double? = nil) throws -> Double {
        guard values[key] != nil || def == nil else { return def! }
        switch try require(key) {
        case .number(let x): return x
        case .integer(let x): return Double(x)
        case let v: throw mismatch(key, "a number", v)
        }
    }

    /// The integer at `key`; `default`, when given, is used for a missing key, else the key is
    /// required. Throws on a missing key or another type.
    public func int(_ key: String, default def: Int? = nil) throws -> Int {
        guard values[key] != nil || def == nil else { return def! }
        switch try require(key) {
        case .integer(let x): return x
        case let v: throw mismatch(key, "an integer", v)
        }
    }

    /// The boolean at `key`; `default`, when given, is used for a missing key, else the key is
    /// required. Throws on a missing key or another type.
    public func bool(_ key: String, default def: Bool? = nil) throws -> Bool {
        guard values[key] != nil || def == nil else { return def! }
        switch try require(key) {
        case .bool(let x): return x
        case let v: throw mismatch(key, "true or false", v)
        }
    }

    /// The string at `key`, one of `choices` when they are given; `default`, when given, is
    /// used for a missing key, else the key is required. Throws on a missing key, another type
    /// or a value outside the choices.
    public func string(_ key: String, default def: String? = nil, choices: [String]? = nil) throws -> String {
        guard values[key] != nil || def == nil else { return def! }
        switch try require(key) {
        case .string(let x):
            if let choices, !choices.contains(x) {
                throw ParameterError(key: name(key), message: "\"\(x)\" is not one of \(choices.joined(separator: ", "))")
            }
            return x
        case let v: throw mismatch(key, "a string", v)
        }
    }

    /// The array of numbers at `key` (integers converted), of length `count` when it is given;
    /// `default`, when given, is used for a missing key, else the key is required.
    public func doubles(_ key: String, count: Int? = nil, default def: [Double]? = nil) throws -> [Double] {
        guard values[key] != nil || def == nil else { return def! }
        let v = try require(key)
        guard case .list(let items) = v else { throw mismatch(key, "an array of numbers", v) }
        let xs = try items.map { item -> Double in
            switch item {
            case .number(let x): return x
            case .integer(let x): return Double(x)
            default: throw mismatch(key, "an array of numbers", v)
            }
        }
        if let count, xs.count != count {
            throw ParameterError(key: name(key), message: "expected \(count) values, found \(xs.count)")
        }
        return xs
    }

    /// The array of integers at `key`; `default`, when given, is used for a missing key, else
    /// the key is required.
    public func ints(_ key: String, default def: [Int]? = nil) throws -> [Int] {
        guard values[key] != nil || def == nil else { return def! }
        let v = try require(key)
        guard case .list(let items) = v else { throw mismatch(key, "an array of integers", v) }
        return try items.map { item -> Int in
            guard case .integer(let x) = item else { throw mismatch(key, "an array of integers", v) }
            return x
        }
    }

    /// Fails on keys the reader did not expect, so a typo in a config is an error rather
    /// than a silently ignored setting.
    public func rejectUnknownKeys(allowed: Set<String>) throws {
        for key in values.keys.sorted() where !allowed.contains(key) {
            throw ParameterError(
                key: name(key),
                message: "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }
}
