/// A priced line: list amount, each adjustment it received, and what is left to pay.
public struct QuoteLine: Sendable, Hashable {
    public var sku: String
    public var quantity: Int
    public var unitPriceFen: Fen
    public var listFen: Fen
    public var adjustments: [Adjustment]
    public var netFen: Fen
    /// For gift lines, the campaign that granted the gift.
    public var giftCampaignId: String?
    /// Unit cost, needed to release gift-cost budget on return.
    var unitCostFen: Fen

    /// The adjustment granted by `source` on this line, if any.
    public func adjustment(from source: AdjustmentSource) -> Adjustment? {
        adjustments.first { $0.source == source }
    }

    /// Total (negative) adjustment granted by a campaign on this line; 0 when none.
    public func adjustmentFen(campaignId: String) -> Fen {
        adjustment(from: .campaign(campaignId))?.amountFen ?? 0
    }
}
