/// Splits an amount into integer parts proportional to weights, parts adding up exactly.
///
/// Every order-level amount, coupon and points deduction is spread over lines and units
/// with this method so refunds can reverse exactly what each unit received. Ties on the
/// remainder go to the earlier index, which keeps results independent of anything but
/// the canonical order of lines.
public enum LargestRemainder {
    /// Returns parts of `amount` proportional to `weights` (all ≥ 0).
    ///
    /// When every weight is zero the amount is spread evenly, so nothing is ever lost.
    public static func split(_ amount: Int, weights: [Int]) -> [Int] {
        var parts = [Int](repeating: 0, count: weights.count)
        split(amount, weights: weights, into: &parts)
        return parts
    }

    /// In-place variant for hot paths: writes the parts into `parts` (resized to fit).
    public static func split(_ amount: Int, weights: [Int], into parts: inout [Int]) {
        if parts.count != weights.count {
            parts = [Int](repeating: 0, count: weights.count)
        }
        var remainders = [Int](repeating: 0, count: weights.count)
        weights.withUnsafeBufferPointer { weights in
            parts.withUnsafeMutableBufferPointer { parts in
                remainders.withUnsafeMutableBufferPointer { remainders in
                    split(amount, weights: weights, into: parts, remainders: remainders)
                }
            }
        }
    }

    /// Allocation-free variant of `split(_:weights:into:)` for the pricing hot path: the same
    /// parts, written into `parts`, using `remainders` (same count as `weights`) as scratch.
    @usableFromInline
    static func split(
        _ amount: Int,
        weights: UnsafeBufferPointer<Int>,
        into parts: UnsafeMutableBufferPointer<Int>,
        remainders: UnsafeMutableBufferPointer<Int>
    ) {
        let count = weights.count
        guard count > 0 else { return }
        var total = 0
        for weight in weights { total += weight }
        if total <= 0 {
            for index in 0..<count { parts[index] = evenShare(amount, count: count, index: index) }
            return
        }
        var assigned = 0
        for index in 0..<count {
            var q: Int
            var r: Int
            let (narrow, overflow) = amount.multipliedReportingOverflow(by: weights[index])
            if !overflow {
                // The common case: the product fits in 64 bits, so no 128-bit division.
                (q, r) = narrow.quotientAndRemainder(dividingBy: total)
            } else {
                (q, r) = total.dividingFullWidth(amount.multipliedFullWidth(by: weights[index]))
            }
            if r < 0 {
                q -= 1
                r += total
            }
            parts[index] = q
            remainders[index] = r
            assigned += q
        }
        var leftover = amount - assigned
        while leftover > 0 {
            var best = -1
            var bestRemainder = -1
            for index in 0..<count where remainders[index] > bestRemainder {
                best = index
                bestRemainder = remainders[index]
            }
            parts[best] += 1
            remainders[best] = -1
            leftover -= 1
        }
    }

    /// Splits `amount` into `count` near-equal parts, the larger parts first.
    public static func splitEvenly(_ amount: Int, count: Int, into parts: inout [Int]) {
        if parts.count != count {
            parts = [Int](repeating: 0, count: count)
        }
        for index in 0..<count {
            parts[index] = evenShare(amount, count: count, index: index)
        }
    }

    /// The share of `amount` the unit at `index` receives in an even split over `count` units.
    @inlinable
    public static func evenShare(_ amount: Int, count: Int, index: Int) -> Int {
        let base = amount / count
        return base + (index < amount - base * count ? 1 : 0)
    }
}
