import Foundation
import PromoDomain
import Testing

@Suite("Qualification hints (还差X元)")
struct QualificationHintTests {
    typealias T = TestSupport

    static let tiers = T.campaign(
        "c-spend",
        .spendReduction(tiers: [
            ReductionTier(thresholdFen: 10_000, reductionFen: 1_500),
            ReductionTier(thresholdFen: 20_000, reductionFen: 3_500),
        ]))

    @Test("A threshold not met says how much is missing and what it gives")
    func missingAmount() throws {
        // 2 × HP-001 = 7980: 2020 short of 满100减15.
        let quote = try T.quote([Self.tiers], [("HP-001", 2)])
        #expect(quote.rejection(campaignId: "c-spend") == .thresholdNotMet)
        #expect(
            quote.hints == [
                QualificationHint(
                    campaignId: "c-spend", kind: "spend_reduction", missingFen: 2_020, thresholdFen: 10_000,
                    reward: .reduction(1_500))
            ])
    }

    @Test("A met tier points at the next one, measured after item-level promotions")
    func nextTier() throws {
        // 3 × HP-001 11970 at list, 10 % off at item level → 10773: tier 1 applies, 9227 short of tier 2.
        let item = T.campaign("c-item", .itemDiscount(percentBp: 1_000), scope: CampaignScope(skus: ["HP-001"]))
        let quote = try T.quote([Self.tiers, item], [("HP-001", 3)])
        #expect(quote.applied(campaignId: "c-spend")?.amountFen == 1_500)
        #expect(quote.hints.map(\.missingFen) == [9_227])
        #expect(quote.hints.first?.reward == .reduction(3_500))
    }

    @Test("Gifts and rebates hint too; a cart above every tier gets no hint")
    func giftsRebatesAndNone() throws {
        let gift = T.campaign("c-gift", .gift(GiftRule(thresholdFen: 9_000, giftSku: "TY-005", giftQuantity: 1)))
        let rebate = T.campaign("c-rebate", .rebate(RebateRule(thresholdFen: 8_500, reward: .points(200))))
        let quote = try T.quote([gift, rebate], [("HP-001", 2)])
        #expect(quote.hints.first { $0.campaignId == "c-gift" }?.missingFen == 1_020)
        #expect(quote.hints.first { $0.campaignId == "c-gift" }?.reward == .gift(sku: "TY-005", quantity: 1))
        #expect(quote.hints.first { $0.campaignId == "c-rebate" }?.reward == .points(200))
        #expect(quote.hints.first { $0.campaignId == "c-rebate" }?.missingFen == 520)

        let full = try T.quote([Self.tiers], [("HP-001", 6)])
        #expect(full.applied(campaignId: "c-spend")?.amountFen == 3_500)
        #expect(full.hints.isEmpty)
    }
}
