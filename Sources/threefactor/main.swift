import ThreeFactor
print(EnvironmentRegistry.ids)
