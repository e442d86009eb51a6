/// What returning some units gives back: money, the adjustments reversed, budget released
/// and points returned or clawed back.
public struct Refund: Sendable, Hashable {
    /// Money to pay back: exactly the net the returned units were charged.
    public var refundFen: Fen
    public var lines: [RefundLine]
    public var gifts: [RefundLine]
    /// Budget to release per campaign (only campaigns with something to release).
    public var budgetReleases: [BudgetCharge]
    /// Redeemed points the returned units carried, credited back to the shopper.
    public var pointsReturned: Int
    /// Points earned (and points rebates) on the returned units, taken back.
    public var pointsClawedBack: Int
    /// The delivery fee paid, given back (part of `refundFen`) with the last unit of the order.
    public var shippingFen: Fen = 0

    /// Adds a release to the campaign's entry (appended when it has none yet).
    mutating func add(_ release: BudgetCharge) {
        if let index = budgetReleases.firstIndex(where: { $0.campaignId == release.campaignId }) {
            for sub in SubBudget.allCases { budgetReleases[index][sub] += release[sub] }
        } else {
            budgetReleases.append(release)
        }
    }

    /// Release for one campaign (zero when nothing is released).
    public func budgetRelease(campaignId: String) -> BudgetCharge {
        budgetReleases.first { $0.campaignId == campaignId } ?? BudgetCharge(campaignId: campaignId)
    }

    /// The refunded line for a SKU.
    public func line(sku: String) -> RefundLine? { lines.first { $0.sku == sku } }
}

/// The returned units of one line and their share of each adjustment.
public struct RefundLine: Sendable, Hashable {
    public var sku: String
    public var quantity: Int
    public var listFen: Fen
    public var refundFen: Fen
    /// The share of each of the line's adjustments that the returned units received
    /// (negative, as on the quote), now reversed.
    public var reversedAdjustments: [Adjustment]
    /// For gift lines, the campaign that granted the gift.
    public var giftCampaignId: String?
}

/// Which units come back: counts per SKU (purchased lines) and per gift campaign.
public struct ReturnedUnits: Sendable, Hashable {
    public var lines: [String: Int]
    public var gifts: [String: Int]

    public init(lines: [String: Int] = [:], gifts: [String: Int] = [:]) {
        self.lines = lines
        self.gifts = gifts
    }
}
