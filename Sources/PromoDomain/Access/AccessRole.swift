/// What an API key may do, as API.md assigns it.
public enum AccessRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Channel systems (mall, POS, mini-program): quotes, orders, payments, refunds, customers, feedback.
    case channel
    /// Marketing: catalog, stock, campaigns, coupons, pushes, quotes and simulations, read models.
    case marketing
    /// Read models.
    case analyst
    /// Streams, verification, read models.
    case auditor
    /// Everything, plus keys and projections.
    case admin

    public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
