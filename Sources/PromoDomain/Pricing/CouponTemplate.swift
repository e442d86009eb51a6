import Foundation

/// The terms every coupon issued from it shares: API.md's `POST /v1/coupon-templates` body.
public struct CouponTemplate: Sendable, Hashable {
    public var templateId: String
    public var name: String
    public var discount: Coupon.Discount
    /// Products (SKUs, categories), channels and stores the coupon applies to; an empty
    /// list does not restrict. `regions` is not part of a coupon's scope and stays empty.
    public var scope: CampaignScope
    /// Whether coupons of this template combine with other stackable coupons on one order.
    /// A non-stackable coupon (the default) is the order's only coupon.
    public var stackable: Bool
    public var validFrom: Date
    public var validUntil: Date
    /// Coupons that may be issued in all (`nil`: not stated).
    public var totalQuantity: Int?
    /// Coupons one customer may hold (`nil`: not stated).
    public var perCustomerLimit: Int?
    /// Campaign whose coupon-subsidy budget pays the coupons, if any.
    public var campaignId: String?

    public init(
        templateId: String,
        name: String = "",
        discount: Coupon.Discount,
        scope: CampaignScope = CampaignScope(),
        stackable: Bool = false,
        validFrom: Date,
        validUntil: Date,
        totalQuantity: Int? = nil,
        perCustomerLimit: Int? = nil,
        campaignId: String? = nil
    ) {
        self.templateId = templateId
        self.name = name
        self.discount = discount
        self.scope = scope
        self.stackable = stackable
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.totalQuantity = totalQuantity
        self.perCustomerLimit = perCustomerLimit
        self.campaignId = campaignId
    }
}
