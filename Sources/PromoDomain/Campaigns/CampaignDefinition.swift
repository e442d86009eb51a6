import Foundation

/// A campaign body (API.md's `POST /v1/campaigns`) checked exactly as the pricing engine will read it: the
/// scenario format's decoder and the engine's validation, against the catalog's SKUs.
public struct CampaignDefinition: Sendable, Equatable {
    /// The body, canonical, as stored in the campaign's events.
    public let json: JSONValue
    /// The campaign the engine prices (status and budget left are the store's, not the body's).
    public let campaign: Campaign

    /// Keys of the scenario format that are the store's state, never a body's.
    public static let storeKeptKeys: Set<String> = ["status", "budgetLeft", "flashQuantityLeft", "ordersLeft"]

    /// - Throws: `PricingInputError` naming the field (`rules.tiers[1].reductionFen`); an unknown SKU carries
    ///   it in `unknownSKU`.
    public init(json: JSONValue, knownSKUs: Set<String>) throws(PricingInputError) {
        guard case .object(let members) = json else {
            throw PricingInputError(field: "(root)", message: "must be a JSON object")
        }
        if let key = members.keys.sorted().first(where: Self.storeKeptKeys.contains) {
            throw PricingInputError(
                field: key, message: "is kept by the store (from orders and the lifecycle), not set in a body")
        }
        let campaign: Campaign
        do {
            campaign = try JSONDecoder().decode(Campaign.self, from: Data(json.canonicalString.utf8))
        } catch let error as DecodingError {
            throw ScenarioDecoding.inputError(error)
        } catch {
            throw PricingInputError(field: "(root)", message: "could not be read")
        }
        var productIndex: [String: Int] = [:]
        for (index, sku) in knownSKUs.sorted().enumerated() { productIndex[sku] = index }
        do {
            try PricingEngine.validate(campaigns: [campaign], productIndex: productIndex)
        } catch {
            // The engine names fields within its campaign list; a body is one campaign.
            var relative = error
            relative.field = String(error.field.dropFirst("campaigns[0].".count))
            throw relative
        }
        self.json = json
        self.campaign = campaign
    }
}
