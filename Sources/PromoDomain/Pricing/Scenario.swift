import Foundation

/// An offline pricing scenario (`promoctl quote FILE`): catalog, campaigns with their
/// budget state, coupon templates and issued coupons, customer and cart, at a given instant.
///
/// Lets marketing try a draft campaign on a cart without a database; also the format of
/// the worked-example fixtures. A campaign is API.md's campaign body plus the state the
/// store holds in production (`status`, `budgetLeft`, `flashQuantityLeft`); a coupon
/// template is API.md's template body; an issued coupon is `{code, templateId,
/// customerId, redeemed?}`. Unknown keys anywhere are errors naming the key.
public struct Scenario: Sendable {
    public var now: Date
    public var catalog: [Product]
    public var campaigns: [Campaign]
    public var couponTemplates: [CouponTemplate]
    /// Issued coupons, each with its template's terms.
    public var coupons: [Coupon]
    public var customer: CustomerContext
    public var cart: Cart
    /// Available units per SKU (optional), consulted for gift stock.
    public var stock: [String: Int]

    /// Decodes and validates a scenario document.
    ///
    /// - Throws: `PricingInputError` naming the first invalid field (e.g.
    ///   `campaigns[0].rules.tiers[1].reductionFen`), never a crash.
    public static func decode(from data: Data) throws(PricingInputError) -> Scenario {
        let scenario: Scenario
        do {
            scenario = try JSONDecoder().decode(Scenario.self, from: data)
        } catch let error as DecodingError {
            let mapped = ScenarioDecoding.inputError(error)
            // The decoder reports a fractional number where an integer belongs as invalid
            // JSON without a path; find the number so the message names the field.
            if mapped.field == "(root)", let field = ScenarioDecoding.firstFractionalNumber(in: data) {
                throw PricingInputError(field: field, message: "must be an integer (money is integer fen)")
            }
            throw mapped
        } catch {
            throw PricingInputError(field: "(root)", message: "could not be read")
        }
        try scenario.validate()
        return scenario
    }

    /// The checks that need the whole document: the catalog, templates and how many coupons each issued, every
    /// campaign's rules (by building the engine), and the request against the catalog's prices.
    func validate() throws(PricingInputError) {
        try PricingEngine.validate(catalog: catalog)
        try PricingEngine.validate(couponTemplates: couponTemplates, campaigns: campaigns)
        // The campaigns' rules, coupons and rebates as the engine checks them, so a document that decodes is
        // one the engine can price.
        _ = try makeEngine()
        var issued: [String: Int] = [:]
        var held: [String: Int] = [:]
        for (index, coupon) in coupons.enumerated() {
            let template = coupon.template
            issued[template.templateId, default: 0] += 1
            held["\(template.templateId)\u{0}\(coupon.customerId)", default: 0] += 1
            if let total = template.totalQuantity, issued[template.templateId, default: 0] > total {
                throw PricingInputError(
                    field: "coupons[\(index)].templateId",
                    message: "template \(template.templateId) issues at most \(total) coupons (totalQuantity)")
            }
            if let limit = template.perCustomerLimit,
                held["\(template.templateId)\u{0}\(coupon.customerId)", default: 0] > limit
            {
                throw PricingInputError(
                    field: "coupons[\(index)].customerId",
                    message:
                        "customer \(coupon.customerId) may hold at most \(limit) coupons of template \(template.templateId) (perCustomerLimit)"
                )
            }
        }
        var prices: [String: Fen] = [:]
        for product in catalog { prices[product.sku] = product.priceFen }
        try PricingEngine.validate(request: request) { prices[$0] }
    }

    /// Builds the engine for this scenario's catalog, campaigns and coupons.
    public func makeEngine(policy: PricingPolicy = PricingPolicy()) throws(PricingInputError) -> PricingEngine {
        try PricingEngine(
            catalog: catalog, campaigns: campaigns, coupons: coupons, couponTemplates: couponTemplates, policy: policy)
    }

    /// The quote request of this scenario.
    public var request: QuoteRequest {
        QuoteRequest(cart: cart, customer: customer, now: now, stockAvailable: stock)
    }

    /// Validates, builds the engine and prices the cart in one step.
    public func quote() throws(PricingInputError) -> Quote {
        try makeEngine().quote(request)  // quote(_:) checks the request's bounds first
    }
}
