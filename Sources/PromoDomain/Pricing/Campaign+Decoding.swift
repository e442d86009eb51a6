import Foundation

/// Decoding of the API.md campaign body (plus scenario state) with strict, named errors.
extension Campaign: Decodable {
    private enum Keys: String, CodingKey {
        case campaignId, name, kind, window, scope, audience, rules, stacking, status, budgetLeft, flashQuantityLeft
    }

    private enum WindowKeys: String, CodingKey { case start, end }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let campaignId = try container.decode(String.self, forKey: .campaignId)
        let kindText = try container.decode(String.self, forKey: .kind)
        guard let kind = CampaignKind(rawValue: kindText) else {
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container, debugDescription: "unknown campaign kind \"\(kindText)\"")
        }
        let window = try container.nestedContainer(keyedBy: WindowKeys.self, forKey: .window)
        let rules = try container.nestedContainer(keyedBy: AnyKey.self, forKey: .rules)
        self.init(
            campaignId: campaignId,
            name: try container.decodeIfPresent(String.self, forKey: .name) ?? "",
            rules: try CampaignRules.decode(kind: kind, from: rules),
            window: CampaignWindow(start: try window.timestamp(.start), end: try window.timestamp(.end)),
            scope: try container.decodeIfPresent(CampaignScope.self, forKey: .scope) ?? CampaignScope(),
            audience: try container.decodeIfPresent(CampaignAudience.self, forKey: .audience) ?? CampaignAudience(),
            stacking: try container.decodeIfPresent(CampaignStacking.self, forKey: .stacking) ?? CampaignStacking(),
            status: try container.decodeIfPresent(CampaignStatus.self, forKey: .status) ?? .active,
            budgetLeft: try container.decodeIfPresent(BudgetAmounts.self, forKey: .budgetLeft),
            flashQuantityLeft: try container.integerIfPresent(.flashQuantityLeft)
        )
    }
}

extension CampaignRules {
    static func decode(kind: CampaignKind, from rules: KeyedDecodingContainer<AnyKey>) throws -> CampaignRules {
        func key(_ name: String) -> AnyKey { AnyKey(name) }
        switch kind {
        case .spendReduction:
            return .spendReduction(tiers: try rules.decode([ReductionTier].self, forKey: key("tiers")))
        case .spendDiscount:
            return .spendDiscount(tiers: try rules.decode([DiscountTier].self, forKey: key("tiers")))
        case .itemDiscount:
            return .itemDiscount(percentBp: try rules.integer(key("percentBp")))
        case .specialPrice:
            let prices = try rules.nestedContainer(keyedBy: AnyKey.self, forKey: key("prices"))
            var result: [String: Fen] = [:]
            for sku in prices.allKeys { result[sku.stringValue] = try prices.integer(sku) }
            return .specialPrice(prices: result)
        case .flashSale:
            return .flashSale(
                FlashSaleRule(
                    sku: try rules.decode(String.self, forKey: key("sku")),
                    priceFen: try rules.integer(key("priceFen")),
                    quantity: try rules.integer(key("quantity")),
                    perCustomerLimit: try rules.integer(key("perCustomerLimit"))))
        case .gift:
            return .gift(
                GiftRule(
                    thresholdFen: try rules.integer(key("thresholdFen")),
                    giftSku: try rules.decode(String.self, forKey: key("giftSku")),
                    giftQuantity: try rules.integerIfPresent(key("giftQuantity")) ?? 1))
        case .addOn:
            return .addOn(
                AddOnRule(
                    thresholdFen: try rules.integer(key("thresholdFen")),
                    sku: try rules.decode(String.self, forKey: key("sku")),
                    priceFen: try rules.integer(key("priceFen"))))
        case .bundle:
            return .bundle(
                BundleRule(
                    items: try rules.decode([BundleRule.Item].self, forKey: key("items")),
                    bundlePriceFen: try rules.integer(key("bundlePriceFen"))))
        case .rebate:
            let threshold = try rules.integer(key("thresholdFen"))
            if let points = try rules.integerIfPresent(key("points")) {
                return .rebate(RebateRule(thresholdFen: threshold, reward: .points(points)))
            }
            if let template = try rules.decodeIfPresent(String.self, forKey: key("couponTemplateId")) {
                return .rebate(RebateRule(thresholdFen: threshold, reward: .coupon(templateId: template)))
            }
            throw DecodingError.keyNotFound(
                key("points"), .init(codingPath: rules.codingPath, debugDescription: "points or couponTemplateId"))
        case .lottery:
            return .lottery(
                LotteryRule(
                    minOrderFen: try rules.integerIfPresent(key("minOrderFen")) ?? 0,
                    prizes: try rules.list(key("prizes"))))
        }
    }
}
