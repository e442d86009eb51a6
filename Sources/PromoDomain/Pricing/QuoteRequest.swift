import Foundation

/// Everything one quote depends on besides the engine's catalog and campaigns.
///
/// `now` is passed in (pricing never reads a clock); stock and the override maps are
/// snapshots the caller read from its streams.
public struct QuoteRequest: Sendable {
    public var cart: Cart
    public var customer: CustomerContext
    public var now: Date
    /// Available units per SKU, consulted for gifts; a missing SKU is not limited.
    public var stockAvailable: [String: Int]
    /// Budget left per campaign id, overriding `Campaign.budgetLeft` when present.
    public var budgetsLeft: [String: BudgetAmounts]
    /// Flash units left per campaign id, overriding `Campaign.flashQuantityLeft`.
    public var flashQuantitiesLeft: [String: Int]
    /// Orders left under `limits.maxOrders` per campaign id, overriding `Campaign.ordersLeft`.
    public var ordersLeft: [String: Int]

    public init(
        cart: Cart,
        customer: CustomerContext,
        now: Date,
        stockAvailable: [String: Int] = [:],
        budgetsLeft: [String: BudgetAmounts] = [:],
        flashQuantitiesLeft: [String: Int] = [:],
        ordersLeft: [String: Int] = [:]
    ) {
        self.ordersLeft = ordersLeft
        self.cart = cart
        self.customer = customer
        self.now = now
        self.stockAvailable = stockAvailable
        self.budgetsLeft = budgetsLeft
        self.flashQuantitiesLeft = flashQuantitiesLeft
    }
}
