/// A stock command that the stock of its location cannot take.
public enum StockError: Error, Sendable, Equatable {
    /// The change would take available stock (on hand − reserved) below zero.
    case insufficientStock(available: Int64, delta: Int64)
    /// The change would take on hand past ``InputLimits/onHand``.
    case onHandLimitExceeded(onHand: Int64, delta: Int64)
}
