/// One reduction on a line: who granted it, of which kind, how much (negative fen).
///
/// Amounts are negative so that `netFen = listFen + Σ adjustments` reads naturally and a
/// gift line's list price is cancelled by an equal negative adjustment.
public struct Adjustment: Sendable, Hashable {
    public var source: AdjustmentSource
    /// Campaign kind wire name, or `coupon` / `points`.
    public var kind: String
    /// Negative amount taken off the line.
    public var amountFen: Fen
    /// How the amount is spread over the line's units, for refunds.
    var spread: UnitSpread
    /// Campaign whose budget this adjustment consumed and the sub-budget, if any.
    var budget: BudgetLink?

    init(source: AdjustmentSource, kind: String, amountFen: Fen, spread: UnitSpread, budget: BudgetLink?) {
        self.source = source
        self.kind = kind
        self.amountFen = amountFen
        self.spread = spread
        self.budget = budget
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
