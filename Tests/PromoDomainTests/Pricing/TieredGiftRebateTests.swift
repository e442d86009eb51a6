import Foundation
import PromoDomain
import Testing

@Suite("Tiered gifts and rebates")
struct TieredGiftRebateTests {
    typealias T = TestSupport

    /// A scenario of one campaign of `kind` with these rules, on 3 × 毛肚 (13 770 fen).
    static func scenario(_ rules: String, kind: String) -> Data {
        Data(
            """
            {"now": "2026-11-11T10:00:00+08:00",
             "catalog": [{"sku": "MD-002", "name": "毛肚", "priceFen": 4590, "costFen": 2500, "category": "hotpot"},
                         {"sku": "TY-005", "name": "汤圆", "priceFen": 1590, "costFen": 700, "category": "desserts"}],
             "campaigns": [{"campaignId": "c-1", "name": "满赠", "kind": "\(kind)",
               "window": {"start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"},
               "rules": \(rules)}],
             "customer": {"customerId": "u-1"},
             "cart": {"customerId": "u-1", "channel": "online", "storeId": "s-1",
                      "lines": [{"sku": "MD-002", "quantity": 3}]}}
            """.utf8)
    }

    /// 满100赠汤圆, 满200赠水饺.
    static let gifts = T.campaign(
        "c-gift",
        .gift(
            GiftRule(
                thresholdFen: 10_000, giftSku: "TY-005", giftQuantity: 1,
                higherTiers: [.init(thresholdFen: 20_000, giftSku: "JZ-004", giftQuantity: 1)])))

    @Test("The highest gift tier reached gives its gift, alone; the next tier is hinted")
    func giftTiers() throws {
        let low = try T.quote([Self.gifts], [("MD-002", 3)])  // 13770
        #expect(low.gifts.map(\.sku) == ["TY-005"])
        #expect(low.budgetCharge(campaignId: "c-gift").giftCostFen == 700)
        #expect(low.hints.first?.missingFen == 6_230)
        #expect(low.hints.first?.reward == .gift(sku: "JZ-004", quantity: 1))

        let high = try T.quote([Self.gifts], [("MD-002", 5)])  // 22950
        #expect(high.gifts.map(\.sku) == ["JZ-004"])
        #expect(high.budgetCharge(campaignId: "c-gift").giftCostFen == 1_500)
        #expect(high.hints.isEmpty)
    }

    @Test("The highest rebate tier reached grants its points")
    func rebateTiers() throws {
        let rebate = T.campaign(
            "c-back",
            .rebate(
                RebateRule(
                    thresholdFen: 5_000, reward: .points(100),
                    higherTiers: [.init(thresholdFen: 10_000, reward: .points(300))])))
        let high = try T.quote([rebate], [("MD-002", 3)])
        #expect(high.budgetCharge(campaignId: "c-back").pointsCostFen == 300)
        let low = try T.quote([rebate], [("MD-002", 2)])  // 9180
        #expect(low.budgetCharge(campaignId: "c-back").pointsCostFen == 100)
        #expect(low.hints.first?.missingFen == 820)
        #expect(low.hints.first?.reward == .points(300))
    }

    @Test("Tiers decode from a tiers list, and thresholds that do not increase are refused")
    func decoding() throws {
        let gift = try Scenario.decode(
            from: Self.scenario(
                #"{"tiers": [{"thresholdFen": 5000, "giftSku": "TY-005"}, {"thresholdFen": 10000, "giftSku": "TY-005", "giftQuantity": 2}]}"#,
                kind: "gift")
        ).quote()
        #expect(gift.gifts.first?.quantity == 2)
        let rebate = try Scenario.decode(
            from: Self.scenario(
                #"{"tiers": [{"thresholdFen": 5000, "points": 50}, {"thresholdFen": 10000, "points": 200}]}"#,
                kind: "rebate")
        ).quote()
        #expect(rebate.rebates.first?.reward == .points(200))
        let error = #expect(throws: PricingInputError.self) {
            try Scenario.decode(
                from: Self.scenario(
                    #"{"tiers": [{"thresholdFen": 10000, "points": 50}, {"thresholdFen": 5000, "points": 200}]}"#,
                    kind: "rebate")
            ).quote()
        }
        #expect(error?.field == "campaigns[0].rules.tiers[1].thresholdFen")
    }
}

@Suite("满N件赠: gifts on a unit threshold")
struct UnitGiftTests {
    typealias T = TestSupport

    /// 买3件赠汤圆, 买6件赠2袋汤圆 on hot-pot.
    static let gifts = T.campaign(
        "c-units",
        .gift(
            GiftRule(
                thresholdUnits: 3, giftSku: "TY-005", giftQuantity: 1,
                higherTiers: [.init(thresholdUnits: 6, giftSku: "TY-005", giftQuantity: 2)])),
        scope: CampaignScope(categories: ["hotpot"]))

    @Test("The gift follows the units of the scope, not the amount; short of a tier, the hint counts units")
    func unitTiers() throws {
        let short = try T.quote([Self.gifts], [("HP-001", 2), ("TY-005", 4)])  // 2 hot-pot units, 4 desserts
        #expect(short.rejection(campaignId: "c-units") == .thresholdNotMet)
        #expect(short.gifts.isEmpty)
        #expect(short.hints.first?.missingUnits == 1)
        #expect(short.hints.first?.thresholdUnits == 3)
        #expect(short.hints.first?.missingFen == 0)

        let first = try T.quote([Self.gifts], [("HP-001", 2), ("WZ-003", 1)])  // 3 hot-pot units
        #expect(first.gifts.map(\.quantity) == [1])
        #expect(first.budgetCharge(campaignId: "c-units").giftCostFen == 700)
        #expect(first.hints.first?.missingUnits == 3)
        #expect(first.totalFen == 10_970)

        let second = try T.quote([Self.gifts], [("WZ-003", 6)])
        #expect(second.gifts.map(\.quantity) == [2])
        #expect(second.budgetCharge(campaignId: "c-units").giftCostFen == 1_400)
        #expect(second.hints.isEmpty)
    }

    @Test("A gift rule gives thresholdFen or thresholdUnits, and every tier measures as the first")
    func decoding() throws {
        let gift = try Scenario.decode(
            from: TieredGiftRebateTests.scenario(#"{"thresholdUnits": 3, "giftSku": "TY-005"}"#, kind: "gift")
        ).quote()
        #expect(gift.gifts.map(\.sku) == ["TY-005"])

        /// The field a gift rule is refused at.
        func refused(_ rules: String) -> String? {
            let error = #expect(throws: PricingInputError.self) {
                try Scenario.decode(from: TieredGiftRebateTests.scenario(rules, kind: "gift")).quote()
            }
            return error?.field
        }
        let unitsTier = #"{"thresholdUnits": 3, "giftSku": "TY-005"}"#
        #expect(
            refused(#"{"thresholdFen": 100, "thresholdUnits": 3, "giftSku": "TY-005"}"#)
                == "campaigns[0].rules.thresholdUnits")
        #expect(refused(#"{"giftSku": "TY-005"}"#) == "campaigns[0].rules.thresholdFen")
        #expect(
            refused(#"{"tiers": [\#(unitsTier), {"thresholdFen": 20000, "giftSku": "TY-005"}]}"#)
                == "campaigns[0].rules.tiers[1].thresholdFen")
        #expect(
            refused(
                #"{"tiers": [{"thresholdFen": 5000, "giftSku": "TY-005"}, {"thresholdUnits": 6, "giftSku": "TY-005"}]}"#
            )
                == "campaigns[0].rules.tiers[1].thresholdUnits")
        #expect(
            refused(#"{"tiers": [\#(unitsTier), {"thresholdUnits": 2, "giftSku": "TY-005"}]}"#)
                == "campaigns[0].rules.tiers[1].thresholdUnits")
    }
}
