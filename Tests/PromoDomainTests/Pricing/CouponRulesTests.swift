import Foundation
import PromoDomain
import Testing

private typealias T = TestSupport
private typealias J = ScenarioJSON

/// Issue 7, defect 5: a coupon's channel and store scope, one coupon per order unless the
/// coupons stack, `maxDiscountFen`, and an order of application that codes cannot change.
@Suite("Coupon rules")
struct CouponRulesTests {
    static let amount1000 = Coupon.Discount.amount(valueFen: 1_000, thresholdFen: 0)

    @Test("A store-only coupon is rejected online and applies in that store")
    func storeAndChannelScope() throws {
        let storeOnly = T.coupon("C-STORE", Self.amount1000, scope: CampaignScope(stores: ["s-chengdu"]))
        let online = try T.quote([], [("MD-002", 2)], coupons: [storeOnly], codes: ["C-STORE"])
        #expect(online.rejection(couponCode: "C-STORE") == .storeNotEligible)
        #expect(online.totalFen == 9_180)
        let inStore = try T.quote(
            [], [("MD-002", 2)], coupons: [storeOnly], codes: ["C-STORE"], channel: "store", storeId: "s-chengdu")
        #expect(inStore.totalFen == 8_180)

        let posOnly = T.coupon("C-POS", Self.amount1000, scope: CampaignScope(channels: ["store"]))
        let mall = try T.quote([], [("MD-002", 2)], coupons: [posOnly], codes: ["C-POS"])
        #expect(mall.rejection(couponCode: "C-POS") == .channelNotEligible)
        #expect(mall.totalFen == 9_180)
    }

    @Test("Three non-stackable coupons on one order: only the best applies")
    func oneNonStackableCouponPerOrder() throws {
        // MD-002 × 2 = 9180: 1000 off, 1500 off from 5000, 10 % (918). 1500 is best.
        let coupons = [
            T.coupon("C-A", Self.amount1000, templateId: "t-a"),
            T.coupon("C-B", .amount(valueFen: 1_500, thresholdFen: 5_000), templateId: "t-b"),
            T.coupon("C-C", .percent(percentBp: 1_000, thresholdFen: 0), templateId: "t-c"),
        ]
        let quote = try T.quote([], [("MD-002", 2)], coupons: coupons, codes: ["C-A", "C-B", "C-C"])
        #expect(quote.totalFen == 7_680)
        #expect(quote.applied.map(\.source) == [.coupon("C-B")])
        #expect(quote.rejection(couponCode: "C-A") == .couponLimitReached)
        #expect(quote.rejection(couponCode: "C-C") == .couponLimitReached)
    }

    @Test("Stackable coupons combine: amounts first, larger first, then percentages on what is left")
    func stackableCouponsCombine() throws {
        let coupons = [
            T.coupon("C-A", Self.amount1000, stackable: true, templateId: "t-a"),
            T.coupon("C-B", .amount(valueFen: 1_500, thresholdFen: 5_000), stackable: true, templateId: "t-b"),
            T.coupon("C-C", .percent(percentBp: 1_000, thresholdFen: 0), stackable: true, templateId: "t-c"),
        ]
        // 9180 − 1500 − 1000 = 6680; 10 % of 6680 = 668.
        let quote = try T.quote([], [("MD-002", 2)], coupons: coupons, codes: ["C-C", "C-A", "C-B"])
        #expect(quote.applied.map(\.source) == [.coupon("C-B"), .coupon("C-A"), .coupon("C-C")])
        #expect(quote.applied.map(\.amountFen) == [1_500, 1_000, 668])
        #expect(quote.totalFen == 6_012)
        #expect(quote.rejected.isEmpty)
    }

    @Test("The shopper gets whichever is worth more: one non-stackable coupon or the stackable ones together")
    func bestCombinationForTheShopper() throws {
        let stackable = [
            T.coupon("C-S1", Self.amount1000, stackable: true, templateId: "t-s1"),
            T.coupon("C-S2", .percent(percentBp: 1_000, thresholdFen: 0), stackable: true, templateId: "t-s2"),
        ]
        // Together: 1000 + 10 % of 8180 (818) = 1818.
        let big = T.coupon("C-BIG", .amount(valueFen: 4_000, thresholdFen: 9_000), templateId: "t-big")
        let bigWins = try T.quote([], [("MD-002", 2)], coupons: stackable + [big], codes: ["C-S1", "C-S2", "C-BIG"])
        #expect(bigWins.totalFen == 5_180)
        #expect(bigWins.rejection(couponCode: "C-S1") == .couponLimitReached)
        #expect(bigWins.rejection(couponCode: "C-S2") == .couponLimitReached)
        let small = T.coupon("C-SMALL", .amount(valueFen: 1_500, thresholdFen: 0), templateId: "t-small")
        let setWins = try T.quote(
            [], [("MD-002", 2)], coupons: stackable + [small], codes: ["C-S1", "C-S2", "C-SMALL"])
        #expect(setWins.totalFen == 7_362)
        #expect(setWins.rejection(couponCode: "C-SMALL") == .couponLimitReached)
    }

    @Test("maxDiscountFen caps a percent coupon")
    func percentCouponCap() throws {
        // 20 % of 9180 is 1836, capped at 1000.
        let capped = T.coupon("C-20", .percent(percentBp: 2_000, thresholdFen: 0, maxDiscountFen: 1_000))
        let quote = try T.quote([], [("MD-002", 2)], coupons: [capped], codes: ["C-20"])
        #expect(quote.applied.first?.amountFen == 1_000)
        #expect(quote.totalFen == 8_180)
        let uncapped = T.coupon("C-20", .percent(percentBp: 2_000, thresholdFen: 0, maxDiscountFen: 5_000))
        #expect(try T.quote([], [("MD-002", 2)], coupons: [uncapped], codes: ["C-20"]).totalFen == 7_344)
    }

    @Test("The same coupons under different codes give the same total")
    func codeSpellingDoesNotChangeTheTotal() throws {
        func total(amountCode: String, percentCode: String) throws -> Int {
            let coupons = [
                T.coupon(amountCode, Self.amount1000, stackable: true, templateId: "t-amt"),
                T.coupon(
                    percentCode, .percent(percentBp: 1_000, thresholdFen: 0), stackable: true, templateId: "t-pct"),
            ]
            return try T.quote([], [("MD-002", 2)], coupons: coupons, codes: [amountCode, percentCode]).totalFen
        }
        // Amount first whatever the codes: 9180 − 1000 = 8180, then 10 % = 818 → 7362
        // (percent first would give 9180 − 918 − 1000 = 7262).
        #expect(try total(amountCode: "A-100", percentCode: "Z-10P") == 7_362)
        #expect(try total(amountCode: "Z-100", percentCode: "A-10P") == 7_362)
    }

    @Test("Lines discounted by a campaign that excludes coupons take no coupon and do not count toward its threshold")
    func excludesCoupons() throws {
        func campaign(excludes: Bool) -> Campaign {
            var campaign = T.campaign("c-jz", .itemDiscount(percentBp: 1_000), scope: CampaignScope(skus: ["JZ-004"]))
            campaign.stacking.excludesCoupons = excludes
            return campaign
        }
        // JZ-004 × 3 = 9870 − 987 = 8883; MD-002 × 2 = 9180.
        let lines = [("JZ-004", 3), ("MD-002", 2)]
        let high = T.coupon("C-HIGH", .amount(valueFen: 1_000, thresholdFen: 10_000))
        let excluded = try T.quote([campaign(excludes: true)], lines, coupons: [high], codes: ["C-HIGH"])
        #expect(excluded.rejection(couponCode: "C-HIGH") == .thresholdNotMet)
        #expect(excluded.totalFen == 8_883 + 9_180)
        let shared = try T.quote([campaign(excludes: false)], lines, coupons: [high], codes: ["C-HIGH"])
        #expect(shared.totalFen == 8_883 + 9_180 - 1_000)

        let low = T.coupon("C-LOW", .amount(valueFen: 1_000, thresholdFen: 5_000))
        let onlyTripe = try T.quote([campaign(excludes: true)], lines, coupons: [low], codes: ["C-LOW"])
        #expect(onlyTripe.line(sku: "JZ-004")?.adjustment(from: .coupon("C-LOW")) == nil)
        #expect(onlyTripe.line(sku: "MD-002")?.adjustment(from: .coupon("C-LOW"))?.amountFen == -1_000)
        #expect(onlyTripe.totalFen == 8_883 + 8_180)
    }

    @Test("Coupons in a scenario: templates with scope, stacking and a cap, priced end to end")
    func couponsInAScenario() throws {
        let templates = [
            J.template(
                "t-online", discount: ["kind": "amount", "valueFen": 1_000, "thresholdFen": 5_000],
                extra: ["scope": ["channels": ["online"]], "stackable": true]),
            J.template(
                "t-pct", discount: ["kind": "percent", "percentBp": 2_000, "maxDiscountFen": 1_200],
                extra: ["stackable": true]),
            J.template(
                "t-store", discount: ["kind": "amount", "valueFen": 3_000], extra: ["scope": ["stores": ["s-1"]]]),
        ]
        let coupons = [
            J.coupon("C-ON", template: "t-online"), J.coupon("C-PCT", template: "t-pct"),
            J.coupon("C-ST", template: "t-store"),
        ]
        // Online: the store coupon is out; 9180 − 1000 = 8180, 20 % = 1636 capped at 1200.
        let online = try J.quote(J.document(templates: templates, coupons: coupons, codes: ["C-ST", "C-PCT", "C-ON"]))
        #expect(online.totalFen == 6_980)
        #expect(online.rejection(couponCode: "C-ST") == .storeNotEligible)
        // In store s-1: the online coupon is out; 3000 alone beats 20 % capped at 1200.
        let store = try J.quote(
            J.document(
                templates: templates, coupons: coupons, codes: ["C-ST", "C-PCT", "C-ON"], channel: "store",
                storeId: "s-1"))
        #expect(store.totalFen == 6_180)
        #expect(store.rejection(couponCode: "C-ON") == .channelNotEligible)
        #expect(store.rejection(couponCode: "C-PCT") == .couponLimitReached)
    }
}
