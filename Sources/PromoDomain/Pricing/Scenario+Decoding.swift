import Foundation

/// Decoding of the scenario document and its parts, with defaults for optional fields.
extension Scenario: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        now = try container.timestamp(AnyKey("now"))
        catalog = try container.decode([Product].self, forKey: AnyKey("catalog"))
        campaigns = try container.list(AnyKey("campaigns"))
        coupons = try container.list(AnyKey("coupons"))
        customer = try container.decode(CustomerContext.self, forKey: AnyKey("customer"))
        cart = try container.decode(Cart.self, forKey: AnyKey("cart"))
        if container.contains(AnyKey("stock")) {
            let stockContainer = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("stock"))
            var stock: [String: Int] = [:]
            for key in stockContainer.allKeys { stock[key.stringValue] = try stockContainer.integer(key) }
            self.stock = stock
        } else {
            stock = [:]
        }
    }
}

extension Product: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        self.init(
            sku: try container.decode(String.self, forKey: AnyKey("sku")),
            name: try container.decodeIfPresent(String.self, forKey: AnyKey("name")) ?? "",
            priceFen: try container.integer(AnyKey("priceFen")),
            costFen: try container.integerIfPresent(AnyKey("costFen")) ?? 0,
            category: try container.decodeIfPresent(String.self, forKey: AnyKey("category")) ?? "",
            tags: try container.list(AnyKey("tags")))
    }
}

extension CampaignScope: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        self.init(
            skus: try container.list(AnyKey("skus")), categories: try container.list(AnyKey("categories")),
            channels: try container.list(AnyKey("channels")), stores: try container.list(AnyKey("stores")),
            regions: try container.list(AnyKey("regions")))
    }
}

extension CampaignAudience: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        self.init(
            newCustomersOnly: try container.decodeIfPresent(Bool.self, forKey: AnyKey("newCustomersOnly")) ?? false,
            tiers: try container.list(AnyKey("tiers")), tags: try container.list(AnyKey("tags")))
    }
}

extension Coupon: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let discount = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("discount"))
        let kind = try discount.decode(String.self, forKey: AnyKey("kind"))
        let threshold = try discount.integerIfPresent(AnyKey("thresholdFen")) ?? 0
        let parsed: Discount
        switch kind {
        case "amount": parsed = .amount(valueFen: try discount.integer(AnyKey("valueFen")), thresholdFen: threshold)
        case "percent": parsed = .percent(percentBp: try discount.integer(AnyKey("percentBp")), thresholdFen: threshold)
        default:
            throw DecodingError.dataCorruptedError(
                forKey: AnyKey("kind"), in: discount, debugDescription: "unknown coupon discount kind \"\(kind)\"")
        }
        self.init(
            code: try container.decode(String.self, forKey: AnyKey("code")),
            customerId: try container.decode(String.self, forKey: AnyKey("customerId")),
            discount: parsed,
            validFrom: try container.timestamp(AnyKey("validFrom")),
            validUntil: try container.timestamp(AnyKey("validUntil")),
            scope: try container.decodeIfPresent(CampaignScope.self, forKey: AnyKey("scope")) ?? CampaignScope(),
            campaignId: try container.decodeIfPresent(String.self, forKey: AnyKey("campaignId")),
            redeemed: try container.decodeIfPresent(Bool.self, forKey: AnyKey("redeemed")) ?? false)
    }
}

extension CustomerContext: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        var purchases: [String: Int] = [:]
        if container.contains(AnyKey("flashPurchases")) {
            let nested = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("flashPurchases"))
            for key in nested.allKeys { purchases[key.stringValue] = try nested.integer(key) }
        }
        self.init(
            customerId: try container.decode(String.self, forKey: AnyKey("customerId")),
            tier: try container.decodeIfPresent(String.self, forKey: AnyKey("tier")) ?? "regular",
            tags: try container.list(AnyKey("tags")),
            isNew: try container.decodeIfPresent(Bool.self, forKey: AnyKey("isNew")) ?? false,
            pointsBalance: try container.integerIfPresent(AnyKey("pointsBalance")) ?? 0,
            flashPurchases: purchases,
            region: try container.decodeIfPresent(String.self, forKey: AnyKey("region")))
    }
}

extension Cart: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        self.init(
            customerId: try container.decode(String.self, forKey: AnyKey("customerId")),
            channel: try container.decode(String.self, forKey: AnyKey("channel")),
            storeId: try container.decodeIfPresent(String.self, forKey: AnyKey("storeId")) ?? "",
            region: try container.decodeIfPresent(String.self, forKey: AnyKey("region")),
            lines: try container.decode([Line].self, forKey: AnyKey("lines")),
            couponCodes: try container.list(AnyKey("couponCodes")),
            pointsToRedeem: try container.integerIfPresent(AnyKey("pointsToRedeem")) ?? 0)
    }
}

extension Cart.Line: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        self.init(
            sku: try container.decode(String.self, forKey: AnyKey("sku")),
            quantity: try container.integer(AnyKey("quantity")))
    }
}
