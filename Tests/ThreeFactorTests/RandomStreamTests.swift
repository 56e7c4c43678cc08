import Testing
@testable import ThreeFactor

@Suite struct RandomStreamTests {
    @Test func placeholder() { #expect(RandomStream(seed: 1).next() != 0) }
}
