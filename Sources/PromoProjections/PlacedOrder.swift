/// What the read models take from an `OrderPlaced` payload: who, where, when, the totals, the coupons, what each
/// campaign took off, and the purchased lines of its quote (the rest of the quote, and its record, are left
/// undecoded; a read model's definition may leave them out altogether).
///
/// `quote` and `coupons` are always written by the command side; a hand-made payload without them has no lines
/// and no coupon.
struct PlacedOrder: Decodable {
    struct Quote: Decodable {
        var lines: [Line]
    }

    struct Line: Decodable {
        var sku: String
        var quantity: Int
        var listFen: Int64
        var netFen: Int64
    }

    struct CampaignUse: Decodable {
        var campaignId: String
        var discountFen: Int64
        var giftCostFen: Int64
    }

    var orderId: String
    var customerId: String
    var channel: String
    var storeId: String
    var day: String
    var totalFen: Int64
    /// The list value of the goods, before any reduction (the command side always writes it).
    var subtotalFen: Int64?
    var coupons: [String]?
    var campaigns: [CampaignUse]?
    var quote: Quote?

    var lines: [Line] { quote?.lines ?? [] }

    /// The campaigns the order used, for a read model that needs them (and did not omit them): an order without
    /// the key cannot be counted, so its event is refused.
    func campaignUses() throws -> [CampaignUse] {
        guard let campaigns else { throw Missing(description: "order \(orderId) has no campaigns") }
        return campaigns
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }
}

/// The order an order event is about.
struct OrderKey: Decodable {
    var orderId: String
}
