import Foundation

/// The pure pricing function of PromoLedger, prepared once for a catalog and a campaign set.
///
/// Building the engine validates and indexes every campaign so that quoting a cart does no
/// parsing, no string building and no I/O: the same engine can price many carts per second
/// on one core. Results depend only on the inputs, never on their order.
public struct PricingEngine: Sendable {
    /// Everything prepared at init, held once behind one reference so that a quote's
    /// working state carries a single pointer to it instead of a dozen arrays.
    let tables: EngineTables

    /// Catalog sorted by SKU; product indices follow this order.
    var products: [Product] { tables.products }
    /// Campaigns sorted by (priority, campaignId).
    var campaigns: [CompiledCampaign] { tables.campaigns }
    var policy: PricingPolicy { tables.policy }

    /// Validates and indexes the inputs.
    ///
    /// - Throws: `PricingInputError` naming the first invalid field (by input position).
    public init(
        catalog: [Product],
        campaigns: [Campaign],
        coupons: [Coupon] = [],
        couponTemplates: [CouponTemplate] = [],
        policy: PricingPolicy = PricingPolicy()
    ) throws(PricingInputError) {
        try Self.validate(catalog: catalog)
        try Self.validate(policy: policy)
        let products = catalog.sorted { $0.sku < $1.sku }
        var productIndex: [String: Int] = [:]
        for (index, product) in products.enumerated() { productIndex[product.sku] = index }
        try Self.validate(campaigns: campaigns, productIndex: productIndex)
        try Self.validate(coupons: coupons, campaigns: campaigns)
        let rebateCouponValues = try Self.validate(couponRebatesOf: campaigns, templates: couponTemplates)

        let sorted = campaigns.sorted {
            ($0.stacking.priority, $0.campaignId) < ($1.stacking.priority, $1.campaignId)
        }
        var groups: [String: Int] = [:]
        var compiled: [CompiledCampaign] = []
        compiled.reserveCapacity(sorted.count)
        for campaign in sorted {
            var group = -1
            if let name = campaign.stacking.exclusiveGroup {
                if let existing = groups[name] {
                    group = existing
                } else {
                    group = groups.count
                    groups[name] = group
                }
            }
            compiled.append(Self.compile(campaign, group: group, products: products, productIndex: productIndex))
        }

        // Campaigns by the level their rule prices at; unit offers per product, with their terms.
        var unitOffers = [[UnitOffering]](repeating: [], count: products.count)
        var bundles: [Int] = []
        var orders: [Int] = []
        var rebates: [Int] = []
        var itemLevel: [Int] = []
        for (index, campaign) in compiled.enumerated() {
            if campaign.level == .item { itemLevel.append(index) }
            if let rule = campaign.unitRule {
                for (product, info) in products.enumerated() {
                    if let terms = rule.unitTerms(for: info, inScope: campaign.scopeMask[product]) {
                        unitOffers[product].append(UnitOffering(campaign: index, terms: terms))
                    }
                }
            } else if campaign.bundle != nil {
                bundles.append(index)
            } else if campaign.isOrderLevel {
                orders.append(index)
            } else if campaign.rebate != nil {
                rebates.append(index)
            }
        }
        var campaignIndex: [String: Int] = [:]
        for (index, campaign) in compiled.enumerated() { campaignIndex[campaign.id] = index }
        var couponIndex: [String: Coupon] = [:]
        for coupon in coupons { couponIndex[coupon.code] = coupon }

        self.tables = EngineTables(
            products: products, productIndex: productIndex, campaigns: compiled, campaignIndex: campaignIndex,
            coupons: couponIndex, unitOffers: unitOffers, bundleCampaigns: bundles, orderCampaigns: orders,
            rebateCampaigns: rebates, itemLevelCampaigns: itemLevel, rebateCouponValues: rebateCouponValues,
            policy: policy)
    }

    static func compile(
        _ campaign: Campaign,
        group: Int,
        products: [Product],
        productIndex: [String: Int]
    ) -> CompiledCampaign {
        var scopeMask = [Bool](repeating: false, count: products.count)
        for (index, product) in products.enumerated() {
            scopeMask[index] = campaign.scope.covers(sku: product.sku, category: product.category)
        }
        var bundle: CompiledCampaign.Bundle?
        if case .bundle(let rule) = campaign.rules {
            let items = rule.items.compactMap { item in
                productIndex[item.sku].map { (product: $0, quantity: item.quantity) }
            }.sorted { $0.product < $1.product }
            // One weight per item (its units' list amount), never one per unit: a campaign's
            // quantity must not decide how much the engine allocates. Validation bounds the
            // factors (≤ 20 items × 1 000 units × 10^10 fen), so the sums cannot overflow.
            let weights = items.map { products[$0.product].priceFen * $0.quantity }
            let saving = weights.reduce(0, +) - rule.bundlePriceFen
            let shares =
                saving > 0
                ? LargestRemainder.split(saving, weights: weights) : [Fen](repeating: 0, count: items.count)
            bundle = CompiledCampaign.Bundle(items: items, itemShares: shares, saving: saving)
        }
        let rule = campaign.rules.rule
        var unitProducts: [Int] = []
        if let unitRule = rule as? any UnitOfferRule {
            for (index, product) in products.enumerated()
            where unitRule.unitTerms(for: product, inScope: scopeMask[index]) != nil {
                unitProducts.append(index)
            }
        }
        let addOnProduct = (rule as? any OrderLevelRule)?.addOnSKU.flatMap { productIndex[$0] } ?? -1
        let conditionMask =
            rule.condition.map { condition in
                products.map { condition.scope.covers(sku: $0.sku, category: $0.category) }
            } ?? []
        return CompiledCampaign(
            campaign: campaign, group: group, scopeMask: scopeMask, unitProducts: unitProducts,
            addOnProduct: addOnProduct, bundle: bundle, conditionMask: conditionMask)
    }
}

/// An item-level offer of one campaign for one product.
struct UnitOffering: Sendable {
    var campaign: Int
    var terms: UnitTerms
}

/// The immutable tables of a `PricingEngine`, built once at init.
final class EngineTables: Sendable {
    /// Catalog sorted by SKU; product indices follow this order.
    let products: [Product]
    let productIndex: [String: Int]
    /// Campaigns sorted by (priority, campaignId).
    let campaigns: [CompiledCampaign]
    let campaignIndex: [String: Int]
    let coupons: [String: Coupon]
    /// Per product: the campaigns offering its units a price or a percentage, with their terms.
    let unitOffers: [[UnitOffering]]
    let bundleCampaigns: [Int]
    let orderCampaigns: [Int]
    let rebateCampaigns: [Int]
    /// Item-level campaigns (item discount, special price, flash sale, bundle), ascending.
    let itemLevelCampaigns: [Int]
    /// What one coupon of each template a rebate grants is worth at most: reserved against the rebate
    /// campaign's coupon-subsidy budget when the rebate is granted.
    let rebateCouponValues: [String: Fen]
    let policy: PricingPolicy
    /// Campaigns whose unit offers have a capacity (a flash sale's quantity and per-customer limit, a cap per
    /// order), ascending.
    let flashCampaigns: [Int]
    /// Campaigns that require a purchase besides their scope, ascending.
    let conditionCampaigns: [Int]
    /// Per exclusive group with two or more members: its members, ascending.
    let groupMembers: [[Int]]
    /// Campaign ids in engine order.
    let campaignIds: [String]
    /// Per campaign, the context facts that need no strings.
    let contextRules: [ContextRule]
    /// Per campaign, what the quote's loops ask of it, as plain values: reading them retains nothing, where
    /// each `campaigns[i]` read retains and releases the campaign.
    let facts: [CampaignFacts]
    /// Per campaign, the origin of its adjustments.
    let origins: [AdjustmentOrigin]
    /// Every campaign's scope mask, flat: campaign `c` covers product `p` iff `scopeBits[c * productCount + p]`.
    let scopeBits: [Bool]
    let productCount: Int
    /// SKU per product index.
    let skus: [String]
    /// Open-addressing table over `skus` keyed by a cheap hash of the UTF-8 bytes
    /// (product index, -1 when empty); `mask + 1` slots.
    let skuSlots: [Int]
    let skuMask: Int

    /// FNV-1a over the UTF-8 bytes: much cheaper than `Hasher` for short SKUs.
    @inline(__always)
    static func skuHash(_ sku: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sku.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    /// The product index of a SKU, exactly as `productIndex[sku]`: the fast table finds
    /// byte-identical SKUs (confirmed with `==`); anything else falls back to the dictionary,
    /// so strings equal only under Unicode canonical equivalence still resolve the same way.
    @inline(__always)
    func productIndex(of sku: String) -> Int? {
        var slot = Self.skuHash(sku) & skuMask
        while true {
            let product = skuSlots[slot]
            if product < 0 { break }
            if skus[product] == sku { return product }
            slot = (slot + 1) & skuMask
        }
        return productIndex[sku]
    }

    /// A campaign's facts the quote's hot loops read.
    struct CampaignFacts: Sendable {
        var stackable: Bool
        var unitsCapped: Bool
        var isOrderLevel: Bool
        var isShipping: Bool
        var needsUnitNets: Bool
        var partialBudget: Bool
        /// An add-on's product, -1 otherwise.
        var addOnProduct: Int

        init(_ compiled: CompiledCampaign) {
            stackable = compiled.stackable
            unitsCapped = compiled.unitsCapped
            isOrderLevel = compiled.isOrderLevel
            isShipping = compiled.isShipping
            needsUnitNets = compiled.needsUnitNets
            partialBudget = compiled.campaign.partialBudget
            addOnProduct = compiled.addOnProduct
        }
    }

    /// Status, kind and window of a campaign as plain values, so that checking the context
    /// of 50 campaigns touches no reference counts.
    struct ContextRule: Sendable {
        var isLottery: Bool
        var isActive: Bool
        var windowStart: Date
        var windowEnd: Date
        /// Channel, store, region or audience restrictions exist (checked on the campaign).
        var needsCampaign: Bool
    }

    init(
        products: [Product], productIndex: [String: Int], campaigns: [CompiledCampaign], campaignIndex: [String: Int],
        coupons: [String: Coupon], unitOffers: [[UnitOffering]], bundleCampaigns: [Int], orderCampaigns: [Int],
        rebateCampaigns: [Int], itemLevelCampaigns: [Int], rebateCouponValues: [String: Fen], policy: PricingPolicy
    ) {
        self.rebateCouponValues = rebateCouponValues
        self.products = products
        self.productIndex = productIndex
        self.campaigns = campaigns
        self.campaignIndex = campaignIndex
        self.coupons = coupons
        self.unitOffers = unitOffers
        self.bundleCampaigns = bundleCampaigns
        self.orderCampaigns = orderCampaigns
        self.rebateCampaigns = rebateCampaigns
        self.itemLevelCampaigns = itemLevelCampaigns
        self.policy = policy
        let skus = products.map(\.sku)
        var size = 8
        while size < 2 * skus.count { size *= 2 }
        var slots = [Int](repeating: -1, count: size)
        for (index, sku) in skus.enumerated() {
            var slot = Self.skuHash(sku) & (size - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = index
        }
        self.skus = skus
        self.skuSlots = slots
        self.skuMask = size - 1
        self.flashCampaigns = campaigns.indices.filter { campaigns[$0].unitsCapped }
        self.conditionCampaigns = campaigns.indices.filter { campaigns[$0].condition != nil }
        var members: [Int: [Int]] = [:]
        for index in campaigns.indices where campaigns[index].group >= 0 && campaigns[index].kind != .lottery {
            members[campaigns[index].group, default: []].append(index)
        }
        self.groupMembers = members.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
        self.campaignIds = campaigns.map(\.id)
        self.facts = campaigns.map(CampaignFacts.init)
        self.origins = campaigns.map(\.origin)
        self.scopeBits = campaigns.flatMap(\.scopeMask)
        self.productCount = products.count
        self.contextRules = campaigns.map {
            ContextRule(
                isLottery: $0.kind == .lottery, isActive: $0.isActive, windowStart: $0.windowStart,
                windowEnd: $0.windowEnd,
                needsCampaign: !$0.channels.isEmpty || !$0.stores.isEmpty || !$0.regions.isEmpty
                    || $0.audienceRestricted || $0.campaign.limits.restricts)
        }
    }
}
