import ArgumentParser
import Foundation
import Replication
import ThreeFactor

/// The `threefactor` command. A package that registers rules of its own in the `Catalog`
/// calls `ThreeFactorCommand.main()` from its executable to get the whole command line
/// (run, replicate, verify, list, describe, ...) with its rules in it.
public struct ThreeFactorCommand: ParsableCommand {
    /// The command before its arguments are parsed (ArgumentParser builds it).
    public init() {}

    /// The command's name, one-line abstract, version (with the commit the binary was built
    /// from) and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "threefactor",
        abstract: "Backprop-free reinforcement learning: three-factor rules, paper replications, HDF5 run logs.",
        version: "\(Toolkit.version) (commit \(Toolkit.gitCommit))",
        subcommands: [RunCommand.self, ReplicateCommand.self, VerifyCommand.self, EnvCommand.self, BenchCommand.self, ListCommand.self, DescribeCommand.self, BenchmarkCommand.self]
    )

    /// Bad input exits with status 2 and one line naming what was wrong (ArgumentParser's
    /// own default would be 64); help and version requests exit 0 as usual.
    public static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            if exitCode(for: error) == .success { self.exit(withError: error) }
            let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("threefactor: error: \(text)\n".utf8))
            Foundation.exit(2)
        }
    }
}

/// An error with a message for the user, ending the command with status 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
