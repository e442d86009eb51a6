/// A campaign or coupon that applied, with the amount it gave and what it was computed on.
public struct AppliedPromotion: Sendable, Hashable {
    let origin: AdjustmentOrigin
    /// Positive benefit: money off, a gift's cost to the brand, a rebate's points.
    public var amountFen: Fen
    /// The scope amount the promotion was measured on (threshold base), for explanation.
    public var baseFen: Fen

    public var source: AdjustmentSource { origin.source }
    public var kind: String { origin.kind }
}
