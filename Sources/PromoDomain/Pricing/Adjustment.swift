/// One reduction on a line: who granted it, of which kind, how much (negative fen).
///
/// Amounts are negative so that `netFen = listFen + Σ adjustments` reads naturally and a
/// gift line's list price is cancelled by an equal negative adjustment.
///
/// Who granted it lives in an `AdjustmentOrigin` shared by every adjustment of the same grant (the engine
/// makes one per campaign up front), so an adjustment carries one reference rather than three strings.
public struct Adjustment: Sendable, Hashable {
    let origin: AdjustmentOrigin
    /// Negative amount taken off the line.
    public var amountFen: Fen
    /// How the amount is spread over the line's units, for refunds.
    var spread: UnitSpread
    /// The sub-budget of `origin.budgetCampaignId` this adjustment consumed (nil: none).
    var subBudget: SubBudget?
    /// Per-unit budget consumption when it differs from the adjustment (gift cost).
    var perUnitFen: Fen?

    init(origin: AdjustmentOrigin, amountFen: Fen, spread: UnitSpread, subBudget: SubBudget?, perUnitFen: Fen? = nil) {
        self.origin = origin
        self.amountFen = amountFen
        self.spread = spread
        self.subBudget = origin.budgetCampaignId == nil ? nil : subBudget
        self.perUnitFen = perUnitFen
    }

    public var source: AdjustmentSource { origin.source }
    /// Campaign kind wire name, or `coupon` / `points`.
    public var kind: String { origin.kind }

    /// Campaign whose budget this adjustment consumed and the sub-budget, if any.
    var budget: BudgetLink? {
        guard let campaignId = origin.budgetCampaignId, let subBudget else { return nil }
        return BudgetLink(campaignId: campaignId, subBudget: subBudget, perUnitFen: perUnitFen)
    }

    public static func == (lhs: Adjustment, rhs: Adjustment) -> Bool {
        lhs.amountFen == rhs.amountFen && lhs.spread == rhs.spread && lhs.subBudget == rhs.subBudget
            && lhs.perUnitFen == rhs.perUnitFen && lhs.origin == rhs.origin
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(origin)
        hasher.combine(amountFen)
        hasher.combine(spread)
        hasher.combine(subBudget)
        hasher.combine(perUnitFen)
    }
}

/// Who granted an adjustment or an applied promotion, and whose budget pays for it: one immutable value
/// per grant, shared by reference.
final class AdjustmentOrigin: Sendable, Hashable {
    let source: AdjustmentSource
    /// Campaign kind wire name, or `coupon` / `points`.
    let kind: String
    /// Campaign whose budget the grant consumes (a campaign's own, or the one funding a coupon); nil: none.
    let budgetCampaignId: String?

    init(source: AdjustmentSource, kind: String, budgetCampaignId: String?) {
        self.source = source
        self.kind = kind
        self.budgetCampaignId = budgetCampaignId
    }

    /// A campaign's own grants, charged to its budget.
    convenience init(campaignId: String, kind: String) {
        self.init(source: .campaign(campaignId), kind: kind, budgetCampaignId: campaignId)
    }

    /// The shopper's points: no campaign budget.
    static let points = AdjustmentOrigin(source: .points, kind: "points", budgetCampaignId: nil)

    static func == (lhs: AdjustmentOrigin, rhs: AdjustmentOrigin) -> Bool {
        lhs === rhs
            || (lhs.source == rhs.source && lhs.kind == rhs.kind && lhs.budgetCampaignId == rhs.budgetCampaignId)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(kind)
        hasher.combine(budgetCampaignId)
    }
}

/// Which units of a line an adjustment falls on.
enum UnitSpread: Sendable, Hashable {
    /// Evenly over `count` units starting at `start` (item-level segments, add-on unit, gifts).
    case range(start: Int, count: Int)
    /// Over all units in proportion to their net amounts at that point.
    case proportional
    /// Over the first `count` units in proportion to their nets: the units no non-stackable promotion holds
    /// (those sit at the end of the line).
    case proportionalFirst(count: Int)
}

/// The campaign sub-budget an adjustment is charged to.
struct BudgetLink: Sendable, Hashable {
    var campaignId: String
    var subBudget: SubBudget
    /// Per-unit budget consumption when it differs from the adjustment (gift cost).
    var perUnitFen: Fen?
}
