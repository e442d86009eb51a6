import Foundation

/// The half-open time window `[start, end)` in which a campaign prices carts.
public struct CampaignWindow: Sendable, Hashable {
    public var start: Date
    public var end: Date
    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    /// Whether `now` falls inside the window; the end instant itself is outside.
    @inlinable
    public func contains(_ now: Date) -> Bool { now >= start && now < end }
}
