import Foundation

/// A campaign pre-digested for the hot path: scope as a mask over product indices,
/// SKUs resolved to indices, tiers sorted, bundle shares precomputed, and every rule
/// field the quote needs lifted out of the `CampaignRules` enum.
///
/// A final class held once by the engine, so the hot path reads fields through one
/// pointer instead of copying (and retaining) the campaign's many strings and arrays.
final class CompiledCampaign: Sendable {
    let campaign: Campaign
    let id: String
    let kind: CampaignKind
    /// `kind.rawValue`, resolved once.
    let kindName: String
    /// `scopeMask[productIndex]`: the product is covered by the campaign's scope.
    let scopeMask: [Bool]
    /// Index of the exclusive group, -1 when none.
    let group: Int
    let stackable: Bool
    /// Special price per product index (-1: not listed).
    let specialPrices: [Fen]
    /// Product of a flash sale, gift or add-on rule (-1 otherwise).
    let ruleProduct: Int
    /// Bundle items as (product index, quantity), ordered by product index.
    let bundleItems: [(product: Int, quantity: Int)]
    /// Per bundle item: its share of one bundle instance's saving (all its units).
    let bundleItemShares: [Fen]
    /// Saving of one bundle instance against list prices.
    let bundleSaving: Fen
    /// Reduction tiers, highest threshold first.
    let reductionTiers: [ReductionTier]
    /// Discount tiers, highest threshold first.
    let discountTiers: [DiscountTier]

    // Context checks, lifted out of `campaign`.
    let isActive: Bool
    let windowStart: Date
    let windowEnd: Date
    let channels: [String]
    let stores: [String]
    let regions: [String]
    let audience: CampaignAudience
    /// Whether the audience restricts anything at all.
    let audienceRestricted: Bool
    let budgetLeft: BudgetAmounts?

    // Rule fields (0 when not of that kind).
    /// Item discount percentage.
    let percentBp: Int
    /// Flash-sale price, gift/add-on/rebate threshold, add-on price.
    let rulePriceFen: Fen
    let thresholdFen: Fen
    let flashQuantity: Int
    let flashQuantityLeft: Int?
    let perCustomerLimit: Int
    let giftQuantity: Int
    /// Rebate reward (nil unless a rebate).
    let rebateReward: RebateRule.Reward?

    init(
        campaign: Campaign,
        id: String,
        kind: CampaignKind,
        scopeMask: [Bool],
        group: Int,
        stackable: Bool,
        specialPrices: [Fen],
        ruleProduct: Int,
        bundleItems: [(product: Int, quantity: Int)],
        bundleItemShares: [Fen],
        bundleSaving: Fen,
        reductionTiers: [ReductionTier],
        discountTiers: [DiscountTier]
    ) {
        self.campaign = campaign
        self.id = id
        self.kind = kind
        self.kindName = kind.rawValue
        self.scopeMask = scopeMask
        self.group = group
        self.stackable = stackable
        self.specialPrices = specialPrices
        self.ruleProduct = ruleProduct
        self.bundleItems = bundleItems
        self.bundleItemShares = bundleItemShares
        self.bundleSaving = bundleSaving
        self.reductionTiers = reductionTiers
        self.discountTiers = discountTiers
        self.isActive = campaign.status == .active
        self.windowStart = campaign.window.start
        self.windowEnd = campaign.window.end
        self.channels = campaign.scope.channels
        self.stores = campaign.scope.stores
        self.regions = campaign.scope.regions
        self.audience = campaign.audience
        self.audienceRestricted =
            campaign.audience.newCustomersOnly || !campaign.audience.tiers.isEmpty || !campaign.audience.tags.isEmpty
        self.budgetLeft = campaign.budgetLeft
        self.flashQuantityLeft = campaign.flashQuantityLeft
        var percentBp = 0
        var price = 0
        var threshold = 0
        var flashQuantity = 0
        var perCustomerLimit = 0
        var giftQuantity = 0
        var reward: RebateRule.Reward?
        switch campaign.rules {
        case .itemDiscount(let bp):
            percentBp = bp
        case .flashSale(let rule):
            price = rule.priceFen
            flashQuantity = rule.quantity
            perCustomerLimit = rule.perCustomerLimit
        case .gift(let rule):
            threshold = rule.thresholdFen
            giftQuantity = rule.giftQuantity
        case .addOn(let rule):
            threshold = rule.thresholdFen
            price = rule.priceFen
        case .rebate(let rule):
            threshold = rule.thresholdFen
            reward = rule.reward
        case .spendReduction, .spendDiscount, .specialPrice, .bundle, .lottery:
            break
        }
        self.percentBp = percentBp
        self.rulePriceFen = price
        self.thresholdFen = threshold
        self.flashQuantity = flashQuantity
        self.perCustomerLimit = perCustomerLimit
        self.giftQuantity = giftQuantity
        self.rebateReward = reward
    }
}
