import Foundation
import PromoDomain
import Testing

@Suite("Pricing properties over generated carts")
struct PropertyTests {
    typealias T = TestSupport
    static let skus = T.catalog.map(\.sku)

    static func randomCampaigns(_ rng: inout SplitMix64) -> [Campaign] {
        var campaigns: [Campaign] = []
        for index in 0..<Int.random(in: 1...7, using: &rng) {
            let id = "c-\(index)"
            let sku = skus.randomElement(using: &rng) ?? "HP-001"
            let budget: BudgetAmounts? =
                Bool.random(using: &rng)
                ? BudgetAmounts(discountFen: Int.random(in: 0...6_000, using: &rng), giftCostFen: 3_000) : nil
            let rules: CampaignRules
            switch Int.random(in: 0..<16, using: &rng) {
            case 0:
                // A reduction takes off at most its threshold, when it has one.
                let threshold = Int.random(in: 0...20_000, using: &rng)
                rules = .spendReduction(tiers: [
                    ReductionTier(
                        thresholdFen: threshold,
                        reductionFen: Int.random(in: 1...(threshold > 0 ? min(6_000, threshold) : 6_000), using: &rng))
                ])
            case 1:
                rules = .spendDiscount(tiers: [
                    DiscountTier(
                        thresholdFen: Int.random(in: 0...20_000, using: &rng),
                        percentBp: Int.random(in: 1...5_000, using: &rng))
                ])
            case 2: rules = .itemDiscount(percentBp: Int.random(in: 1...9_000, using: &rng))
            case 3: rules = .specialPrice(prices: [sku: Int.random(in: 0...4_000, using: &rng)])
            case 4:
                rules = .flashSale(
                    FlashSaleRule(
                        sku: sku, priceFen: Int.random(in: 0...2_000, using: &rng),
                        quantity: Int.random(in: 1...3, using: &rng),
                        perCustomerLimit: Int.random(in: 1...3, using: &rng)))
            case 5:
                // 满X元赠 or 满N件赠.
                rules = .gift(
                    Bool.random(using: &rng)
                        ? GiftRule(
                            thresholdFen: Int.random(in: 0...15_000, using: &rng), giftSku: sku,
                            giftQuantity: Int.random(in: 1...2, using: &rng))
                        : GiftRule(
                            thresholdUnits: Int.random(in: 1...5, using: &rng), giftSku: sku,
                            giftQuantity: Int.random(in: 1...2, using: &rng)))
            case 6:
                rules = .addOn(
                    AddOnRule(
                        thresholdFen: Int.random(in: 0...10_000, using: &rng), sku: sku,
                        priceFen: Int.random(in: 0...1_000, using: &rng)))
            case 7:
                let other = skus.randomElement(using: &rng) ?? "MD-002"
                let items =
                    other == sku
                    ? [BundleRule.Item(sku: sku, quantity: 2)]
                    : [.init(sku: sku, quantity: 1), .init(sku: other, quantity: 1)]
                rules = .bundle(BundleRule(items: items, bundlePriceFen: Int.random(in: 1_000...8_000, using: &rng)))
            case 9:
                rules = .quantityReduction(
                    QuantityReductionRule(tiers: [
                        .init(
                            thresholdUnits: Int.random(in: 1...4, using: &rng),
                            reductionFen: Int.random(in: 1...3_000, using: &rng))
                    ]))
            case 10:
                rules = .quantityDiscount(
                    QuantityDiscountRule(tiers: [
                        .init(
                            thresholdUnits: Int.random(in: 1...4, using: &rng),
                            percentBp: Int.random(in: 1...5_000, using: &rng))
                    ]))
            case 11:
                let every = Int.random(in: 1_000...10_000, using: &rng)
                rules = .repeatReduction(
                    RepeatReductionRule(
                        everyFen: every, reductionFen: Int.random(in: 1...every, using: &rng),
                        maxReductionFen: Bool.random(using: &rng) ? every : nil))
            case 12:
                rules = .multiBuy(
                    MultiBuyRule(
                        units: Int.random(in: 2...3, using: &rng), percentBp: Int.random(in: 1...10_000, using: &rng)))
            case 13:
                rules = .pickAny(
                    PickAnyRule(
                        units: Int.random(in: 2...3, using: &rng), priceFen: Int.random(in: 1_000...9_000, using: &rng))
                )
            case 14:
                rules = .unitAmountOff(UnitAmountOffRule(amountFen: Int.random(in: 1...5_000, using: &rng)))
            case 15:
                rules = .freeShipping(
                    FreeShippingRule(
                        thresholdFen: Int.random(in: 0...10_000, using: &rng),
                        reductionFen: Bool.random(using: &rng) ? Int.random(in: 1...800, using: &rng) : nil))
            default:
                rules = .rebate(
                    RebateRule(
                        thresholdFen: Int.random(in: 0...10_000, using: &rng),
                        reward: .points(Int.random(in: 1...500, using: &rng))))
            }
            let scope =
                Int.random(in: 0..<3, using: &rng) == 0 ? CampaignScope(categories: ["hotpot"]) : CampaignScope()
            var campaign = T.campaign(
                id, rules, scope: scope, priority: Int.random(in: 0...3, using: &rng),
                group: Int.random(in: 0..<4, using: &rng) == 0 ? "g" : nil,
                stackable: Int.random(in: 0..<6, using: &rng) != 0,
                budgetLeft: budget)
            // Some apply what their budget left allows instead of nothing.
            campaign.partialBudget = Int.random(in: 0..<4, using: &rng) == 0
            campaigns.append(campaign)
        }
        return campaigns
    }

    @Test func invariantsHoldForThousandsOfCarts() throws {
        var rng = SplitMix64(seed: 0x5EED_2026)
        for _ in 0..<2_000 {
            let campaigns = Self.randomCampaigns(&rng)
            var lines: [(String, Int)] = []
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                lines.append((Self.skus.randomElement(using: &rng) ?? "HP-001", Int.random(in: 1...4, using: &rng)))
            }
            let coupons = [
                T.coupon("C-1", .amount(valueFen: 800, thresholdFen: 3_000), campaignId: campaigns[0].campaignId)
            ]
            let points = Int.random(in: 0...700, using: &rng)
            let shippingFee = Bool.random(using: &rng) ? Int.random(in: 1...1_500, using: &rng) : 0
            let quote = try T.quote(
                campaigns, lines, coupons: coupons, codes: ["C-1"], points: points, shippingFee: shippingFee)

            #expect(quote.totalFen == quote.lines.reduce(0) { $0 + $1.netFen } + (quote.shipping?.netFen ?? 0))
            #expect((quote.shipping?.netFen ?? 0) >= 0)
            for line in quote.lines + quote.gifts {
                #expect(line.netFen >= 0)
                #expect(line.netFen == line.listFen + line.adjustments.reduce(0) { $0 + $1.amountFen })
            }
            if let shipping = quote.shipping {
                #expect(shipping.netFen == shipping.feeFen + shipping.adjustments.reduce(0) { $0 + $1.amountFen })
            }
            for entry in quote.applied where entry.kind != "gift" && entry.kind != "rebate" {
                // Money off lands on the lines, a waiver on the delivery fee.
                let onLines = quote.lines.reduce(0) { sum, line in
                    sum + (line.adjustment(from: entry.source)?.amountFen ?? 0)
                }
                let onShipping =
                    quote.shipping?.adjustments.filter { $0.source == entry.source }
                    .reduce(0) { $0 + $1.amountFen } ?? 0
                #expect(-(onLines + onShipping) == entry.amountFen)
            }
            for campaign in campaigns {
                let charge = quote.budgetCharge(campaignId: campaign.campaignId)
                if let left = campaign.budgetLeft {
                    #expect(charge.discountFen <= left.discountFen ?? .max)
                    #expect(charge.giftCostFen <= left.giftCostFen ?? .max)
                }
            }

            // Order independence.
            let shuffled = try T.quote(
                campaigns.shuffled(using: &rng), lines.shuffled(using: &rng), coupons: coupons, codes: ["C-1"],
                points: points, shippingFee: shippingFee)
            #expect(shuffled == quote)

            // The record an order keeps gives back the same quote, as far as refunds read it.
            let recorded = try Quote(record: quote.record)
            #expect(recorded.record == quote.record)

            // Refund in random partial steps returns exactly the total and the budgets, from the quote and from
            // its record alike.
            var previous = ReturnedUnits()
            var refunded = 0
            var released: [String: Int] = [:]
            var remaining = Dictionary(quote.lines.map { ($0.sku, $0.quantity) }, uniquingKeysWith: +)
            var giftsLeft = Dictionary(quote.gifts.map { ($0.giftCampaignId ?? "", $0.quantity) }, uniquingKeysWith: +)
            while remaining.values.contains(where: { $0 > 0 }) || giftsLeft.values.contains(where: { $0 > 0 }) {
                var step = ReturnedUnits()
                for (sku, left) in remaining where left > 0 { step.lines[sku] = Int.random(in: 0...left, using: &rng) }
                for (id, left) in giftsLeft where left > 0 { step.gifts[id] = Int.random(in: 0...left, using: &rng) }
                let refund = try quote.refund(step, after: previous)
                #expect(try recorded.refund(step, after: previous) == refund)
                refunded += refund.refundFen
                for release in refund.budgetReleases { released[release.campaignId, default: 0] += release.totalFen }
                for (sku, count) in step.lines {
                    remaining[sku, default: 0] -= count; previous.lines[sku, default: 0] += count
                }
                for (id, count) in step.gifts {
                    giftsLeft[id, default: 0] -= count; previous.gifts[id, default: 0] += count
                }
            }
            #expect(refunded == quote.totalFen)
            for charge in quote.budgetCharges { #expect(released[charge.campaignId, default: 0] == charge.totalFen) }
        }
    }
}
