import Foundation

/// An issued coupon owned by one customer, redeemable once inside its validity, with the
/// terms of the template it was issued from.
public struct Coupon: Sendable, Hashable {
    /// What the coupon takes off.
    public enum Discount: Sendable, Hashable {
        /// `valueFen` off the coupon's scope once it reaches `thresholdFen`.
        case amount(valueFen: Fen, thresholdFen: Fen)
        /// `percentBp` off the coupon's scope once it reaches `thresholdFen`, at most
        /// `maxDiscountFen` (`nil`: no cap).
        case percent(percentBp: Int, thresholdFen: Fen, maxDiscountFen: Fen? = nil)

        /// Minimum payable amount of the coupon's scope.
        public var thresholdFen: Fen {
            switch self {
            case .amount(_, let threshold), .percent(_, let threshold, _): threshold
            }
        }

        /// The cap on a percent coupon's amount, if any.
        public var maxDiscountFen: Fen? {
            if case .percent(_, _, let cap) = self { return cap }
            return nil
        }
    }

    public var code: String
    public var customerId: String
    /// The terms shared by every coupon of its template.
    public var template: CouponTemplate
    /// Already used on another order.
    public var redeemed: Bool

    public init(code: String, customerId: String, template: CouponTemplate, redeemed: Bool = false) {
        self.code = code
        self.customerId = customerId
        self.template = template
        self.redeemed = redeemed
    }

    /// A coupon with its own, unnamed template (for callers that hold coupons without templates).
    public init(
        code: String,
        customerId: String,
        discount: Discount,
        validFrom: Date,
        validUntil: Date,
        scope: CampaignScope = CampaignScope(),
        campaignId: String? = nil,
        stackable: Bool = false,
        templateId: String = "",
        redeemed: Bool = false
    ) {
        self.init(
            code: code, customerId: customerId,
            template: CouponTemplate(
                templateId: templateId, discount: discount, scope: scope, stackable: stackable, validFrom: validFrom,
                validUntil: validUntil, campaignId: campaignId),
            redeemed: redeemed)
    }

    public var templateId: String { template.templateId }
    public var discount: Discount { template.discount }
    public var validFrom: Date { template.validFrom }
    public var validUntil: Date { template.validUntil }
    public var scope: CampaignScope { template.scope }
    public var stackable: Bool { template.stackable }
    /// Campaign whose coupon-subsidy budget pays the coupon, if any.
    public var campaignId: String? { template.campaignId }
}
