import Foundation
import TOMLKit
import ThreeFactor

/// A parsed TOML document as plain Swift values, so that readers of experiment and
/// reference files can walk it and report errors by file and key path.
public indirect enum ConfigEntry: Equatable, Sendable {
    case value(ParameterValue)
    case table([String: ConfigEntry])
    case tables([[String: ConfigEntry]])
}

/// One clear line about a bad configuration file: which file, which key, what was expected.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let key: String
    public let message: String
    public init(file: String, key: String, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }
    public var description: String { key.isEmpty ? "\(file): \(message)" : "\(file): \(key): \(message)" }
}

public enum ConfigFile {
    /// Reads and parses a TOML file into a table.
    public static func load(_ path: String) throws -> [String: ConfigEntry] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, key: "", message: "cannot read the file (missing or not UTF-8)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> [String: ConfigEntry] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(
                file: file, key: "",
                message: "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        return try convert(table, file: file, path: "")
    }

    static func convert(_ table: TOMLTable, file: String, path: String) throws -> [String: ConfigEntry] {
        var out: [String: ConfigEntry] = [:]
        for key in table.keys {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            out[key] = try convert(table[key]!, file: file, path: keyPath)
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

/// Typed, error-reporting access to one table of a configuration file.
public struct ConfigReader {
    public let file: String
    public let path: String
    public let table: [String: ConfigEntry]

    public init(file: String, path: String, table: [String: ConfigEntry]) {
        self.file = file
        self.path = path
        self.table = table
    }

    func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    public func error(_ k: String, _ message: String) -> ConfigError {
        ConfigError(file: file, key: key(k), message: message)
    }

    public func has(_ k: String) -> Bool { table[k] != nil }

    public func value(_ k: String) throws -> ParameterValue? {
        switch table[k] {
        case nil: return nil
        case .value(let v): return v
        case .table, .tables: throw error(k, "expected a value, found a table")
        }
    }

    public func string(_ k: String) throws -> String? {
        switch try value(k) {
        case nil: return nil
        case .string(let s): return s
        case let v?: throw error(k, "expected a string, found \(v)")
        }
    }

    public func requiredString(_ k: String) throws -> String {
        guard let s = try string(k) else { throw error(k, "missing required string") }
        return s
    }

    public func int(_ k: String) throws -> Int? {
        switch try value(k) {
        case nil: return nil
        case .integer(let i): return i
        case let v?: throw error(k, "expected an integer, found \(v)")
        }
    }

    public func double(_ k: String) throws -> Double? {
        switch try value(k) {
        case nil: return nil
        case .integer(let i): return Double(i)
        case .number(let x): return x
        case let v?: throw error(k, "expected a number, found \(v)")
        }
    }

    public func bool(_ k: String) throws -> Bool? {
        switch try value(k) {
        case nil: return nil
        case .bool(let b): return b
        case let v?: throw error(k, "expected true or false, found \(v)")
        }
    }

    public func strings(_ k: String) throws -> [String]? {
        switch try value(k) {
        case nil: return nil
        case .list(let items):
            return try items.map {
                guard case .string(let s) = $0 else { throw error(k, "expected an array of strings") }
                return s
            }
        case let v?: throw error(k, "expected an array of strings, found \(v)")
        }
    }

    public func subtable(_ k: String) throws -> ConfigReader? {
        switch table[k] {
        case nil: return nil
        case .table(let t): return ConfigReader(file: file, path: key(k), table: t)
        default: throw error(k, "expected a table ([\(key(k))])")
        }
    }

    public func tables(_ k: String) throws -> [ConfigReader] {
        switch table[k] {
        case nil: return []
        case .tables(let ts): return ts.enumerated().map { ConfigReader(file: file, path: "\(key(k))[\($0.offset)]", table: $0.element) }
        default: throw error(k, "expected an array of tables ([[\(key(k))]])")
        }
    }

    /// The table's plain values as hyperparameters (nested tables are not allowed).
    public func parameters() throws -> Hyperparameters {
        var values: [String: ParameterValue] = [:]
        for (k, _) in table { values[k] = try value(k) }
        return Hyperparameters(values, context: "\(file): \(path)")
    }

    public func rejectUnknownKeys(_ allowed: Set<String>) throws {
        for k in table.keys.sorted() where !allowed.contains(k) {
            throw error(k, "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }
}
