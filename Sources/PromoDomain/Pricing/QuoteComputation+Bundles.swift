/// Bundles (组合优惠) at item level: which bundles the cart completes, and how many times each is
/// taken so that the shopper's total saving, bundles and single-unit offers together, is the largest.
///
/// The search is an exhaustive depth-first enumeration of how many times each bundle matches, bounded by
/// the cart quantities and by `PricingPolicy.bundleSearchLimit` leaves (beyond which the best combination
/// found so far, which starts from the greedy "most bundles first" one, is used).
extension QuoteComputation {
    struct EligibleBundle {
        var campaign: Int
        /// (line index, units per bundle, share of one bundle's saving for that line).
        var items: [(line: Int, quantity: Int, share: Fen)]
        var saving: Fen
    }

    mutating func eligibleBundles() -> [EligibleBundle] {
        var bundles: [EligibleBundle] = []
        for campaign in engine.bundleCampaigns where isOpen(campaign) {
            let compiled = engine.campaigns[campaign]
            var present = 0
            var complete = true
            var items: [(line: Int, quantity: Int, share: Fen)] = []
            guard let bundle = compiled.bundle else { continue }
            for (position, item) in bundle.items.enumerated() {
                if let line = lineIndex(product: item.product), lines[line].quantity >= item.quantity {
                    present += 1
                    items.append((line: line, quantity: item.quantity, share: bundle.itemShares[position]))
                } else {
                    if lineIndex(product: item.product) != nil { present += 1 }
                    complete = false
                }
            }
            if present == 0 {
                state[campaign].reason = .noEligibleItems
                continue
            }
            state[campaign].touched = true
            if !complete {
                state[campaign].reason = .bundleIncomplete
                continue
            }
            if bundle.saving <= 0 {
                state[campaign].reason = .noBenefit
                continue
            }
            bundles.append(EligibleBundle(campaign: campaign, items: items, saving: bundle.saving))
        }
        return bundles
    }

    /// Exact search for the bundle counts that maximise the shopper's total saving.
    func searchBundles(_ bundles: [EligibleBundle], offers: [UnitOffer], offerStart: [Int]) -> [Int] {
        var search = BundleSearch(
            bundles: bundles, offers: offers, offerStart: offerStart, remaining: lines.map(\.quantity),
            current: [Int](repeating: 0, count: bundles.count), limit: engine.policy.bundleSearchLimit)
        search.explore(0, bundleValue: 0)
        return search.best
    }
}

/// Depth-first enumeration of bundle counts, most bundles first.
struct BundleSearch {
    let bundles: [QuoteComputation.EligibleBundle]
    /// Flat offers; line i owns `offers[offerStart[i]..<offerStart[i + 1]]`, best first.
    let offers: [QuoteComputation.UnitOffer]
    let offerStart: [Int]
    var remaining: [Int]
    var current: [Int]
    let limit: Int
    var best: [Int] = []
    var bestValue = Int.min
    var leaves = 0

    mutating func explore(_ position: Int, bundleValue: Int) {
        if leaves >= limit { return }
        if position == bundles.count {
            leaves += 1
            var value = bundleValue
            for line in remaining.indices {
                var left = remaining[line]
                for position in offerStart[line]..<offerStart[line + 1] where left > 0 {
                    let offer = offers[position]
                    let take = min(offer.capacity, left)
                    value += take * offer.saving
                    left -= take
                }
            }
            if value > bestValue {
                bestValue = value
                best = current
            }
            return
        }
        let bundle = bundles[position]
        var maxCount = Int.max
        for item in bundle.items { maxCount = min(maxCount, remaining[item.line] / item.quantity) }
        var count = maxCount
        while count >= 0 {
            for item in bundle.items { remaining[item.line] -= count * item.quantity }
            current[position] = count
            explore(position + 1, bundleValue: bundleValue + count * bundle.saving * BasisPoints.whole)
            for item in bundle.items { remaining[item.line] += count * item.quantity }
            count -= 1
            if leaves >= limit { break }
        }
        current[position] = 0
    }
}
