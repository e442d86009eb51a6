/// A campaign or coupon that was considered and did not apply, with the reason.
public struct Rejection: Sendable, Hashable {
    public var source: AdjustmentSource
    public var reason: RejectionReason
}
