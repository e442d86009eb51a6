import Foundation
import PromoDomain
import Testing

/// Exclusive groups (DESIGN §3: best deal for the shopper wins inside a group), whatever the levels of the
/// members, with the next best member taking over when the best is refused in company.
@Suite("Exclusive groups")
struct ExclusiveGroupTests {
    typealias T = TestSupport

    /// HP-001 3990 + 2 × MD-002 4590 = 13170 at list.
    static let cart = [("HP-001", 1), ("MD-002", 2)]
    /// 20 % off MD-002: 2 × 918 = 1836 alone.
    static let itemDiscount = T.campaign(
        "c-item", .itemDiscount(percentBp: 2_000), scope: CampaignScope(skus: ["MD-002"]), group: "g")

    @Test("An item-level and an order-level member of one group: only the bigger standalone deal applies")
    func crossLevelBestDealWins() throws {
        // 满8000减1000 gives 1000 alone: the item discount (1836) wins.
        let small = T.campaign(
            "c-spend", .spendReduction(tiers: [ReductionTier(thresholdFen: 8_000, reductionFen: 1_000)]), group: "g")
        let first = try T.quote([Self.itemDiscount, small], Self.cart)
        #expect(first.applied(campaignId: "c-item")?.amountFen == 1_836)
        #expect(first.rejection(campaignId: "c-spend") == .excludedByGroup)
        #expect(first.totalFen == 11_334)

        // 满8000减2500 gives 2500 alone: now the order-level member wins and the item discount stays off.
        let big = T.campaign(
            "c-spend", .spendReduction(tiers: [ReductionTier(thresholdFen: 8_000, reductionFen: 2_500)]), group: "g")
        let second = try T.quote([Self.itemDiscount, big], Self.cart)
        #expect(second.applied(campaignId: "c-spend")?.amountFen == 2_500)
        #expect(second.rejection(campaignId: "c-item") == .excludedByGroup)
        #expect(second.line(sku: "MD-002")?.adjustments.allSatisfy { $0.kind != "item_discount" } == true)
        #expect(second.totalFen == 10_670)
    }

    @Test("Inside one level the member worth more alone wins, whatever the priorities")
    func sameLevelBestDealWins() throws {
        // 满折 15 % of 13170 = 1975.5 → 1976 (half-even); 满减 2000 is more, though it has the lower priority.
        let percent = T.campaign(
            "c-pct", .spendDiscount(tiers: [DiscountTier(thresholdFen: 10_000, percentBp: 1_500)]), priority: 1,
            group: "g")
        let amount = T.campaign(
            "c-amt", .spendReduction(tiers: [ReductionTier(thresholdFen: 10_000, reductionFen: 2_000)]), priority: 9,
            group: "g")
        let quote = try T.quote([percent, amount], Self.cart)
        #expect(quote.applied(campaignId: "c-amt")?.amountFen == 2_000)
        #expect(quote.rejection(campaignId: "c-pct") == .excludedByGroup)
        #expect(quote.totalFen == 11_170)
    }

    @Test("A best member refused as not stackable hands over to the next best member of its group")
    func refusedWinnerFallsBack() throws {
        // The group's best alone is a non-stackable 满减 of 2500, but a stackable 5 % 满折 outside the group
        // applies first (priority 1), so the 满减 is refused. The item discount (1836) then applies, and the
        // 满折 takes 5 % of the 11334 left: 566.7 → 567. Total 11334 − 567 = 10767.
        let exclusive = T.campaign(
            "c-spend", .spendReduction(tiers: [ReductionTier(thresholdFen: 8_000, reductionFen: 2_500)]),
            priority: 20, group: "g", stackable: false)
        let outside = T.campaign(
            "c-five", .spendDiscount(tiers: [DiscountTier(thresholdFen: 5_000, percentBp: 500)]), priority: 1)
        let quote = try T.quote([Self.itemDiscount, exclusive, outside], Self.cart)
        #expect(quote.rejection(campaignId: "c-spend") == .notStackable)
        #expect(quote.applied(campaignId: "c-item")?.amountFen == 1_836)
        #expect(quote.applied(campaignId: "c-five")?.amountFen == 567)
        #expect(quote.totalFen == 10_767)
    }

    @Test("A member that cannot apply at all does not block its group")
    func inapplicableMemberSkipped() throws {
        // 满50000减9000 is out of reach: the item discount applies.
        let far = T.campaign(
            "c-far", .spendReduction(tiers: [ReductionTier(thresholdFen: 50_000, reductionFen: 9_000)]), group: "g")
        let quote = try T.quote([Self.itemDiscount, far], Self.cart)
        #expect(quote.rejection(campaignId: "c-far") == .thresholdNotMet)
        #expect(quote.totalFen == 11_334)
    }

    @Test("Over generated carts, the applied member of a group gives at least as much alone as any other member")
    func propertyBestStandaloneWins() throws {
        var rng = SplitMix64(seed: 0x6E0_2026)
        var checkedGroups = 0
        for round in 0..<400 {
            // Only group members: with nothing else in the cart's company, the chosen member always applies.
            let members = PropertyTests.randomCampaigns(&rng).enumerated().map { index, campaign in
                var member = campaign
                member.campaignId = "m-\(round)-\(index)"
                member.stacking = CampaignStacking(
                    priority: campaign.stacking.priority, exclusiveGroup: "g", stackable: true)
                member.budgetLeft = nil
                return member
            }
            var lines: [(String, Int)] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                lines.append(
                    (PropertyTests.skus.randomElement(using: &rng) ?? "HP-001", Int.random(in: 1...4, using: &rng)))
            }
            func benefit(_ quote: Quote, _ id: String) -> Int {
                let charge = quote.budgetCharge(campaignId: id)
                return charge.discountFen + charge.giftCostFen + charge.couponSubsidyFen + charge.pointsCostFen
            }
            let quote = try T.quote(members, lines)
            let alone = try members.map { try benefit(T.quote([$0], lines), $0.campaignId) }
            let applied = members.filter { quote.applied(campaignId: $0.campaignId) != nil }
            #expect(applied.count <= 1, "at most one member of a group applies")
            let best = alone.max() ?? 0
            if best > 0 {
                checkedGroups += 1
                #expect(applied.count == 1, "a member that gives something applies")
                if let winner = applied.first {
                    #expect(benefit(quote, winner.campaignId) == best, "the winner gives the most alone")
                }
            }
            // Renaming the campaigns changes nothing the shopper pays.
            let renamed = members.map { campaign in
                var copy = campaign
                copy.campaignId = "z-" + String(campaign.campaignId.reversed())
                return copy
            }
            #expect(try T.quote(renamed, lines).totalFen == quote.totalFen)
        }
        #expect(checkedGroups > 100, "the generator reaches groups that give something")
    }
}
