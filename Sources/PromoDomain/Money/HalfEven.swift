/// Banker's rounding for integer division, the one rounding rule of PromoLedger.
///
/// Half-even keeps long runs of promotions from drifting systematically up or down,
/// which matters when finance sums millions of rounded amounts (762.5 → 762, 763.5 → 764).
public enum HalfEven {
    /// Divides `numerator` by a positive `denominator`, rounding halves to the even neighbour.
    ///
    /// Uses a full-width product-free formulation so it never traps on large fen amounts.
    @inlinable
    public static func divide(_ numerator: Int, by denominator: Int) -> Int {
        precondition(denominator > 0, "denominator must be positive")
        var quotient = numerator / denominator
        var remainder = numerator % denominator
        if remainder < 0 {
            quotient -= 1
            remainder += denominator
        }
        let twice = remainder.multipliedReportingOverflow(by: 2)
        if twice.overflow || twice.partialValue > denominator {
            return quotient + 1
        }
        if twice.partialValue == denominator {
            return quotient & 1 == 0 ? quotient : quotient + 1
        }
        return quotient
    }

    /// Rounds `value × multiplier / divisor` half-even, computing the product at double width.
    ///
    /// Percentages of large carts can exceed `Int.max` before the division, so the product
    /// is never formed in a single word.
    @inlinable
    public static func scale(_ value: Int, by multiplier: Int, dividedBy divisor: Int) -> Int {
        precondition(divisor > 0, "divisor must be positive")
        let product = value.multipliedFullWidth(by: multiplier)
        if product.high == 0 && product.low <= UInt(Int.max) || product.high == -1 && product.low > UInt(Int.max) {
            return divide(Int(truncatingIfNeeded: product.low), by: divisor)
        }
        let (q, r) = divisor.dividingFullWidth(product)
        var quotient = q
        var remainder = r
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        let twice = remainder * 2
        if twice > divisor || (twice == divisor && quotient & 1 != 0) {
            quotient += 1
        }
        return quotient
    }
}
