/// The hyperparameters a rule (or a loop) accepts, declared once: each key with its type,
/// default, admissible range, unit and meaning. Parsing, validation, `threefactor describe`
/// and the documentation all read this one declaration, so a default is written in one
/// place only.
///
///     static let parameters = ParameterTable([
///         .number("gamma", default: 0.98, range: .unitInterval, "discount rate"),
///         .integer("map_grad_ascent_steps", default: 20, range: .nonNegative, "MAP ascent steps per step"),
///     ])
///     let p = try parameters.read(hyperparameters)   // unknown keys, types and ranges checked
///     let gamma = try p.double("gamma")
public struct ParameterTable: Sendable {
    /// The declarations, in the order `describe` lists them; keys are unique.
    public let entries: [ParameterSpec]

    /// A table of the given declarations; declaring a key twice is a programming error.
    public init(_ entries: [ParameterSpec]) {
        var seen = Set<String>()
        for e in entries { precondition(seen.insert(e.key).inserted, "parameter \(e.key) declared twice") }
        self.entries = entries
    }

    /// The union of several tables (e.g. a loop's keys and its rule's keys), in order.
    public init(_ tables: ParameterTable...) {
        self.init(tables.flatMap(\.entries))
    }

    /// The declared keys, in order.
    public var keys: [String] { entries.map(\.key) }

    /// The declaration of `key`, or nil when the table has none.
    public func spec(_ key: String) -> ParameterSpec? { entries.first { $0.key == key } }

    /// Checks the given values against the table — no unknown key, every value of its
    /// declared type and within its range — and returns them with the table's defaults.
    public func read(_ values: Hyperparameters) throws -> ParameterValues {
        try values.rejectUnknownKeys(allowed: Set(keys))
        for spec in entries {
            guard let v = values.values[spec.key] else { continue }
            try spec.check(v, name: values.name(spec.key))
        }
        return ParameterValues(table: self, given: values)
    }
}

/// One hyperparameter's declaration.
public struct ParameterSpec: Sendable {
    /// The type of a parameter's value, as written in an experiment file.
    public enum ValueType: Sendable, Equatable {
        /// A finite number (an integer is accepted too); an integer; true or false.
        case number, integer, boolean
        /// A string; when `choices` is not empty, one of them.
        case string(choices: [String])
        /// An array of finite numbers (integers accepted); an array of integers.
        case numbers, integers

        /// The type as `describe` shows it, e.g. "array of numbers" or "\"adam\" | \"sgd\"".
        public var description: String {
            switch self {
            case .number: "number"
            case .integer: "integer"
            case .boolean: "boolean"
            case .string(let choices): choices.isEmpty ? "string" : choices.map { "\"\($0)\"" }.joined(separator: " | ")
            case .numbers: "array of numbers"
            case .integers: "array of integers"
            }
        }
    }

    /// Where the default comes from.
    public enum Default: Sendable, Equatable {
        /// No default: the key must be given.
        case required
        /// The default written in the declaration.
        case value(ParameterValue)
        /// Computed by the rule from the task or other settings; the text says how.
        case derived(String)

        /// The default as `describe` shows it: the value, "(required)" or the derivation's
        /// text.
        public var description: String {
            switch self {
            case .required: "(required)"
            case .value(let v): v.description
            case .derived(let text): text
            }
        }
    }

    /// The key in an experiment file's `params` table or in `--param key=value`.
    public let key: String
    /// The type the value must have.
    public let type: ValueType
    /// The value used when the experiment does not give one.
    public let defaultValue: Default
    /// Applies to a number or an integer, and to every element of an array.
    public let range: ParameterRange
    /// The physical or logical unit, e.g. "steps", "units per layer"; empty when none.
    public let unit: String
    /// One line: what the parameter does.
    public let meaning: String

    /// A declaration; the static constructors (`number`, `integer`, ...) are shorter to read in
    /// a table.
    public init(key: String, type: ValueType, defaultValue: Default, range: ParameterRange = .any, unit: String = "", meaning: String) {
        self.key = key
        self.type = type
        self.defaultValue = defaultValue
        self.range = range
        self.unit = unit
        self.meaning = meaning
    }

    /// A number; `default` nil makes the key required.
    public static func number(_ key: String, default d: Double?, range: ParameterRange = .any, unit: String = "", _ meaning: String) -> Self {
        Self(key: key, type: .number, defaultValue: d.map { .value(.number($0)) } ?? .required, range: range, unit: unit, meaning: meaning)
    }
    /// An integer; `default` nil makes the key required.
    public static func integer(_ key: String, default d: Int?, range: ParameterRange = .any, unit: String = "", _ meaning: String) -> Self {
        Self(key: key, type: .integer, defaultValue: d.map { .value(.integer($0)) } ?? .required, range: range, unit: unit, meaning: meaning)
    }
    /// A boolean; `default` nil makes the key required.
    public static func boolean(_ key: String, default d: Bool?, _ meaning: String) -> Self {
        Self(key: key, type: .boolean, defaultValue: d.map { .value(.bool($0)) } ?? .required, meaning: meaning)
    }
    /// A string, restricted to `choices` when they are given; `default` nil makes the key
    /// required.
    public static func string(_ key: String, default d: String?, choices: [String] = [], _ meaning: String) -> Self {
        Self(key: key, type: .string(choices: choices), defaultValue: d.map { .value(.string($0)) } ?? .required, meaning: meaning)
    }
    /// An array of numbers; `range` applies to every element; `default` nil makes the key
    /// required.
    public static func numbers(_ key: String, default d: [Double]?, range: ParameterRange = .any, unit: String = "", _ meaning: String) -> Self {
        Self(key: key, type: .numbers, defaultValue: d.map { .value(.list($0.map { .number($0) })) } ?? .required, range: range, unit: unit, meaning: meaning)
    }
    /// An array of integers; `range` applies to every element; `default` nil makes the key
    /// required.
    public static func integers(_ key: String, default d: [Int]?, range: ParameterRange = .any, unit: String = "", _ meaning: String) -> Self {
        Self(key: key, type: .integers, defaultValue: d.map { .value(.list($0.map { .integer($0) })) } ?? .required, range: range, unit: unit, meaning: meaning)
    }
    /// A parameter whose default the rule computes (from the task or other settings).
    public static func derived(_ key: String, _ type: ValueType, default text: String, range: ParameterRange = .any, unit: String = "", _ meaning: String) -> Self {
        Self(key: key, type: type, defaultValue: .derived(text), range: range, unit: unit, meaning: meaning)
    }

    /// The longest array a parameter may hold (e.g. layers per network): 64.
    public static let maxListLength = 64

    func check(_ v: ParameterValue, name: String) throws {
        func mismatch() -> ParameterError {
            ParameterError(key: name, message: "expected \(expectedText), found \(v.typeName) \(v)")
        }
        func checkRange(_ x: Double) throws {
            guard range.contains(x) else {
                throw ParameterError(key: name, message: "expected \(expectedText), found \(v)")
            }
        }
        if case .list(let items) = v, items.count > Self.maxListLength {
            throw ParameterError(key: name, message: "expected at most \(Self.maxListLength) values, found \(items.count)")
        }
        switch (type, v) {
        case (.number, .number(let x)): try checkRange(x)
        case (.number, .integer(let x)): try checkRange(Double(x))
        case (.integer, .integer(let x)): try checkRange(Double(x))
        case (.boolean, .bool): break
        case (.string(let choices), .string(let s)):
            if !choices.isEmpty, !choices.contains(s) {
                throw ParameterError(key: name, message: "\"\(s)\" is not one of \(choices.joined(separator: ", "))")
            }
        case (.numbers, .list(let items)):
            for item in items {
                switch item {
                case .number(let x): try checkRange(x)
                case .integer(let x): try checkRange(Double(x))
                default: throw mismatch()
                }
            }
        case (.integers, .list(let items)):
            for item in items {
                guard case .integer(let x) = item else { throw mismatch() }
                try checkRange(Double(x))
            }
        default: throw mismatch()
        }
    }

    /// "a number > 0", "an array of integers >= 1", ...
    var expectedText: String {
        let article: String
        switch type {
        case .number: article = "a finite number"
        case .integer: article = "an integer"
        case .boolean: return "true or false"
        case .string: return "a string"
        case .numbers: article = "an array of finite numbers"
        case .integers: article = "an array of integers"
        }
        return range.isUnbounded ? article : "\(article) \(range)"
    }
}

/// The admissible values of a numeric parameter. Every bound also excludes NaN and, for
/// numbers, infinities: a setting that is not finite is never meaningful.
public struct ParameterRange: Sendable, Equatable, CustomStringConvertible {
    /// The lower bound; nil for none.
    public var lower: Double?
    /// Whether the lower bound itself is admissible.
    public var lowerIncluded: Bool
    /// The upper bound; nil for none.
    public var upper: Double?
    /// Whether the upper bound itself is admissible.
    public var upperIncluded: Bool

    /// A range with the given bounds; without bounds, any finite value.
    public init(lower: Double? = nil, lowerIncluded: Bool = true, upper: Double? = nil, upperIncluded: Bool = true) {
        self.lower = lower
        self.lowerIncluded = lowerIncluded
        self.upper = upper
        self.upperIncluded = upperIncluded
    }

    /// Any finite value.
    public static let any = ParameterRange()
    /// Any value above 0 (`> 0`).
    public static let positive = ParameterRange(lower: 0, lowerIncluded: false)
    /// Any value at or above 0 (`>= 0`).
    public static let nonNegative = ParameterRange(lower: 0)
    /// Any value from 0 to 1, both included (`[0, 1]`).
    public static let unitInterval = ParameterRange(lower: 0, upper: 1)
    /// Any value at or above `x` (`>= x`).
    public static func atLeast(_ x: Double) -> Self { ParameterRange(lower: x) }
    /// Any value above `x` (`> x`).
    public static func above(_ x: Double) -> Self { ParameterRange(lower: x, lowerIncluded: false) }
    /// Any value from `a` to `b`, both included (`[a, b]`).
    public static func closed(_ a: Double, _ b: Double) -> Self { ParameterRange(lower: a, upper: b) }
    /// Any value above `a` up to `b` included (`(a, b]`).
    public static func leftOpen(_ a: Double, _ b: Double) -> Self { ParameterRange(lower: a, lowerIncluded: false, upper: b) }

    /// A layer width or a count of filters: 1 to 4096 (a network of such layers still fits in
    /// memory; an absurd width is an error naming the key, not an abort in the allocator).
    public static let width = ParameterRange(lower: 1, upper: 4096)
    /// A batch size or a number of control steps per unit: 1 to 65536.
    public static let batch = ParameterRange(lower: 1, upper: 65_536)

    var isUnbounded: Bool { lower == nil && upper == nil }

    /// Whether `x` is finite and within the bounds.
    public func contains(_ x: Double) -> Bool {
        guard x.isFinite else { return false }
        if let lower, lowerIncluded ? x < lower : x <= lower { return false }
        if let upper, upperIncluded ? x > upper : x >= upper { return false }
        return true
    }

    /// The range as `describe` and error messages show it, e.g. ">= 0", "(0, 1]", "(any)".
    public var description: String {
        func text(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)" }
        switch (lower, upper) {
        case (nil, nil): return "(any)"
        case (let a?, nil): return (lowerIncluded ? ">= " : "> ") + text(a)
        case (nil, let b?): return (upperIncluded ? "<= " : "< ") + text(b)
        case (let a?, let b?): return (lowerIncluded ? "[" : "(") + "\(text(a)), \(text(b))" + (upperIncluded ? "]" : ")")
        }
    }
}

/// Values read through a `ParameterTable`: what the experiment gave, else the table's
/// default. Asking for a key the table does not declare is a programming error.
public struct ParameterValues: Sendable {
    /// The table the values were read through.
    public let table: ParameterTable
    /// The values the experiment gave (without defaults), with the names its error messages
    /// use.
    public let given: Hyperparameters

    /// The error-message name of a key, e.g. "experiments.cartpole.params.gamma".
    public func name(_ key: String) -> String { given.name(key) }

    /// Whether the experiment gave `key` (rather than leaving it to the default).
    public func isGiven(_ key: String) -> Bool { given.values[key] != nil }

    /// The given value, else the declared default; `derived` supplies the default of a
    /// parameter declared `.derived` (ignored otherwise).
    func value(_ key: String, derived: ParameterValue?) throws -> ParameterValue {
        guard let spec = table.spec(key) else { preconditionFailure("parameter \(key) is not in the table") }
        if let v = given.values[key] { return v }
        switch spec.defaultValue {
        case .value(let v): return v
        case .derived:
            guard let derived else { preconditionFailure("parameter \(key) has a derived default; pass it") }
            return derived
        case .required: throw ParameterError(key: name(key), message: "missing required value")
        }
    }

    /// A number parameter (an integer given for it is converted); `derived` supplies the
    /// default of a parameter declared `.derived`. Throws when a required key is missing.
    public func double(_ key: String, derived: Double? = nil) throws -> Double {
        switch try value(key, derived: derived.map { .number($0) }) {
        case .number(let x): return x
        case .integer(let x): return Double(x)
        default: preconditionFailure("parameter \(key) is not a number")
        }
    }

    /// An integer parameter; `derived` supplies the default of a parameter declared `.derived`.
    /// Throws when a required key is missing.
    public func int(_ key: String, derived: Int? = nil) throws -> Int {
        guard case .integer(let x) = try value(key, derived: derived.map { .integer($0) }) else {
            preconditionFailure("parameter \(key) is not an integer")
        }
        return x
    }

    /// A boolean parameter; `derived` supplies the default of a parameter declared `.derived`.
    /// Throws when a required key is missing.
    public func bool(_ key: String, derived: Bool? = nil) throws -> Bool {
        guard case .bool(let x) = try value(key, derived: derived.map { .bool($0) }) else {
            preconditionFailure("parameter \(key) is not a boolean")
        }
        return x
    }

    /// A string parameter; `derived` supplies the default of a parameter declared `.derived`.
    /// Throws when a required key is missing.
    public func string(_ key: String, derived: String? = nil) throws -> String {
        guard case .string(let x) = try value(key, derived: derived.map { .string($0) }) else {
            preconditionFailure("parameter \(key) is not a string")
        }
        return x
    }

    /// A string parameter with choices, as the enum whose raw values are those choices.
    public func choice<T: RawRepresentable>(_ key: String, as: T.Type, derived: T? = nil) throws -> T where T.RawValue == String {
        let text = try string(key, derived: derived?.rawValue)
        guard let v = T(rawValue: text) else { preconditionFailure("choice \(text) of \(key) has no case") }
        return v
    }

    /// An array of numbers; `count`, when given, is the required length (e.g. one value per
    /// layer). A declared default of another length counts as absent: the key must be given.
    public func doubles(_ key: String, count: Int? = nil, derived: [Double]? = nil) throws -> [Double] {
        guard case .list(let items) = try value(key, derived: derived.map { .list($0.map { .number($0) }) }) else {
            preconditionFailure("parameter \(key) is not an array")
        }
        let xs = items.map { item -> Double in
            switch item {
            case .number(let x): return x
            case .integer(let x): return Double(x)
            default: preconditionFailure("parameter \(key) is not an array of numbers")
            }
        }
        if let count, xs.count != count {
            let message = isGiven(key)
                ? "expected \(count) values, found \(xs.count)"
                : "missing required value (\(count) values; the default does not fit)"
            throw ParameterError(key: name(key), message: message)
        }
        return xs
    }

    /// An array of integers; `derived` supplies the default of a parameter declared `.derived`.
    /// Throws when a required key is missing.
    public func ints(_ key: String, derived: [Int]? = nil) throws -> [Int] {
        guard case .list(let items) = try value(key, derived: derived.map { .list($0.map { .integer($0) }) }) else {
            preconditionFailure("parameter \(key) is not an array")
        }
        return items.map { item in
            guard case .integer(let x) = item else { preconditionFailure("parameter \(key) is not an array of integers") }
            return x
        }
    }
}
