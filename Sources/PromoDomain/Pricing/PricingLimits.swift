/// The bounds validation puts on every amount, quantity and list that pricing reads.
///
/// With these bounds every product the engine forms (a price times a quantity, a
/// percentage of a subtotal times 10 000) fits in 64 bits with room to spare, and no
/// input makes it allocate more than the cart itself holds: input can never trap the
/// process. A value outside them is a `PricingInputError` whose message states the limit.
public enum PricingLimits {
    /// Any amount of money: prices, costs, thresholds, reductions, caps, budgets
    /// (¥100 000 000).
    public static let maxAmountFen: Fen = 10_000_000_000
    /// The list total of one cart (¥10 000 000 000).
    public static let maxCartListFen: Fen = 1_000_000_000_000
    /// Units of one SKU in a cart, and a campaign's quantities (flash units, per-customer limits).
    public static let maxQuantity = 100_000
    /// Distinct lines in a cart.
    public static let maxCartLines = 1_000
    /// Coupon codes offered with one cart.
    public static let maxCouponCodes = 20
    /// Gift units one gift campaign hands out per order.
    public static let maxGiftQuantity = 1_000
    /// Items (SKUs) in a bundle.
    public static let maxBundleItems = 20
    /// Units of one SKU in a bundle.
    public static let maxBundleItemQuantity = 1_000
    /// Tiers of a spend reduction or spend discount.
    public static let maxTiers = 20
    /// Uses of a campaign: per customer, per day, orders in all.
    public static let maxUses = 1_000_000_000
    /// Units in one multi-buy or pick-any group.
    public static let maxGroupUnits = 100
    /// Points: balances, redemptions, rebates.
    public static let maxPoints = 1_000_000_000
    /// Prizes of a lottery, and each prize's quantity and weight.
    public static let maxPrizes = 100
    public static let maxPrizeQuantity = 1_000_000
    public static let maxPrizeWeight = 1_000_000
    /// Budget alert thresholds of a campaign.
    public static let maxAlertThresholds = 10
    /// Coupons a template may issue in all.
    public static let maxCouponIssue = 100_000_000
    /// Units of stock per SKU a scenario may state.
    public static let maxStock = 1_000_000_000
}
