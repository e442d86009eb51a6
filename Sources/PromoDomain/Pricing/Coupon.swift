import Foundation

/// An issued coupon owned by one customer, redeemable once inside its validity.
public struct Coupon: Sendable, Hashable {
    /// What the coupon takes off.
    public enum Discount: Sendable, Hashable {
        case amount(valueFen: Fen, thresholdFen: Fen)
        case percent(percentBp: Int, thresholdFen: Fen)

        /// Minimum payable amount of the coupon's scope.
        public var thresholdFen: Fen {
            switch self {
            case .amount(_, let threshold), .percent(_, let threshold): threshold
            }
        }
    }

    public var code: String
    public var customerId: String
    public var discount: Discount
    public var validFrom: Date
    public var validUntil: Date
    /// Products the coupon applies to (SKUs, categories; empty: all).
    public var scope: CampaignScope
    /// Campaign whose coupon-subsidy budget pays the coupon, if any.
    public var campaignId: String?
    /// Already used on another order.
    public var redeemed: Bool

    public init(
        code: String,
        customerId: String,
        discount: Discount,
        validFrom: Date,
        validUntil: Date,
        scope: CampaignScope = CampaignScope(),
        campaignId: String? = nil,
        redeemed: Bool = false
    ) {
        self.code = code
        self.customerId = customerId
        self.discount = discount
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.scope = scope
        self.campaignId = campaignId
        self.redeemed = redeemed
    }
}
