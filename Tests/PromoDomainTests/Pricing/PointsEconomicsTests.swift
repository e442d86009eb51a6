import Foundation
import PromoDomain
import Testing

/// 积分抵现 at a brand rate, with a maximum share of the order payable with points.
@Suite("Points economics")
struct PointsEconomicsTests {
    typealias T = TestSupport

    static func quote(policy: PricingPolicy, points: Int, balance: Int, lines: [(String, Int)]) throws -> Quote {
        let engine = try PricingEngine(catalog: T.catalog, campaigns: [], policy: policy)
        let cart = Cart(
            customerId: "u-1", channel: "online", storeId: "s-online",
            lines: lines.map { Cart.Line(sku: $0.0, quantity: $0.1) }, pointsToRedeem: points)
        return try engine.quote(
            QuoteRequest(cart: cart, customer: CustomerContext(customerId: "u-1", pointsBalance: balance), now: T.now))
    }

    @Test("10 points per yuan, at most half the order: 399 points take 3990 off 7980")
    func rateAndShare() throws {
        let quote = try Self.quote(
            policy: PricingPolicy(redemptionPointsPerYuan: 10, maxPointsShareBp: 5_000), points: 1_000, balance: 5_000,
            lines: [("HP-001", 2)])
        #expect(quote.pointsDeductionFen == 3_990)
        #expect(quote.pointsRedeemed == 399)
        #expect(quote.totalFen == 3_990)

        // Partial refunds give back exactly the points spent.
        let first = try quote.refund(ReturnedUnits(lines: ["HP-001": 1]))
        let second = try quote.refund(ReturnedUnits(lines: ["HP-001": 1]), after: ReturnedUnits(lines: ["HP-001": 1]))
        #expect(first.pointsReturned + second.pointsReturned == 399)
        #expect(first.refundFen + second.refundFen == 3_990)
    }

    @Test("Whole fen only, and no point spent for nothing: 10 points at 3 per yuan take 333 fen for 10 points")
    func rounding() throws {
        let quote = try Self.quote(
            policy: PricingPolicy(redemptionPointsPerYuan: 3), points: 10, balance: 10, lines: [("HP-001", 1)])
        #expect(quote.pointsDeductionFen == 333)
        #expect(quote.pointsRedeemed == 10)
        // 2 points at 3 per yuan are worth 66 fen and cost ⌈66 × 3 / 100⌉ = 2 points.
        let small = try Self.quote(
            policy: PricingPolicy(redemptionPointsPerYuan: 3), points: 2, balance: 10, lines: [("HP-001", 1)])
        #expect(small.pointsDeductionFen == 66)
        #expect(small.pointsRedeemed == 2)
    }

    @Test("The default rate keeps 1 point = 1 fen, capped by the balance")
    func defaults() throws {
        let quote = try Self.quote(policy: PricingPolicy(), points: 800, balance: 500, lines: [("HP-001", 1)])
        #expect(quote.pointsRedeemed == 500)
        #expect(quote.pointsDeductionFen == 500)
        #expect(quote.totalFen == 3_490)
    }
}

extension PointsEconomicsTests {
    @Test("A rate of 0 points per yuan, or a share above 100 %, is refused with the setting named")
    func policyValidated() throws {
        let zero = #expect(throws: PricingInputError.self) {
            try Self.quote(
                policy: PricingPolicy(redemptionPointsPerYuan: 0), points: 1, balance: 1, lines: [("HP-001", 1)])
        }
        #expect(zero?.field == "policy.redemptionPointsPerYuan")
        let share = #expect(throws: PricingInputError.self) {
            try Self.quote(
                policy: PricingPolicy(maxPointsShareBp: 10_001), points: 1, balance: 1, lines: [("HP-001", 1)])
        }
        #expect(share?.field == "policy.maxPointsShareBp")
    }
}
