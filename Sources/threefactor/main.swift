import ThreeFactorCLI

ThreeFactorCommand.main()
