/// Brand-wide pricing settings that are not part of any campaign.
public struct PricingPolicy: Sendable, Hashable {
    /// Points earned per whole yuan paid (rounded down). Default: 1.
    public var pointsPerYuan: Int
    /// Upper bound on bundle combinations examined per quote; beyond it the best found so
    /// far is used. Default: 20 000 (exact for any realistic cart).
    public var bundleSearchLimit: Int
    /// Points a shopper spends for one yuan off (积分抵现). Default: 100, so 1 point = 1 fen.
    public var redemptionPointsPerYuan: Int
    /// The largest share of the payable amount points may pay, in basis points. Default: 10 000 (all of it).
    public var maxPointsShareBp: Int

    public init(
        pointsPerYuan: Int = 1, bundleSearchLimit: Int = 20_000, redemptionPointsPerYuan: Int = 100,
        maxPointsShareBp: Int = 10_000
    ) {
        self.pointsPerYuan = pointsPerYuan
        self.bundleSearchLimit = bundleSearchLimit
        self.redemptionPointsPerYuan = redemptionPointsPerYuan
        self.maxPointsShareBp = maxPointsShareBp
    }
}
