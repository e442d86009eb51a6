import Foundation

/// A campaign pre-digested for the hot path: scope as a mask over product indices,
/// SKUs resolved to indices, tiers sorted, bundle shares precomputed, and every rule
/// field the quote needs lifted out of the `CampaignRules` enum.
///
/// A final class held once by the engine, so the hot path reads fields through one
/// pointer instead of copying (and retaining) the campaign's many strings and arrays.
final class CompiledCampaign: Sendable {
    /// A bundle's items resolved to product indices, and one bundle instance's saving split over them.
    struct Bundle: Sendable {
        /// (product index, quantity), ordered by product index.
        var items: [(product: Int, quantity: Int)]
        /// Per item: its share of one bundle instance's saving (all its units).
        var itemShares: [Fen]
        /// Saving of one bundle instance against list prices.
        var saving: Fen
    }

    let campaign: Campaign
    let id: String
    let kind: CampaignKind
    /// `kind.rawValue`, resolved once.
    let kindName: String
    /// Who its adjustments and applied entry come from, shared by all of them.
    let origin: AdjustmentOrigin
    let level: PricingLevel
    /// `scopeMask[productIndex]`: the product is covered by the campaign's scope.
    let scopeMask: [Bool]
    /// Index of the exclusive group, -1 when none.
    let group: Int
    let stackable: Bool

    // The rule, by what the engine asks of it.
    /// Item level, unit by unit (item discount, special price, flash sale).
    let unitRule: (any UnitOfferRule)?
    /// Products the unit rule prices, ascending.
    let unitProducts: [Int]
    /// Units for sale and per customer (a flash sale).
    let unitLimit: (quantity: Int, perCustomer: Int)?
    /// Units of one order that get the unit terms (nil: all).
    let unitsPerOrder: Int?
    /// Whether the unit offers have a capacity: a flash sale's, or a cap per order.
    var unitsCapped: Bool { unitLimit != nil || unitsPerOrder != nil }
    /// A purchase required besides the scope, with its scope as a mask over product indices.
    let condition: PurchaseCondition?
    let conditionMask: [Bool]
    let bundle: Bundle?
    /// Order level (`NoRule` for other kinds: check `isOrderLevel`).
    let orderRule: any OrderLevelRule
    let isOrderLevel: Bool
    /// The order rule acts on the delivery fee only / reads its scope's unit nets (asked once, not per quote).
    let isShipping: Bool
    let needsUnitNets: Bool
    /// An add-on's product (-1 otherwise): outside its own threshold base.
    let addOnProduct: Int
    let rebate: RebateRule?
    /// Thresholds to hint at (还差X元, 还差N件), resolved once: a dynamic cast per quote costs more than the hint.
    /// `NoRule` for kinds without such thresholds.
    let thresholdRule: any ThresholdRule
    let unitThresholdRule: any UnitThresholdRule

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
    let flashQuantityLeft: Int?

    init(
        campaign: Campaign, group: Int, scopeMask: [Bool], unitProducts: [Int], addOnProduct: Int, bundle: Bundle?,
        conditionMask: [Bool]
    ) {
        self.campaign = campaign
        self.id = campaign.campaignId
        self.kind = campaign.kind
        self.kindName = campaign.kind.rawValue
        self.origin = AdjustmentOrigin(campaignId: campaign.campaignId, kind: campaign.kind.rawValue)
        self.level = campaign.kind.level
        self.scopeMask = scopeMask
        self.group = group
        self.stackable = campaign.stacking.stackable
        let rule = campaign.rules.rule
        self.unitRule = rule as? any UnitOfferRule
        self.unitProducts = unitProducts
        self.unitLimit = unitRule?.unitLimit
        self.unitsPerOrder = unitRule?.unitsPerOrder
        self.condition = rule.condition
        self.conditionMask = conditionMask
        self.bundle = bundle
        let orderRule = rule as? any OrderLevelRule
        self.orderRule = orderRule ?? NoRule()
        self.isOrderLevel = orderRule != nil
        self.isShipping = orderRule?.isShipping ?? false
        self.needsUnitNets = orderRule?.needsUnitNets ?? false
        self.addOnProduct = addOnProduct
        self.rebate = rule as? RebateRule
        self.thresholdRule = (rule as? any ThresholdRule) ?? NoRule()
        self.unitThresholdRule = (rule as? any UnitThresholdRule) ?? NoRule()
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
    }
}
