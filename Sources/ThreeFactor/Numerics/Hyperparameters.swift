/// A rule's or an experiment's settings, as read from a configuration file.
///
/// The core never parses files; the replication layer turns TOML into these values and
/// every rule reads its settings through the typed accessors, which name the key and the
/// expected type in their errors.
public enum ParameterValue: Equatable, Sendable, CustomStringConvertible {
    case number(Double)
    case integer(Int)
    case bool(Bool)
    case string(String)
    case list([ParameterValue])

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

public struct ParameterError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let message: String
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
    public var description: String { "\(key): \(message)" }
}

public struct Hyperparameters: Equatable, Sendable {
    public var values: [String: ParameterValue]
    /// Prefix used in error messages, e.g. "experiments.cartpole.rule".
    public var context: String

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

    public func double(_ key: String, default def: Double? = nil) throws -> Double {
        guard values[key] != nil || def == nil else { return def! }
        switch try require(key) {
        case .number(let x): return x
        case .integer(let x): return Double(x)
        case let v: throw mismatch(key, "a number", v)
        }
    }

    public func int(_ key: String, default def: Int? = nil) throws -> Int {
        guard values[key] != nil || def == nil else { return def! }
        switch try require(key) {
        case .integer(let x): return x
        case let v: throw mismatch(key, "an integer", v)
        }
    }

    public func bool(_ key: String, default def: Bool? = nil) throws -> Bool {
        guard values[key] != nil || def == nil else { return def! }
        switch try require(key) {
        case .bool(let x): return x
        case let v: throw mismatch(key, "true or false", v)
        }
    }

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
