import Foundation

/// Decoding of the scenario document and its parts, with defaults for optional fields.
///
/// Every object rejects keys it does not know, naming the key's full path, so a misspelt
/// field is never read as "not given".
extension Scenario: Decodable {
    static let keys = ["now", "catalog", "campaigns", "couponTemplates", "coupons", "customer", "cart", "stock"]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(Self.keys)
        now = try container.timestamp(AnyKey("now"))
        catalog = try container.decode([Product].self, forKey: AnyKey("catalog"))
        campaigns = try container.list(AnyKey("campaigns"))
        couponTemplates = try container.list(AnyKey("couponTemplates"))
        let issued: [IssuedCoupon] = try container.list(AnyKey("coupons"))
        var templates: [String: CouponTemplate] = [:]
        for template in couponTemplates where templates[template.templateId] == nil {
            templates[template.templateId] = template
        }
        coupons = try issued.enumerated().map { index, coupon in
            guard let template = templates[coupon.templateId] else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: [AnyKey("coupons"), AnyKey(intValue: index)!, AnyKey("templateId")],
                        debugDescription: "unknown coupon template \(coupon.templateId)"))
            }
            return Coupon(
                code: coupon.code, customerId: coupon.customerId, template: template, redeemed: coupon.redeemed)
        }
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

/// An issued coupon as a scenario lists it: the code, who owns it and its template.
private struct IssuedCoupon: Decodable {
    var code: String
    var templateId: String
    var customerId: String
    var redeemed: Bool

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["code", "templateId", "customerId", "redeemed"])
        code = try container.decode(String.self, forKey: AnyKey("code"))
        templateId = try container.decode(String.self, forKey: AnyKey("templateId"))
        customerId = try container.decode(String.self, forKey: AnyKey("customerId"))
        redeemed = try container.decodeIfPresent(Bool.self, forKey: AnyKey("redeemed")) ?? false
    }
}

/// API.md's coupon template body: `{templateId, name, discount:{kind, valueFen|percentBp,
/// thresholdFen, maxDiscountFen?}, scope:{skus, categories, channels, stores}, stackable,
/// validFrom, validUntil, totalQuantity, perCustomerLimit, campaignId?}`.
extension CouponTemplate: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys([
            "templateId", "name", "discount", "scope", "stackable", "validFrom", "validUntil", "totalQuantity",
            "perCustomerLimit", "campaignId",
        ])
        let discount = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("discount"))
        try discount.rejectUnknownKeys(["kind", "valueFen", "percentBp", "thresholdFen", "maxDiscountFen"])
        let kind = try discount.decode(String.self, forKey: AnyKey("kind"))
        let threshold = try discount.integerIfPresent(AnyKey("thresholdFen")) ?? 0
        let parsed: Coupon.Discount
        switch kind {
        case "amount":
            if discount.contains(AnyKey("percentBp")) {
                throw discount.invalid("percentBp", "an amount coupon takes valueFen off, not percentBp")
            }
            if discount.contains(AnyKey("maxDiscountFen")) {
                throw discount.invalid("maxDiscountFen", "only a percent coupon has a maximum discount")
            }
            parsed = .amount(valueFen: try discount.integer(AnyKey("valueFen")), thresholdFen: threshold)
        case "percent":
            if discount.contains(AnyKey("valueFen")) {
                throw discount.invalid("valueFen", "a percent coupon takes percentBp off, not valueFen")
            }
            parsed = .percent(
                percentBp: try discount.integer(AnyKey("percentBp")), thresholdFen: threshold,
                maxDiscountFen: try discount.integerIfPresent(AnyKey("maxDiscountFen")))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: AnyKey("kind"), in: discount,
                debugDescription: "unknown coupon discount kind \"\(kind)\" (amount or percent)")
        }
        var scope = CampaignScope()
        if container.contains(AnyKey("scope")) {
            let nested = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("scope"))
            try nested.rejectUnknownKeys(["skus", "categories", "channels", "stores"])
            scope = try container.decode(CampaignScope.self, forKey: AnyKey("scope"))
        }
        self.init(
            templateId: try container.decode(String.self, forKey: AnyKey("templateId")),
            name: try container.decodeIfPresent(String.self, forKey: AnyKey("name")) ?? "",
            discount: parsed,
            scope: scope,
            stackable: try container.decodeIfPresent(Bool.self, forKey: AnyKey("stackable")) ?? false,
            validFrom: try container.timestamp(AnyKey("validFrom")),
            validUntil: try container.timestamp(AnyKey("validUntil")),
            totalQuantity: try container.integerIfPresent(AnyKey("totalQuantity")),
            perCustomerLimit: try container.integerIfPresent(AnyKey("perCustomerLimit")),
            campaignId: try container.decodeIfPresent(String.self, forKey: AnyKey("campaignId")))
    }
}

/// A catalog entry: the SKU plus API.md's product body (`spec`, `origin` and `shelfLifeDays`
/// are accepted and checked for type; pricing does not use them).
extension Product: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys([
            "sku", "name", "spec", "origin", "shelfLifeDays", "priceFen", "costFen", "category", "tags",
        ])
        _ = try container.decodeIfPresent(String.self, forKey: AnyKey("spec"))
        _ = try container.decodeIfPresent(String.self, forKey: AnyKey("origin"))
        _ = try container.integerIfPresent(AnyKey("shelfLifeDays"))
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
        try container.rejectUnknownKeys(["skus", "categories", "channels", "stores", "regions"])
        self.init(
            skus: try container.list(AnyKey("skus")), categories: try container.list(AnyKey("categories")),
            channels: try container.list(AnyKey("channels")), stores: try container.list(AnyKey("stores")),
            regions: try container.list(AnyKey("regions")))
    }
}

extension CampaignAudience: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["newCustomersOnly", "tiers", "tags"])
        self.init(
            newCustomersOnly: try container.decodeIfPresent(Bool.self, forKey: AnyKey("newCustomersOnly")) ?? false,
            tiers: try container.list(AnyKey("tiers")), tags: try container.list(AnyKey("tags")))
    }
}

extension CustomerContext: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys([
            "customerId", "tier", "tags", "isNew", "pointsBalance", "flashPurchases", "region", "previousOrders",
            "campaignOrders", "campaignOrdersToday",
        ])
        func counts(_ key: String) throws -> [String: Int] {
            var result: [String: Int] = [:]
            guard container.contains(AnyKey(key)) else { return result }
            let nested = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(key))
            for key in nested.allKeys { result[key.stringValue] = try nested.integer(key) }
            return result
        }
        let purchases = try counts("flashPurchases")
        self.init(
            customerId: try container.decode(String.self, forKey: AnyKey("customerId")),
            tier: try container.decodeIfPresent(String.self, forKey: AnyKey("tier")) ?? "regular",
            tags: try container.list(AnyKey("tags")),
            isNew: try container.decodeIfPresent(Bool.self, forKey: AnyKey("isNew")) ?? false,
            pointsBalance: try container.integerIfPresent(AnyKey("pointsBalance")) ?? 0,
            flashPurchases: purchases,
            region: try container.decodeIfPresent(String.self, forKey: AnyKey("region")),
            previousOrders: try container.integerIfPresent(AnyKey("previousOrders")) ?? 0,
            campaignOrders: try counts("campaignOrders"), campaignOrdersToday: try counts("campaignOrdersToday"))
    }
}

/// API.md's quote body (`POST /v1/quotes`), plus the optional `region` of the store or address.
extension Cart: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys([
            "customerId", "channel", "storeId", "region", "lines", "couponCodes", "pointsToRedeem", "shippingFeeFen",
        ])
        self.init(
            customerId: try container.decode(String.self, forKey: AnyKey("customerId")),
            channel: try container.decode(String.self, forKey: AnyKey("channel")),
            storeId: try container.decodeIfPresent(String.self, forKey: AnyKey("storeId")) ?? "",
            region: try container.decodeIfPresent(String.self, forKey: AnyKey("region")),
            lines: try container.decode([Line].self, forKey: AnyKey("lines")),
            couponCodes: try container.list(AnyKey("couponCodes")),
            pointsToRedeem: try container.integerIfPresent(AnyKey("pointsToRedeem")) ?? 0,
            shippingFeeFen: try container.integerIfPresent(AnyKey("shippingFeeFen")) ?? 0)
    }
}

extension Cart.Line: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(["sku", "quantity"])
        self.init(
            sku: try container.decode(String.self, forKey: AnyKey("sku")),
            quantity: try container.integer(AnyKey("quantity")))
    }
}
