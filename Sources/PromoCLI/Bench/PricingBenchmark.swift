import Foundation
import PromoDomain

/// Measures pricing throughput on the calling thread: a 10-line cart against 50 active
/// campaigns of which a handful apply.
///
/// The target (100 000 quotes/s on one core, release build) keeps pricing cheap enough to
/// run on every cart change in the channels.
public enum PricingBenchmark {
    /// The result of one run.
    public struct Report: Codable, Sendable, Hashable {
        /// The median round's rate: what is compared with the target.
        public var quotesPerSecond: Double
        /// The slowest and fastest rounds: on a shared machine the spread is the host's, not the engine's.
        public var slowestRound: Double
        public var fastestRound: Double
        public var rounds: Int
        public var iterations: Int
        public var seconds: Double
        public var target: Double
        /// quotesPerSecond / target.
        public var ratio: Double
        /// Total of the benchmark quote, to check the work is not optimised away.
        public var quoteTotalFen: Int
    }

    /// Runs `rounds` rounds over about `seconds` of wall-clock time in all and reports the median round's rate.
    public static func run(seconds: Double, rounds: Int = 7) throws -> Report {
        let (engine, request) = try fixture()
        let warm = try engine.quote(request)
        let clock = ContinuousClock()
        let rounds = max(rounds, 1)
        let budget = Duration.milliseconds(Int64(max(seconds / Double(rounds), 0.01) * 1000))
        var rates: [Double] = []
        var iterations = 0
        var elapsedSeconds = 0.0
        for _ in 0..<rounds {
            let start = clock.now
            var done = 0
            var checksum = 0
            while clock.now - start < budget {
                for _ in 0..<256 {
                    checksum &+= try engine.quote(request).totalFen
                }
                done += 256
            }
            let elapsed = clock.now - start
            let roundSeconds = elapsed.seconds
            precondition(checksum == warm.totalFen &* done, "pricing must be deterministic")
            rates.append(Double(done) / roundSeconds)
            iterations += done
            elapsedSeconds += roundSeconds
        }
        rates.sort()
        let median = rates[rates.count / 2]
        return Report(
            quotesPerSecond: median.rounded(), slowestRound: rates[0].rounded(),
            fastestRound: rates[rates.count - 1].rounded(),
            rounds: rounds, iterations: iterations, seconds: elapsedSeconds, target: 100_000,
            ratio: median / 100_000, quoteTotalFen: warm.totalFen)
    }

    /// The benchmark engine and cart: 20 products, 50 campaigns (a two-member exclusive group across levels,
    /// a non-stackable flash sale, a delivery-fee waiver and a 第二件半价 among the twelve that apply), 10 cart
    /// lines with a delivery fee.
    public static func fixture() throws -> (PricingEngine, QuoteRequest) {
        let now = Date(timeIntervalSince1970: 1_794_362_400)
        let window = CampaignWindow(start: now.addingTimeInterval(-86_400), end: now.addingTimeInterval(86_400))
        let past = CampaignWindow(start: now.addingTimeInterval(-10 * 86_400), end: now.addingTimeInterval(-86_400))
        let categories = ["hotpot", "dumplings", "desserts", "meat"]
        var catalog: [Product] = []
        for index in 0..<20 {
            catalog.append(
                Product(
                    sku: "SKU-\(100 + index)", name: "product \(index)", priceFen: 1_000 + 137 * index,
                    costFen: 500 + 50 * index,
                    category: categories[index % 4]))
        }
        var campaigns: [Campaign] = []
        // A handful that apply to the cart.
        campaigns.append(
            Campaign(
                campaignId: "b-apply-01", rules: .itemDiscount(percentBp: 1_000), window: window,
                scope: CampaignScope(categories: ["dumplings"]), stacking: CampaignStacking(priority: 1)))
        campaigns.append(
            Campaign(
                campaignId: "b-apply-02", rules: .specialPrice(prices: ["SKU-100": 800, "SKU-104": 1_200]),
                window: window,
                stacking: CampaignStacking(priority: 2)))
        campaigns.append(
            Campaign(
                campaignId: "b-apply-03",
                rules: .bundle(
                    BundleRule(
                        items: [.init(sku: "SKU-102", quantity: 1), .init(sku: "SKU-103", quantity: 1)],
                        bundlePriceFen: 2_300)),
                window: window, stacking: CampaignStacking(priority: 3)))
        campaigns.append(
            Campaign(
                campaignId: "b-apply-04",
                rules: .spendReduction(tiers: [
                    ReductionTier(thresholdFen: 10_000, reductionFen: 1_000),
                    ReductionTier(thresholdFen: 20_000, reductionFen: 3_000),
                ]),
                window: window, stacking: CampaignStacking(priority: 10),
                budgetLeft: BudgetAmounts(discountFen: 10_000_000)))
        campaigns.append(
            Campaign(
                campaignId: "b-apply-05",
                rules: .spendDiscount(tiers: [DiscountTier(thresholdFen: 5_000, percentBp: 500)]),
                window: window, scope: CampaignScope(categories: ["hotpot"]), stacking: CampaignStacking(priority: 20)))
        campaigns.append(
            Campaign(
                campaignId: "b-apply-06",
                rules: .gift(GiftRule(thresholdFen: 15_000, giftSku: "SKU-119", giftQuantity: 1)),
                window: window, stacking: CampaignStacking(priority: 30)))
        campaigns.append(
            Campaign(
                campaignId: "b-apply-07", rules: .rebate(RebateRule(thresholdFen: 10_000, reward: .points(500))),
                window: window,
                stacking: CampaignStacking(priority: 40)))
        // An exclusive group across levels (both members apply alone; the engine prices each alone to pick),
        // and a non-stackable flash sale whose unit later levels leave alone.
        campaigns.append(
            Campaign(
                campaignId: "b-group-a", rules: .itemDiscount(percentBp: 1_500), window: window,
                scope: CampaignScope(skus: ["SKU-108", "SKU-109"]),
                stacking: CampaignStacking(priority: 5, exclusiveGroup: "double11")))
        campaigns.append(
            Campaign(
                campaignId: "b-group-b",
                rules: .spendDiscount(tiers: [DiscountTier(thresholdFen: 3_000, percentBp: 800)]), window: window,
                scope: CampaignScope(categories: ["dumplings", "meat"]),
                stacking: CampaignStacking(priority: 15, exclusiveGroup: "double11")))
        campaigns.append(
            Campaign(
                campaignId: "b-flash",
                rules: .flashSale(FlashSaleRule(sku: "SKU-107", priceFen: 990, quantity: 500, perCustomerLimit: 1)),
                window: window, stacking: CampaignStacking(priority: 0, stackable: false)))
        // Round-two mechanics: a delivery-fee waiver and a 第二件半价 that apply, and two that do not.
        campaigns.append(
            Campaign(
                campaignId: "b-ship", rules: .freeShipping(FreeShippingRule(thresholdFen: 5_000)), window: window,
                stacking: CampaignStacking(priority: 50)))
        campaigns.append(
            Campaign(
                campaignId: "b-second-half", rules: .multiBuy(MultiBuyRule(units: 2, percentBp: 5_000)),
                window: window, scope: CampaignScope(categories: ["desserts"]), stacking: CampaignStacking(priority: 25)
            ))
        campaigns.append(
            Campaign(
                campaignId: "b-units",
                rules: .quantityReduction(
                    QuantityReductionRule(tiers: [.init(thresholdUnits: 40, reductionFen: 3_000)])),
                window: window))
        campaigns.append(
            Campaign(
                campaignId: "b-every",
                rules: .repeatReduction(RepeatReductionRule(everyFen: 10_000, reductionFen: 1_000)), window: past))
        // The rest do not apply: other channel, ended, other SKUs, audience, thresholds.
        for index in 0..<36 {
            let id = "b-other-\(index)"
            switch index % 6 {
            case 0:
                campaigns.append(
                    Campaign(
                        campaignId: id, rules: .itemDiscount(percentBp: 2_000), window: window,
                        scope: CampaignScope(skus: ["SKU-11\(index % 9)"], channels: ["store"])))
            case 1:
                campaigns.append(
                    Campaign(
                        campaignId: id,
                        rules: .spendReduction(tiers: [ReductionTier(thresholdFen: 5_000, reductionFen: 900)]),
                        window: past))
            case 2:
                campaigns.append(
                    Campaign(
                        campaignId: id,
                        rules: .flashSale(
                            FlashSaleRule(sku: "SKU-11\(index % 9)", priceFen: 500, quantity: 100, perCustomerLimit: 2)),
                        window: window))
            case 3:
                campaigns.append(
                    Campaign(
                        campaignId: id,
                        rules: .spendDiscount(tiers: [DiscountTier(thresholdFen: 1_000, percentBp: 800)]),
                        window: window,
                        audience: CampaignAudience(newCustomersOnly: true)))
            case 4:
                campaigns.append(
                    Campaign(
                        campaignId: id,
                        rules: .gift(GiftRule(thresholdFen: 900_000, giftSku: "SKU-118", giftQuantity: 1)),
                        window: window))
            default:
                campaigns.append(
                    Campaign(
                        campaignId: id,
                        rules: .bundle(
                            BundleRule(
                                items: [.init(sku: "SKU-115", quantity: 1), .init(sku: "SKU-116", quantity: 1)],
                                bundlePriceFen: 2_000)),
                        window: window, status: .paused))
            }
        }
        let engine = try PricingEngine(catalog: catalog, campaigns: campaigns)
        let lines = (0..<10).map { Cart.Line(sku: "SKU-\(100 + $0)", quantity: 1 + $0 % 3) }
        let cart = Cart(
            customerId: "u-bench", channel: "online", storeId: "s-online", lines: lines, shippingFeeFen: 1_200)
        let customer = CustomerContext(customerId: "u-bench", tier: "gold")
        return (engine, QuoteRequest(cart: cart, customer: customer, now: now))
    }
}
