import AGREL
import ThreeFactor
import ThreeFactorCLI

// Register the package's rule before anything runs; from here on it is in the catalog like
// a built-in rule (`custom-rule list`, `describe agrel`, `run --rule agrel`, experiment files).
try Catalog.register(AGREL.descriptor)
ThreeFactorCommand.main()
