import Testing
@Test func replicationPlaceholder() {}
