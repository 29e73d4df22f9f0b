import Testing
import KilnReports

@Suite struct ParetoFrontTests {
    /// Minimizing both coordinates: (1,5), (2,3), (4,1) and the duplicate (2,3) are on the front;
    /// (3,4) is dominated by (2,3), (5,5) by everything.
    @Test func twoObjectiveFrontOnHandMadePoints() {
        let points: [[Double]] = [[1, 5], [2, 3], [3, 4], [4, 1], [2, 3], [5, 5]]
        #expect(ParetoFront.indices(of: points) == [0, 1, 3, 4])
    }

    /// Three objectives: a point that is worse in two but better in the third stays on the front.
    @Test func threeObjectiveFront() {
        let points: [[Double]] = [[1, 1, 9], [2, 2, 1], [2, 2, 2], [1, 1, 9.5], [3, 0.5, 5]]
        #expect(ParetoFront.membership(of: points) == [true, true, false, false, true])
    }

    /// Maximizing accuracy is done by negating it: lower energy, higher accuracy wins.
    @Test func accuracyIsMaximizedByNegation() {
        let energyAndAccuracy: [(Double, Double)] = [(1e-6, 0.90), (2e-6, 0.99), (3e-6, 0.95), (5e-7, 0.10), (2e-6, 0.98)]
        let front = ParetoFront.membership(of: energyAndAccuracy.map { [$0.0, -$0.1] })
        #expect(front == [true, true, false, true, false])
    }

    /// Non-finite coordinates and mismatched dimensions are never on the front and dominate nothing.
    @Test func invalidPointsAreLeftOut() {
        let points: [[Double]] = [[1, 1], [.nan, 0], [0, .infinity], [2], [3, 3]]
        #expect(ParetoFront.membership(of: points) == [true, false, false, false, false])
        #expect(ParetoFront.indices(of: []) == [])
    }

    @Test func dominanceNeedsStrictImprovementSomewhere() {
        #expect(ParetoFront.dominates([1, 2], [1, 3]))
        #expect(!ParetoFront.dominates([1, 3], [1, 3]))
        #expect(!ParetoFront.dominates([0, 4], [1, 3]))
    }
}
