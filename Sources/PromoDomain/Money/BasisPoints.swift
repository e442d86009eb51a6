/// Percentages as integer basis points (10 000 = 100 %), so no rate is ever a float.
public enum BasisPoints {
    /// One hundred percent.
    public static let whole = 10_000

    /// The share `basisPoints` of `amountFen`, rounded half-even.
    ///
    /// This is the only way a percentage becomes money, so every campaign and coupon
    /// rounds the same way.
    @inlinable
    public static func share(of amountFen: Int, basisPoints: Int) -> Int {
        HalfEven.scale(amountFen, by: basisPoints, dividedBy: whole)
    }
}
