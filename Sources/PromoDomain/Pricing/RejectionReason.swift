/// Why a campaign or coupon that was considered did not apply; wire values are snake_case.
public enum RejectionReason: String, Sendable, Hashable, Codable, CaseIterable {
    case notActive = "not_active"
    case outsideWindow = "outside_window"
    case channelNotEligible = "channel_not_eligible"
    case storeNotEligible = "store_not_eligible"
    case regionNotEligible = "region_not_eligible"
    case notInAudience = "not_in_audience"
    case noEligibleItems = "no_eligible_items"
    case thresholdNotMet = "threshold_not_met"
    case bundleIncomplete = "bundle_incomplete"
    case budgetExhausted = "budget_exhausted"
    case flashSoldOut = "flash_sold_out"
    case customerLimitReached = "customer_limit_reached"
    case giftOutOfStock = "gift_out_of_stock"
    case addOnNotInCart = "add_on_not_in_cart"
    case excludedByGroup = "excluded_by_group"
    case notStackable = "not_stackable"
    case notBestForShopper = "not_best_for_shopper"
    case noBenefit = "no_benefit"
    /// The purchase the campaign requires besides its scope is not in the cart.
    case conditionNotMet = "condition_not_met"
    /// 新人首单: the customer has ordered before.
    case notFirstOrder = "not_first_order"
    /// The customer used the campaign as often as `limits.perCustomer` allows.
    case usageLimitReached = "usage_limit_reached"
    /// The customer used the campaign as often today as `limits.perCustomerPerDay` allows.
    case dailyLimitReached = "daily_limit_reached"
    /// The campaign was used on `limits.maxOrders` orders.
    case orderCapReached = "order_cap_reached"
    case couponNotFound = "coupon_not_found"
    case couponNotOwned = "coupon_not_owned"
    case couponExpired = "coupon_expired"
    case couponNotYetValid = "coupon_not_yet_valid"
    case couponAlreadyRedeemed = "coupon_already_redeemed"
    /// The order already takes a coupon worth more: one non-stackable coupon per order, or
    /// the stackable ones together, whichever is worth more.
    case couponLimitReached = "coupon_limit_reached"
}
