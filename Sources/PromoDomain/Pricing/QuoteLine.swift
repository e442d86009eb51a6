/// A priced line: list amount, each adjustment it received, and what is left to pay.
public struct QuoteLine: Sendable, Hashable {
    public var sku: String
    public var quantity: Int
    public var unitPriceFen: Fen
    public var listFen: Fen
    /// In application order.
    public var adjustments: LineAdjustments
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

/// A line's adjustments in application order, indexed from 0: a view into one array the whole quote shares,
/// so a quote makes one allocation for all its lines' adjustments instead of one per line.
public struct LineAdjustments: RandomAccessCollection, Sendable, Hashable {
    let base: ArraySlice<LoggedAdjustment>

    init(_ base: ArraySlice<LoggedAdjustment>) { self.base = base }

    /// A gift line's own adjustment.
    init(_ adjustment: Adjustment) {
        self.base = [LoggedAdjustment(line: 0, adjustment: adjustment)][...]
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { base.count }
    public subscript(position: Int) -> Adjustment { base[base.startIndex + position].adjustment }

    public static func == (lhs: LineAdjustments, rhs: LineAdjustments) -> Bool { lhs.elementsEqual(rhs) }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for adjustment in self { hasher.combine(adjustment) }
    }
}
