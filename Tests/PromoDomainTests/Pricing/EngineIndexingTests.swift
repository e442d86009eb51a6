import Foundation
import PromoDomain
import Testing

/// The engine's precomputed indices (SKU table, per-campaign context facts) must resolve
/// exactly as plain `String` dictionary lookups and per-quote campaign checks would.
@Suite("Engine indexing")
struct EngineIndexingTests {
    typealias T = TestSupport

    @Test func canonicallyEquivalentSkuResolvesLikeADictionary() throws {
        let catalog = [Product(sku: "CAF\u{00C9}-1", name: "café", priceFen: 1_000, costFen: 400, category: "drinks")]
        let engine = try PricingEngine(catalog: catalog, campaigns: [])
        // Decomposed É: a different byte sequence, equal as a Swift String.
        let cart = Cart(
            customerId: "u-1", channel: "online", storeId: "s-online",
            lines: [Cart.Line(sku: "CAFE\u{0301}-1", quantity: 2)])
        let quote = try engine.quote(QuoteRequest(cart: cart, customer: CustomerContext(customerId: "u-1"), now: T.now))
        #expect(quote.lines.count == 1)
        #expect(quote.lines[0].quantity == 2)
        #expect(quote.totalFen == 2_000)
    }

    @Test func unknownSkuStillNamesTheField() throws {
        let engine = try PricingEngine(catalog: T.catalog, campaigns: [])
        let cart = Cart(
            customerId: "u-1", channel: "online", storeId: "s-online",
            lines: [Cart.Line(sku: "HP-001", quantity: 1), Cart.Line(sku: "NOPE-9", quantity: 1)])
        #expect(throws: PricingInputError.self) {
            _ = try engine.quote(QuoteRequest(cart: cart, customer: CustomerContext(customerId: "u-1"), now: T.now))
        }
        do {
            _ = try engine.quote(QuoteRequest(cart: cart, customer: CustomerContext(customerId: "u-1"), now: T.now))
        } catch {
            #expect(error.field == "cart.lines[1].sku")
        }
    }

    @Test func manySkusAllResolve() throws {
        let catalog = (0..<300).map {
            Product(sku: "SKU-\($0)", name: "p\($0)", priceFen: 100 + $0, costFen: 50, category: "c\($0 % 7)")
        }
        let engine = try PricingEngine(catalog: catalog, campaigns: [])
        for index in stride(from: 0, to: 300, by: 7) {
            let cart = Cart(
                customerId: "u-1", channel: "online", storeId: "s-online",
                lines: [Cart.Line(sku: "SKU-\(index)", quantity: 1)])
            let quote = try engine.quote(
                QuoteRequest(cart: cart, customer: CustomerContext(customerId: "u-1"), now: T.now))
            #expect(quote.lines.first?.sku == "SKU-\(index)")
            #expect(quote.totalFen == 100 + index)
        }
    }

    @Test func repeatedQuotesOnOneEngineAreIdentical() throws {
        let campaigns = [
            T.campaign(
                "c-item", .itemDiscount(percentBp: 1_000), scope: CampaignScope(categories: ["dumplings"]), priority: 1),
            T.campaign(
                "c-red", .spendReduction(tiers: [ReductionTier(thresholdFen: 10_000, reductionFen: 2_000)]), priority: 5
            ),
            T.campaign(
                "c-chan", .spendDiscount(tiers: [DiscountTier(thresholdFen: 0, percentBp: 500)]),
                scope: CampaignScope(channels: ["store"])),
            T.campaign(
                "c-new", .spendDiscount(tiers: [DiscountTier(thresholdFen: 0, percentBp: 500)]),
                audience: CampaignAudience(newCustomersOnly: true)),
        ]
        let engine = try PricingEngine(catalog: T.catalog, campaigns: campaigns)
        let cart = Cart(
            customerId: "u-1", channel: "online", storeId: "s-online",
            lines: [Cart.Line(sku: "JZ-004", quantity: 3), Cart.Line(sku: "HP-001", quantity: 2)])
        let request = QuoteRequest(cart: cart, customer: CustomerContext(customerId: "u-1"), now: T.now)
        let first = try engine.quote(request)
        for _ in 0..<5 { #expect(try engine.quote(request) == first) }
        #expect(first.rejection(campaignId: "c-chan") == .channelNotEligible)
        #expect(first.rejection(campaignId: "c-new") == .notInAudience)
        #expect(first.applied(campaignId: "c-item") != nil)
        #expect(first.applied(campaignId: "c-red") != nil)
    }
}
