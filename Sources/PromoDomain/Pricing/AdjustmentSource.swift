/// Who granted an adjustment: a campaign, a coupon, or the shopper's points.
public enum AdjustmentSource: Sendable, Hashable {
    case campaign(String)
    case coupon(String)
    case points

    /// The campaign id, when the source is a campaign.
    public var campaignId: String? {
        if case .campaign(let id) = self { return id }
        return nil
    }

    /// The coupon code, when the source is a coupon.
    public var couponCode: String? {
        if case .coupon(let code) = self { return code }
        return nil
    }
}
