import Testing
@testable import ThreeFactor

@Suite struct RandomStreamTests {
    @Test func placeholder() {
        var stream = RandomStream(seed: 1)
        #expect(stream.next() != 0)
    }
}
