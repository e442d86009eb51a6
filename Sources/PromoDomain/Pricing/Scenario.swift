import Foundation

/// An offline pricing scenario (`promoctl quote FILE`): catalog, campaigns with their
/// budget state, coupons, customer and cart, at a given instant.
///
/// Lets marketing try a draft campaign on a cart without a database; also the format of
/// the worked-example fixtures.
public struct Scenario: Sendable {
    public var now: Date
    public var catalog: [Product]
    public var campaigns: [Campaign]
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

    /// The checks that need the whole document: the request against the catalog's prices.
    /// The engine validates the rest.
    func validate() throws(PricingInputError) {
        try PricingEngine.validate(catalog: catalog)
        var prices: [String: Fen] = [:]
        for product in catalog { prices[product.sku] = product.priceFen }
        try PricingEngine.validate(request: request) { prices[$0] }
    }

    /// Builds the engine for this scenario's catalog, campaigns and coupons.
    public func makeEngine(policy: PricingPolicy = PricingPolicy()) throws(PricingInputError) -> PricingEngine {
        try PricingEngine(catalog: catalog, campaigns: campaigns, coupons: coupons, policy: policy)
    }

    /// The quote request of this scenario.
    public var request: QuoteRequest {
        QuoteRequest(cart: cart, customer: customer, now: now, stockAvailable: stock)
    }

    /// Validates, builds the engine and prices the cart in one step.
    public func quote() throws(PricingInputError) -> Quote {
        let engine = try makeEngine()
        let request = self.request
        try engine.validate(request)
        return try engine.quote(request)
    }
}
