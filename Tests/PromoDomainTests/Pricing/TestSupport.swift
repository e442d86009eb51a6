import Foundation
import PromoDomain

/// Shared catalog, clock and builders for pricing tests.
enum TestSupport {
    static let now = Date(timeIntervalSince1970: 1_794_362_400)  // 2026-11-11T10:00:00+08:00
    static let window = CampaignWindow(start: now.addingTimeInterval(-86_400), end: now.addingTimeInterval(86_400))

    static let catalog = [
        Product(sku: "HP-001", name: "牛油火锅底料", priceFen: 3990, costFen: 1800, category: "hotpot"),
        Product(sku: "MD-002", name: "毛肚", priceFen: 4590, costFen: 2500, category: "hotpot"),
        Product(sku: "WZ-003", name: "牛肉丸", priceFen: 2990, costFen: 1400, category: "hotpot"),
        Product(sku: "JZ-004", name: "钟水饺", priceFen: 3290, costFen: 1500, category: "dumplings"),
        Product(sku: "TY-005", name: "汤圆", priceFen: 1590, costFen: 700, category: "desserts"),
    ]

    static func campaign(
        _ id: String,
        _ rules: CampaignRules,
        scope: CampaignScope = CampaignScope(),
        audience: CampaignAudience = CampaignAudience(),
        priority: Int = 10,
        group: String? = nil,
        stackable: Bool = true,
        status: CampaignStatus = .active,
        window: CampaignWindow = window,
        budgetLeft: BudgetAmounts? = nil,
        flashLeft: Int? = nil
    ) -> Campaign {
        Campaign(
            campaignId: id, name: id, rules: rules, window: window, scope: scope, audience: audience,
            stacking: CampaignStacking(priority: priority, exclusiveGroup: group, stackable: stackable), status: status,
            budgetLeft: budgetLeft, flashQuantityLeft: flashLeft)
    }

    static func quote(
        _ campaigns: [Campaign],
        _ lines: [(String, Int)],
        coupons: [Coupon] = [],
        codes: [String] = [],
        points: Int = 0,
        customer: CustomerContext = CustomerContext(customerId: "u-1", tier: "gold", pointsBalance: 500),
        channel: String = "online",
        storeId: String = "s-online",
        stock: [String: Int] = [:],
        shippingFee: Fen = 0
    ) throws -> Quote {
        let engine = try PricingEngine(
            catalog: catalog, campaigns: campaigns, coupons: coupons, couponTemplates: rebateTemplates)
        let cart = Cart(
            customerId: "u-1", channel: channel, storeId: storeId,
            lines: lines.map { Cart.Line(sku: $0.0, quantity: $0.1) }, couponCodes: codes, pointsToRedeem: points,
            shippingFeeFen: shippingFee)
        return try engine.quote(QuoteRequest(cart: cart, customer: customer, now: now, stockAvailable: stock))
    }

    /// Templates the rebate tests grant coupons of: `t-1`, ¥5 off from ¥30.
    static let rebateTemplates = [
        CouponTemplate(
            templateId: "t-1", discount: .amount(valueFen: 500, thresholdFen: 3_000), validFrom: window.start,
            validUntil: window.end)
    ]

    static func scenario(_ name: String) throws -> Scenario {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw PricingInputError(field: name, message: "fixture missing")
        }
        return try Scenario.decode(from: Data(contentsOf: url))
    }

    static func coupon(
        _ code: String,
        _ discount: Coupon.Discount,
        owner: String = "u-1",
        validFrom: Date = window.start,
        validUntil: Date = window.end,
        scope: CampaignScope = CampaignScope(),
        campaignId: String? = nil,
        stackable: Bool = false,
        templateId: String = ""
    ) -> Coupon {
        Coupon(
            code: code, customerId: owner, discount: discount, validFrom: validFrom, validUntil: validUntil,
            scope: scope, campaignId: campaignId, stackable: stackable, templateId: templateId)
    }
}
