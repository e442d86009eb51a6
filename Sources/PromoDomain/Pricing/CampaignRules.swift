/// The rules of a campaign: one case per kind, each holding that kind's rule type (`Kinds/`).
///
/// An enum makes an impossible combination (a bundle with tiers) unrepresentable; the two exhaustive
/// switches below (``rule`` and ``CampaignKind/ruleType``) are where the compiler points when a kind is added.
public enum CampaignRules: Sendable, Hashable {
    case spendReduction(SpendReductionRule)
    case spendDiscount(SpendDiscountRule)
    case itemDiscount(ItemDiscountRule)
    case specialPrice(SpecialPriceRule)
    case flashSale(FlashSaleRule)
    case gift(GiftRule)
    case addOn(AddOnRule)
    case bundle(BundleRule)
    case rebate(RebateRule)
    case lottery(LotteryRule)
    case quantityReduction(QuantityReductionRule)
    case quantityDiscount(QuantityDiscountRule)
    case repeatReduction(RepeatReductionRule)
    case multiBuy(MultiBuyRule)
    case pickAny(PickAnyRule)
    case unitAmountOff(UnitAmountOffRule)
    case freeShipping(FreeShippingRule)

    /// 满减 with these tiers.
    public static func spendReduction(tiers: [ReductionTier]) -> CampaignRules {
        .spendReduction(SpendReductionRule(tiers: tiers))
    }

    /// 满折 with these tiers.
    public static func spendDiscount(tiers: [DiscountTier]) -> CampaignRules {
        .spendDiscount(SpendDiscountRule(tiers: tiers))
    }

    /// An item discount of `percentBp`.
    public static func itemDiscount(percentBp: Int) -> CampaignRules {
        .itemDiscount(ItemDiscountRule(percentBp: percentBp))
    }

    /// Special prices by SKU.
    public static func specialPrice(prices: [String: Fen]) -> CampaignRules {
        .specialPrice(SpecialPriceRule(prices: prices))
    }

    /// The kind these rules belong to.
    public var kind: CampaignKind { type(of: rule).kind }

    /// The kind's rule, for what every kind provides (decoding, validation, hints, its level's pricing).
    var rule: any CampaignRule {
        switch self {
        case .spendReduction(let rule): rule
        case .spendDiscount(let rule): rule
        case .itemDiscount(let rule): rule
        case .specialPrice(let rule): rule
        case .flashSale(let rule): rule
        case .gift(let rule): rule
        case .addOn(let rule): rule
        case .bundle(let rule): rule
        case .rebate(let rule): rule
        case .lottery(let rule): rule
        case .quantityReduction(let rule): rule
        case .quantityDiscount(let rule): rule
        case .repeatReduction(let rule): rule
        case .multiBuy(let rule): rule
        case .pickAny(let rule): rule
        case .unitAmountOff(let rule): rule
        case .freeShipping(let rule): rule
        }
    }

    /// Decodes the `rules` object of a campaign of `kind`.
    static func decode(kind: CampaignKind, from rules: KeyedDecodingContainer<AnyKey>) throws -> CampaignRules {
        try kind.ruleType.init(rules: rules).wrapped
    }
}

extension CampaignKind {
    /// The rule type of the kind.
    var ruleType: any CampaignRule.Type {
        switch self {
        case .spendReduction: SpendReductionRule.self
        case .spendDiscount: SpendDiscountRule.self
        case .itemDiscount: ItemDiscountRule.self
        case .specialPrice: SpecialPriceRule.self
        case .flashSale: FlashSaleRule.self
        case .gift: GiftRule.self
        case .addOn: AddOnRule.self
        case .bundle: BundleRule.self
        case .rebate: RebateRule.self
        case .lottery: LotteryRule.self
        case .quantityReduction: QuantityReductionRule.self
        case .quantityDiscount: QuantityDiscountRule.self
        case .repeatReduction: RepeatReductionRule.self
        case .multiBuy: MultiBuyRule.self
        case .pickAny: PickAnyRule.self
        case .unitAmountOff: UnitAmountOffRule.self
        case .freeShipping: FreeShippingRule.self
        }
    }
}
