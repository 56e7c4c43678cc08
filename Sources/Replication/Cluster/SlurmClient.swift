import Foundation

/// The Slurm commands the toolkit calls (`sbatch`, `squeue`, `sinfo`), found on `PATH`. Their
/// failures become one-line `SlurmError`s quoting Slurm's own message.
public struct SlurmClient: Sendable {
    /// The `sbatch` executable.
    public let sbatch: String
    let squeue: String
    let sinfo: String

    /// Finds the commands on `PATH`; throws when `sbatch` (or its siblings) is not there.
    public init(path: String? = ProcessInfo.processInfo.environment["PATH"]) throws {
        let directories = (path ?? "").split(separator: ":").map(String.init)
        func locate(_ tool: String) throws -> String {
            for d in directories where FileManager.default.isExecutableFile(atPath: "\(d)/\(tool)") { return "\(d)/\(tool)" }
            throw SlurmError(message: "\(tool) is not on PATH: run on a machine with Slurm's client commands (e.g. the cluster's login node)")
        }
        sbatch = try locate("sbatch")
        squeue = try locate("squeue")
        sinfo = try locate("sinfo")
    }

    /// The cluster's partitions, as `sinfo` lists them (the default one without its `*`).
    public func partitions() throws -> [String] {
        try run(sinfo, ["-h", "-o", "%P"]).split(whereSeparator: \.isNewline)
            .map { $0.hasSuffix("*") ? String($0.dropLast()) : String($0) }
    }

    /// Submits a script and returns its job id; `dependency` is an `sbatch --dependency` value.
    public func submit(_ script: String, dependency: String?) throws -> Int {
        var arguments = ["--parsable"]
        if let dependency { arguments.append("--dependency=\(dependency)") }
        let out = try run(sbatch, arguments + [script])
        // --parsable prints "<id>" or "<id>;<cluster>".
        guard let id = Int(out.split(separator: ";").first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") else {
            throw SlurmError(message: "sbatch \(script): unexpected reply '\(out.trimmingCharacters(in: .whitespacesAndNewlines))'")
        }
        return id
    }

    /// The state of each listed job still known to the queue, by job id: an array job's tasks
    /// as "<id>_<index>" (or "<id>_[<range>]" while pending). Jobs that ended are absent.
    public func queue(_ jobs: [Int]) throws -> [String: String] {
        guard !jobs.isEmpty else { return [:] }
        let out: String
        do {
            out = try run(squeue, ["-h", "-j", jobs.map(String.init).joined(separator: ","), "-o", "%i %T"])
        } catch let e as SlurmError where e.message.contains("Invalid job id") {
            return [:]  // every listed job has ended and been forgotten
        }
        var states: [String: String] = [:]
        for line in out.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: " ")
            if parts.count == 2 { states[String(parts[0])] = String(parts[1]) }
        }
        return states
    }

    func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try HDF5File.start(process) } catch {
            throw SlurmError(message: "\(tool): cannot run (\(error))")
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.isEmpty ? output : errors, as: UTF8.self)
            let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw SlurmError(message: "\((tool as NSString).lastPathComponent) \(arguments.joined(separator: " ")): \(line)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A Slurm command that failed or is missing; `message` is one line, quoting Slurm.
public struct SlurmError: Error, CustomStringConvertible {
    /// What failed and what Slurm said.
    public var message: String
    /// The one-line message for the user.
    public var description: String { message }
}
