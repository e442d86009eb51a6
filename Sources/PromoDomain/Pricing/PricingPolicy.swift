/// Brand-wide pricing settings that are not part of any campaign.
public struct PricingPolicy: Sendable, Hashable {
    /// Points earned per whole yuan paid (rounded down). Default: 1.
    public var pointsPerYuan: Int
    /// Upper bound on bundle combinations examined per quote; beyond it the best found so
    /// far is used. Default: 20 000 (exact for any realistic cart).
    public var bundleSearchLimit: Int

    public init(pointsPerYuan: Int = 1, bundleSearchLimit: Int = 20_000) {
        self.pointsPerYuan = pointsPerYuan
        self.bundleSearchLimit = bundleSearchLimit
    }
}
