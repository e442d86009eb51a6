import PromoDomain
import Testing

@Suite("Money arithmetic")
struct MoneyTests {
    @Test func halfEvenTies() {
        #expect(HalfEven.divide(7_625, by: 10) == 762)
        #expect(HalfEven.divide(7_635, by: 10) == 764)
        #expect(HalfEven.divide(7_626, by: 10) == 763)
        #expect(HalfEven.divide(-7_625, by: 10) == -762)
        #expect(BasisPoints.share(of: 15_250, basisPoints: 500) == 762)  // 762.5
        #expect(BasisPoints.share(of: 15_270, basisPoints: 500) == 764)  // 763.5
        #expect(BasisPoints.share(of: Int.max / 2, basisPoints: 10_000) == Int.max / 2)
    }

    @Test func largestRemainderAddsUpAndTiesGoEarlier() {
        #expect(LargestRemainder.split(2_000, weights: [7_980, 9_180]) == [930, 1_070])
        #expect(LargestRemainder.split(762, weights: [8_883, 6_360]) == [444, 318])
        #expect(LargestRemainder.split(1, weights: [5, 5]) == [1, 0])
        #expect(LargestRemainder.split(5, weights: [0, 0]) == [3, 2])
        #expect(LargestRemainder.split(10, weights: [1, 1, 1]) == [4, 3, 3])
    }
}
