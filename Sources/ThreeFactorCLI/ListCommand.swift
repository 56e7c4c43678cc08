import ArgumentParser
import Replication
import ThreeFactor

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the rules, tasks and experiment kinds of the catalog.",
        discussion: "`threefactor list --rule <name>` (or `threefactor describe <name>`) shows one rule in full.")

    @Option(help: "Describe this rule: equations, kinds, action spaces and hyperparameters.") var rule: String?

    func run() throws {
        if let rule {
            print(try CatalogText.describe(rule: rule))
            return
        }
        print(CatalogText.list())
    }
}

struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe", abstract: "Describe a rule: equations, kinds, action spaces and hyperparameter table.")

    @Argument(help: "Rule name (see `threefactor list`).") var rule: String

    func run() throws {
        print(try CatalogText.describe(rule: rule))
    }
}
