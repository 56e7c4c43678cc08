import ArgumentParser

// Stand-in entry point of the `envs` branch, so that `threefactor env` can be built and
// tested here. The real CLI (ThreeFactorCommand on main) replaces it: delete this file and
// add EnvCommand.self to ThreeFactorCommand's subcommands when merging.
@main
struct ThreeFactorCLI: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "threefactor", subcommands: [EnvCommand.self])
}
