import Foundation

/// Decoding of a campaign in a scenario: API.md's campaign body (`POST /v1/campaigns`) plus
/// the state the store holds in production (`status`, `budgetLeft`, `flashQuantityLeft`),
/// each defaulting to "as configured". Any other key is an error naming it.
extension Campaign: Decodable {
    /// The campaign body's keys, then the scenario-only state.
    static let keys = [
        "campaignId", "name", "kind", "window", "scope", "audience", "rules", "stacking", "budget", "alerts",
        "status", "budgetLeft", "flashQuantityLeft",
    ]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try container.rejectUnknownKeys(Self.keys)
        let campaignId = try container.decode(String.self, forKey: AnyKey("campaignId"))
        let kindText = try container.decode(String.self, forKey: AnyKey("kind"))
        guard let kind = CampaignKind(rawValue: kindText) else {
            throw DecodingError.dataCorruptedError(
                forKey: AnyKey("kind"), in: container, debugDescription: "unknown campaign kind \"\(kindText)\"")
        }
        let window = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("window"))
        try window.rejectUnknownKeys(["start", "end"])
        let rules = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("rules"))
        let budget = try container.decodeIfPresent(BudgetAmounts.self, forKey: AnyKey("budget"))
        let budgetLeft = try container.decodeIfPresent(BudgetAmounts.self, forKey: AnyKey("budgetLeft"))
        if budgetLeft != nil && budget == nil {
            throw container.invalid(
                "budgetLeft", "needs budget: a campaign without budget limits has nothing to run out of")
        }
        let flashQuantityLeft = try container.integerIfPresent(AnyKey("flashQuantityLeft"))
        if flashQuantityLeft != nil && kind != .flashSale {
            throw container.invalid("flashQuantityLeft", "only a flash_sale campaign has a flash quantity")
        }
        let statusText = try container.decodeIfPresent(String.self, forKey: AnyKey("status"))
        var status = CampaignStatus.active
        if let statusText {
            guard let parsed = CampaignStatus(rawValue: statusText) else {
                throw container.invalid(
                    "status",
                    "unknown status \"\(statusText)\" (one of \(CampaignStatus.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            status = parsed
        }
        self.init(
            campaignId: campaignId,
            name: try container.decodeIfPresent(String.self, forKey: AnyKey("name")) ?? "",
            rules: try CampaignRules.decode(kind: kind, from: rules),
            window: CampaignWindow(
                start: try window.timestamp(AnyKey("start")), end: try window.timestamp(AnyKey("end"))),
            scope: try container.decodeIfPresent(CampaignScope.self, forKey: AnyKey("scope")) ?? CampaignScope(),
            audience: try container.decodeIfPresent(CampaignAudience.self, forKey: AnyKey("audience"))
                ?? CampaignAudience(),
            stacking: try container.decodeIfPresent(CampaignStacking.self, forKey: AnyKey("stacking"))
                ?? CampaignStacking(),
            status: status,
            budget: budget,
            budgetLeft: budgetLeft,
            flashQuantityLeft: flashQuantityLeft,
            alerts: try container.decodeIfPresent(CampaignAlerts.self, forKey: AnyKey("alerts")) ?? CampaignAlerts()
        )
    }
}

extension CampaignRules {
    /// Decodes the `rules` object of a campaign of `kind`; each kind has its own keys.
    static func decode(kind: CampaignKind, from rules: KeyedDecodingContainer<AnyKey>) throws -> CampaignRules {
        func key(_ name: String) -> AnyKey { AnyKey(name) }
        switch kind {
        case .spendReduction:
            try rules.rejectUnknownKeys(["tiers"])
            return .spendReduction(tiers: try rules.decode([ReductionTier].self, forKey: key("tiers")))
        case .spendDiscount:
            try rules.rejectUnknownKeys(["tiers"])
            return .spendDiscount(tiers: try rules.decode([DiscountTier].self, forKey: key("tiers")))
        case .itemDiscount:
            try rules.rejectUnknownKeys(["percentBp"])
            return .itemDiscount(percentBp: try rules.integer(key("percentBp")))
        case .specialPrice:
            try rules.rejectUnknownKeys(["prices"])
            let prices = try rules.nestedContainer(keyedBy: AnyKey.self, forKey: key("prices"))
            var result: [String: Fen] = [:]
            for sku in prices.allKeys { result[sku.stringValue] = try prices.integer(sku) }
            return .specialPrice(prices: result)
        case .flashSale:
            try rules.rejectUnknownKeys(["sku", "priceFen", "quantity", "perCustomerLimit"])
            return .flashSale(
                FlashSaleRule(
                    sku: try rules.decode(String.self, forKey: key("sku")),
                    priceFen: try rules.integer(key("priceFen")),
                    quantity: try rules.integer(key("quantity")),
                    perCustomerLimit: try rules.integer(key("perCustomerLimit"))))
        case .gift:
            try rules.rejectUnknownKeys(["thresholdFen", "giftSku", "giftQuantity"])
            return .gift(
                GiftRule(
                    thresholdFen: try rules.integer(key("thresholdFen")),
                    giftSku: try rules.decode(String.self, forKey: key("giftSku")),
                    giftQuantity: try rules.integerIfPresent(key("giftQuantity")) ?? 1))
        case .addOn:
            try rules.rejectUnknownKeys(["thresholdFen", "sku", "priceFen"])
            return .addOn(
                AddOnRule(
                    thresholdFen: try rules.integer(key("thresholdFen")),
                    sku: try rules.decode(String.self, forKey: key("sku")),
                    priceFen: try rules.integer(key("priceFen"))))
        case .bundle:
            try rules.rejectUnknownKeys(["items", "bundlePriceFen"])
            return .bundle(
                BundleRule(
                    items: try rules.decode([BundleRule.Item].self, forKey: key("items")),
                    bundlePriceFen: try rules.integer(key("bundlePriceFen"))))
        case .rebate:
            try rules.rejectUnknownKeys(["thresholdFen", "points", "couponTemplateId"])
            let threshold = try rules.integer(key("thresholdFen"))
            let points = try rules.integerIfPresent(key("points"))
            let template = try rules.decodeIfPresent(String.self, forKey: key("couponTemplateId"))
            switch (points, template) {
            case (let points?, nil):
                return .rebate(RebateRule(thresholdFen: threshold, reward: .points(points)))
            case (nil, let template?):
                return .rebate(RebateRule(thresholdFen: threshold, reward: .coupon(templateId: template)))
            case (_?, _?):
                throw rules.invalid("couponTemplateId", "a rebate grants points or a coupon, not both")
            case (nil, nil):
                throw DecodingError.keyNotFound(
                    key("points"), .init(codingPath: rules.codingPath, debugDescription: "points or couponTemplateId"))
            }
        case .lottery:
            try rules.rejectUnknownKeys(["minOrderFen", "prizes"])
            return .lottery(
                LotteryRule(
                    minOrderFen: try rules.integerIfPresent(key("minOrderFen")) ?? 0,
                    prizes: try rules.list(key("prizes"))))
        }
    }
}
