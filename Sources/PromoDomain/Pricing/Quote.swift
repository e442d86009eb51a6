/// The priced cart: every line with its adjustments, totals, and the explanation of why
/// each campaign and coupon did or did not apply.
///
/// A quote is also the record refunds are computed from, so it keeps how each adjustment
/// was spread over units.
public struct Quote: Sendable, Hashable {
    /// Purchased lines, one per SKU, ordered by SKU.
    public var lines: [QuoteLine]
    /// Gift lines (net 0), in the order their campaigns applied.
    public var gifts: [QuoteLine]
    /// Σ list amounts of purchased lines.
    public var subtotalFen: Fen
    /// Σ of all reductions on purchased lines (promotions, coupons, points).
    public var discountFen: Fen
    /// What the shopper pays: Σ line nets.
    public var totalFen: Fen
    /// Points redeemed (1 point = 1 fen), already part of `discountFen`.
    public var pointsRedeemed: Int
    /// What the redeemed points took off, in fen (equal to `pointsRedeemed` at the default rate of 100
    /// points per yuan).
    public var pointsDeductionFen: Fen = 0
    /// Points the shopper earns on payment.
    public var pointsToEarn: Int
    public var applied: [AppliedPromotion]
    /// Campaigns and coupons considered that did not apply, with the reason: campaigns in engine order, then
    /// coupons by code.
    public var rejected: [Rejection] {
        var all: [Rejection] = []
        all.reserveCapacity(campaignRejections.count + couponRejections.count)
        for rejection in campaignRejections {
            all.append(Rejection(source: .campaign(campaignIds[rejection.campaign]), reason: rejection.reason))
        }
        all.append(contentsOf: couponRejections)
        return all
    }
    /// The engine's campaign ids (shared, not copied) and the rejected campaigns as indices into them: a quote
    /// typically rejects most of the campaigns it considers, and spelling each out costs more than pricing.
    let campaignIds: [String]
    var campaignRejections: [CampaignRejection]
    var couponRejections: [Rejection]
    public var rebates: [Rebate]
    /// Charges per campaign, in campaign order; only campaigns charged something appear.
    public var budgetCharges: [BudgetCharge]
    /// Points rebates with the purchased lines they were earned on, for clawback on refund.
    var rebateScopes: [RebateScope]
    /// 还差X元: thresholds the cart has not reached yet, and what reaching them would give.
    public var hints: [QualificationHint] = []
    /// The delivery fee: what the channel charges, the waivers (包邮) on it, and what is paid; part of
    /// `totalFen`. Nil when the cart has no fee.
    public var shipping: ShippingLine?

    /// The rejection reason for a campaign, if it was rejected.
    public func rejection(campaignId: String) -> RejectionReason? {
        campaignRejections.first { campaignIds[$0.campaign] == campaignId }?.reason
    }

    /// The rejection reason for a coupon, if it was rejected.
    public func rejection(couponCode: String) -> RejectionReason? {
        couponRejections.first { $0.source == .coupon(couponCode) }?.reason
    }

    /// The applied entry for a campaign, if it applied.
    public func applied(campaignId: String) -> AppliedPromotion? {
        applied.first { $0.source == .campaign(campaignId) }
    }

    /// The purchased line for a SKU.
    public func line(sku: String) -> QuoteLine? {
        lines.first { $0.sku == sku }
    }

    /// The budget charge of a campaign (zero when it was charged nothing).
    public func budgetCharge(campaignId: String) -> BudgetCharge {
        budgetCharges.first { $0.campaignId == campaignId } ?? BudgetCharge(campaignId: campaignId)
    }
}

/// A campaign that did not apply: its index in the engine, and why.
struct CampaignRejection: Sendable, Hashable {
    var campaign: Int
    var reason: RejectionReason
}

/// The delivery fee of a quote.
public struct ShippingLine: Sendable, Hashable {
    public var feeFen: Fen
    /// Waivers, each with its campaign and the discount sub-budget it was charged to.
    public var adjustments: [Adjustment]
    public var netFen: Fen
}

/// A points rebate and the purchased lines (indices) it was measured on.
struct RebateScope: Sendable, Hashable {
    var campaignId: String
    var points: Int
    /// A coupon rebate's reserved value, released when every unit of its scope is returned.
    var couponValueFen: Fen = 0
    var lineIndices: [Int]
}

extension Quote {
    /// Units of purchased lines an item-level campaign priced (for a flash sale: the units this order buys at the
    /// flash price).
    public func unitsPriced(byCampaign campaignId: String) -> Int {
        var units = 0
        for line in lines {
            for adjustment in line.adjustments where adjustment.source == .campaign(campaignId) {
                if case .range(_, let count) = adjustment.spread { units += count }
            }
        }
        return units
    }
}
