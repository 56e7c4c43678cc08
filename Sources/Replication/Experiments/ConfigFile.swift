import Foundation
import TOMLKit
import ThreeFactor

/// A parsed TOML document as plain Swift values, so that readers of experiment and
/// reference files can walk it and report errors by file and key path.
public indirect enum ConfigEntry: Equatable, Sendable {
    /// A plain value (number, integer, boolean, string or array of values).
    case value(ParameterValue)
    /// A table (`[name]`, or an inline table).
    case table([String: ConfigEntry])
    /// An array of tables (`[[name]]`).
    case tables([[String: ConfigEntry]])
}

/// One clear line about a bad experiments or reference file: the file, the part of it (a
/// reference file's check or mark), the key, and what was expected and found.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The file's path as the user gave it.
    public var file: String
    /// `check "id"`, `check #3` or `mark #1`; nil outside a reference file's checks and marks.
    public var check: String? = nil
    /// Dotted key path, e.g. "comparison.std"; nil for problems with the whole file.
    public var key: String?
    /// What was expected and what was found.
    public var message: String

    /// "file: check: key "k": message", leaving out the parts that are nil; one line (line
    /// breaks in quoted values are escaped).
    public var description: String {
        oneLine(([file, check, key.map { "key \"\($0)\"" }].compactMap { $0 } + [message]).joined(separator: ": "))
    }
}

/// Reference files report their problems with the same error.
public typealias ReferenceFileError = ConfigError

/// Reads TOML files into `ConfigEntry` tables (TOMLKit parses), with errors that name the file
/// and the line.
public enum ConfigFile {
    /// Reads and parses a TOML file into a table.
    public static func load(_ path: String) throws -> [String: ConfigEntry] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, key: nil, message: "cannot read the file (missing or not UTF-8)")
        }
        return try parse(text, file: path)
    }

    /// Parses TOML text into a table; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> [String: ConfigEntry] {
        if let bad = TOMLHeaderCheck.badTableHeader(text) {
            throw ConfigError(
                file: file, key: nil,
                message: "not valid TOML at line \(bad.line), column \(bad.column): expected \(bad.expected), found '\(bad.found)'")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(
                file: file, key: nil,
                message: "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        return try convert(table, file: file, path: "")
    }

    static func convert(_ table: TOMLTable, file: String, path: String) throws -> [String: ConfigEntry] {
        var out: [String: ConfigEntry] = [:]
        for key in table.keys {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            // TOMLKit hands keys over as C strings: a key with an escaped NUL ("a\u0000b")
            // arrives cut at the NUL and is then not found (found by fuzzing; it was a trap).
            guard let value = table[key] else {
                throw ConfigError(file: file, key: keyPath, message: "keys may not hold the character U+0000 (the key is cut there)")
            }
            out[key] = try convert(value, file: file, path: keyPath)
        }
        return out
    }

    static func convert(_ value: TOMLValueConvertible, file: String, path: String) throws -> ConfigEntry {
        switch value.type {
        case .table: return .table(try convert(value.table!, file: file, path: path))
        case .array:
            let array = value.array!
            if array.count > 0, array.allSatisfy({ $0.type == .table }) {
                return .tables(try array.enumerated().map { try convert($0.element.table!, file: file, path: "\(path)[\($0.offset)]") })
            }
            return .value(.list(try array.enumerated().map {
                guard case .value(let v) = try convert($0.element, file: file, path: "\(path)[\($0.offset)]") else {
                    throw ConfigError(file: file, key: path, message: "arrays may hold numbers, strings or booleans only")
                }
                return v
            }))
        case .int: return .value(.integer(value.int!))
        case .double: return .value(.number(value.double!))
        case .bool: return .value(.bool(value.bool!))
        case .string: return .value(.string(value.string!))
        default:
            throw ConfigError(file: file, key: path, message: "dates and times are not supported here")
        }
    }
}

/// Typed access to one table of an experiments or reference file. Every error names the
/// file, the key path, what was expected and what was found. The reader remembers every
/// key it was asked about, so that any other key can be reported as unknown (a misspelt
/// optional key must not be silently ignored).
public final class ConfigReader {
    /// The file's path, named in errors.
    public let file: String
    /// Dotted path of this table, "" at the top or for a reference file's check.
    public let path: String
    /// The table's entries.
    public let table: [String: ConfigEntry]
    /// The check or mark this table belongs to, named in errors.
    public let check: String?
    /// Reference files: empty strings and empty string arrays are errors.
    let nonEmpty: Bool
    private var asked: [String] = []

    /// A reader of `table`. `path` is the table's dotted key path and `check` the check or mark
    /// it belongs to, both named in errors; `nonEmpty` (reference files) makes empty strings
    /// and empty string arrays errors.
    public init(file: String, path: String = "", table: [String: ConfigEntry], check: String? = nil, nonEmpty: Bool = false) {
        (self.file, self.path, self.table, self.check, self.nonEmpty) = (file, path, table, check, nonEmpty)
    }

    func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    /// An error about key `k` of this table, naming the file, the check and the key path.
    public func error(_ k: String, _ message: String) -> ConfigError {
        ConfigError(file: file, check: check, key: key(k), message: message)
    }

    private func entry(_ k: String) -> ConfigEntry? {
        if !asked.contains(k) { asked.append(k) }
        return table[k]
    }

    /// The entry under `k` converted by `cast`, nil when absent; a mismatch names what was found.
    private func typed<T>(_ k: String, _ expected: String, _ cast: (ConfigEntry) throws -> T?) throws -> T? {
        guard let e = entry(k) else { return nil }
        guard let x = try cast(e) else {
            let found = switch e {
            case .value(let v): "\(v.typeName) \(v)"
            case .table: "a table"
            case .tables: "an array of tables"
            }
            throw error(k, "expected \(expected), found \(found)")
        }
        return x
    }

    /// `read(k)`, or an error saying the key is missing and what it should hold.
    public func required<T>(_ k: String, _ expected: String, _ read: (String) throws -> T?) throws -> T {
        guard let x = try read(k) else { throw error(k, "missing; expected \(expected)") }
        return x
    }

    /// The plain value under `k`, nil when absent; a table there is an error.
    public func value(_ k: String) throws -> ParameterValue? {
        try typed(k, "a value") { if case .value(let v) = $0 { v } else { nil } }
    }

    /// The string under `k`, nil when absent; another type is an error.
    public func string(_ k: String) throws -> String? {
        let s = try typed(k, "a string") { if case .value(.string(let s)) = $0 { s } else { nil } }
        if nonEmpty, s?.isEmpty == true { throw error(k, "must not be empty") }
        return s
    }

    /// The integer under `k`, nil when absent; another type (a float too) is an error.
    public func int(_ k: String) throws -> Int? {
        try typed(k, "an integer") { if case .value(.integer(let i)) = $0 { i } else { nil } }
    }

    /// The number under `k` (an integer converted), nil when absent; another type or a value
    /// that is not finite is an error.
    public func number(_ k: String) throws -> Double? {
        let x: Double? = try typed(k, "a number") {
            switch $0 {
            case .value(.integer(let i)): Double(i)
            case .value(.number(let x)): x
            default: nil
            }
        }
        if let x, !x.isFinite { throw error(k, "must be finite, found \(x)") }
        return x
    }

    /// The array of strings under `k`, nil when absent; another type is an error.
    public func strings(_ k: String) throws -> [String]? {
        let list = try typed(k, "an array of strings") { entry -> [String]? in
            guard case .value(.list(let items)) = entry else { return nil }
            return try items.map {
                guard case .string(let s) = $0, !(nonEmpty && s.isEmpty) else {
                    throw error(k, "expected an array of\(nonEmpty ? " non-empty" : "") strings, found element \($0.typeName) \($0)")
                }
                return s
            }
        }
        if nonEmpty, list?.isEmpty == true { throw error(k, "must not be empty") }
        return list
    }

    /// The string under `k`; missing is an error.
    public func requiredString(_ k: String) throws -> String { try required(k, "a string", string) }
    /// The integer under `k`; missing is an error.
    public func requiredInt(_ k: String) throws -> Int { try required(k, "an integer", int) }
    /// The number under `k`; missing is an error.
    public func requiredNumber(_ k: String) throws -> Double { try required(k, "a number", number) }
    /// The array of strings under `k`; missing is an error.
    public func requiredStrings(_ k: String) throws -> [String] { try required(k, "an array of strings", strings) }

    /// A reader of the table under `k` (its errors name the nested key path), nil when absent.
    public func subtable(_ k: String) throws -> ConfigReader? {
        try typed(k, "a table") {
            guard case .table(let t) = $0 else { return nil }
            return ConfigReader(file: file, path: key(k), table: t, check: check, nonEmpty: nonEmpty)
        }
    }

    /// The tables of `[[k]]`; an empty array when absent.
    public func tables(_ k: String) throws -> [ConfigReader] {
        try typed(k, "an array of tables ([[\(key(k))]])") { entry -> [[String: ConfigEntry]]? in
            switch entry {
            case .tables(let ts): ts
            case .value(.list(let items)) where items.isEmpty: []
            default: nil
            }
        }.map { ts in
            ts.enumerated().map {
                ConfigReader(file: file, path: "\(key(k))[\($0.offset)]", table: $0.element, check: check, nonEmpty: nonEmpty)
            }
        } ?? []
    }

    /// The table's plain values as hyperparameters (nested tables are not allowed).
    public func parameters() throws -> Hyperparameters {
        var values: [String: ParameterValue] = [:]
        for (k, _) in table { values[k] = try value(k) }
        return Hyperparameters(values, context: "\(file): \(path)")
    }

    /// Throws for the first key (alphabetically) that is not in `allowed`, or, by default,
    /// that no accessor asked about.
    public func rejectUnknownKeys(_ allowed: [String]? = nil) throws {
        let allowed = allowed ?? asked
        for k in table.keys.sorted() where !allowed.contains(k) {
            throw error(k, "unknown key; allowed here: \(allowed.joined(separator: ", "))")
        }
    }
}
