/// Item level: at most one item-level promotion per unit, choosing the assignment that is
/// cheapest for the shopper.
///
/// Single-unit offers (item discount, special price, flash sale) are ranked per line by
/// saving; the units a line keeps outside bundles take the best offers first, which is
/// optimal because each offer's saving per unit is constant and flash sales only cap the
/// count. Bundles are chosen by an exhaustive search (`QuoteComputation+Bundles.swift`).
/// Budgets are then enforced by dropping the offending campaign and planning again, so
/// nothing is ever partly applied. Exclusive groups are resolved before any level runs
/// (`PricingEngine+Groups.swift`): at most one member is enabled.
extension QuoteComputation {
    struct UnitOffer {
        var campaign: Int
        /// Saving per unit × 10 000, exact for percentages.
        var saving: Int
        var capacity: Int
        var price: Fen
        var percentBp: Int
    }

    struct Segment {
        var campaign: Int
        var count: Int
        var amount: Fen
        var base: Fen
    }

    /// Item-level segments of all lines, flat: line i owns
    /// `segments[lineStart[i]..<lineStart[i + 1]]`, in the order they cover its units.
    struct ItemPlan {
        var segments: [Segment] = []
        var lineStart: [Int] = []
    }

    mutating func applyItemLevel() {
        prepareFlashSales()
        var plan = ItemPlan()
        var used: [Int] = []
        used.reserveCapacity(engine.itemLevelCampaigns.count)
        while true {
            plan = planItemLevel()
            for index in state.indices { state[index].itemTotal = 0 }
            used.removeAll(keepingCapacity: true)
            for segment in plan.segments {
                if state[segment.campaign].itemTotal == 0 && segment.amount > 0 { used.append(segment.campaign) }
                state[segment.campaign].itemTotal += segment.amount
            }
            used.sort()
            var changed = false
            for campaign in used
            where !Self.fits(
                campaign, .discount, state[campaign].itemTotal, engine: engine, overrides: request.budgetsLeft,
                charges: charges)
            {
                if let units = unitsWithinBudget(campaign, plan: plan) {
                    state[campaign].budgetUnits = units
                } else {
                    state[campaign].reason = .budgetExhausted
                }
                changed = true
            }
            if !changed { break }
        }
        // Units a non-stackable promotion holds go to the end of their line and are locked: no later level
        // counts or reduces them. The others come first, then the units no item-level promotion took.
        for lineIndex in lines.indices {
            let segments = plan.lineStart[lineIndex]..<plan.lineStart[lineIndex + 1]
            var lockedUnits = 0
            for position in segments where !engine.facts[plan.segments[position].campaign].stackable {
                lockedUnits += plan.segments[position].count
            }
            var start = 0
            var lockedStart = lines[lineIndex].quantity - lockedUnits
            var lockedNet = 0
            for position in segments {
                let segment = plan.segments[position]
                let first: Int
                if engine.facts[segment.campaign].stackable {
                    first = start
                    start += segment.count
                } else {
                    first = lockedStart
                    lockedStart += segment.count
                    lockedNet += segment.base - segment.amount
                }
                state[segment.campaign].itemBase += segment.base
                guard segment.amount > 0 else { continue }
                appendAdjustment(
                    lineIndex,
                    Adjustment(
                        origin: engine.origins[segment.campaign], amountFen: -segment.amount,
                        spread: .range(start: first, count: segment.count), subBudget: .discount))
                lines[lineIndex].netFen -= segment.amount
            }
            lines[lineIndex].itemNetFen = lines[lineIndex].netFen
            lines[lineIndex].lockedUnits = lockedUnits
            lines[lineIndex].lockedNetFen = lockedNet
        }
        for index in engine.itemLevelCampaigns {
            if state[index].itemTotal > 0 && isOpen(index) {
                state[index].applied = true
                charge(index, .discount, state[index].itemTotal)
                record(
                    AppliedPromotion(
                        origin: engine.origins[index], amountFen: state[index].itemTotal,
                        baseFen: state[index].itemBase))
            } else if isOpen(index) {
                state[index].reason = state[index].touched ? .notBestForShopper : .noEligibleItems
            }
        }
    }

    /// `budgetMode: "partial"` at item level: how many units the campaign's budget left still pays for, the units
    /// saving most first, fewer than it priced in `plan` (so planning again ends); nil when none, when the
    /// campaign is all-or-nothing, or for a bundle (one price or none). Planning again with that cap gives the
    /// units to the lines saving most; should rounding still overshoot, the next pass takes one unit fewer.
    func unitsWithinBudget(_ campaign: Int, plan: ItemPlan) -> Int? {
        guard engine.facts[campaign].partialBudget, engine.campaigns[campaign].bundle == nil else { return nil }
        var segments: [(perUnit: Fen, count: Int)] = []
        var planned = 0
        for segment in plan.segments where segment.campaign == campaign && segment.count > 0 {
            // Rounded up, so the units taken never cost more than the room.
            segments.append(((segment.amount + segment.count - 1) / segment.count, segment.count))
            planned += segment.count
        }
        segments.sort { $0.perUnit > $1.perUnit }
        var left = room(campaign, .discount)
        var units = 0
        for segment in segments {
            let take = segment.perUnit > 0 ? min(segment.count, left / segment.perUnit) : segment.count
            units += take
            left -= take * segment.perUnit
            if take < segment.count { break }
        }
        units = min(units, planned - 1)
        return units > 0 ? units : nil
    }

    /// Works out how many units each capped campaign may still price: a flash sale's units left for this
    /// customer, a cap per order.
    mutating func prepareFlashSales() {
        for index in engine.flashCampaigns where isOpen(index) {
            let compiled = engine.campaigns[index]
            guard compiled.unitProducts.contains(where: { lineIndex(product: $0) != nil }) else {
                state[index].reason = .noEligibleItems
                continue
            }
            guard let limit = compiled.unitLimit else {
                state[index].unitCapacity = compiled.unitsPerOrder ?? .max
                continue
            }
            let left =
                (request.flashQuantitiesLeft.isEmpty ? nil : request.flashQuantitiesLeft[compiled.id])
                ?? compiled.flashQuantityLeft ?? limit.quantity
            let bought = request.customer.flashPurchases.isEmpty ? 0 : request.customer.flashPurchases[compiled.id] ?? 0
            if left <= 0 {
                state[index].reason = .flashSoldOut
            } else if limit.perCustomer - bought <= 0 {
                state[index].reason = .customerLimitReached
            } else {
                state[index].unitCapacity = min(left, limit.perCustomer - bought, compiled.unitsPerOrder ?? .max)
            }
        }
    }

    /// Splits each capped campaign's capacity over the lines it offers, the lines whose units save most first,
    /// so a line's offer carries the units it may price. One small sort, only when the cart meets a cap.
    func shareCapacities(_ offers: inout [UnitOffer], offerStart: [Int]) {
        var capped: [(campaign: Int, saving: Int, position: Int)] = []
        for position in offers.indices where offers[position].capacity != .max {
            capped.append((offers[position].campaign, offers[position].saving, position))
        }
        guard !capped.isEmpty else { return }
        capped.sort { ($0.campaign, -$0.saving, $0.position) < ($1.campaign, -$1.saving, $1.position) }
        var campaign = -1
        var left = 0
        for entry in capped {
            if entry.campaign != campaign {
                campaign = entry.campaign
                left = offers[entry.position].capacity
            }
            let line = offerStart.lastIndex { $0 <= entry.position } ?? 0
            let units = min(left, lines[line].quantity)
            offers[entry.position].capacity = units
            left -= units
        }
    }

    /// Plans item-level segments per line for the campaigns still eligible.
    mutating func planItemLevel() -> ItemPlan {
        // Offers of all lines in one flat array: line i owns offers[offerStart[i]..<offerStart[i + 1]],
        // best saving first.
        var offers: [UnitOffer] = []
        offers.reserveCapacity(2 * lines.count)
        var offerStart: [Int] = []
        offerStart.reserveCapacity(lines.count + 1)
        for line in lines {
            let first = offers.count
            offerStart.append(first)
            for offering in engine.unitOffers[line.product] where isOpen(offering.campaign) {
                let campaign = offering.campaign
                state[campaign].touched = true
                var offer = UnitOffer(campaign: campaign, saving: 0, capacity: Int.max, price: 0, percentBp: 0)
                switch offering.terms {
                case .percentOff(let percentBp):
                    offer.percentBp = percentBp
                    offer.saving = line.unitPrice * percentBp
                case .price(let price):
                    offer.price = price
                    offer.saving = (line.unitPrice - price) * BasisPoints.whole
                case .amountOff(let amount):
                    offer.price = max(0, line.unitPrice - amount)
                    offer.saving = (line.unitPrice - offer.price) * BasisPoints.whole
                }
                if engine.facts[campaign].unitsCapped { offer.capacity = state[campaign].unitCapacity }
                offer.capacity = min(offer.capacity, state[campaign].budgetUnits)
                guard offer.saving > 0 else { continue }
                // Insert after every offer saving at least as much (stable, best first).
                offers.append(offer)
                var position = offers.count - 1
                while position > first && offers[position - 1].saving < offer.saving {
                    offers.swapAt(position, position - 1)
                    position -= 1
                }
            }
        }
        offerStart.append(offers.count)

        // A capacity is the campaign's across lines (a cap per order, a flash sale's units for this customer):
        // each line's offer gets its share, the lines whose units save most under that campaign first.
        shareCapacities(&offers, offerStart: offerStart)

        let bundles = eligibleBundles()
        let counts = bundles.isEmpty ? [] : searchBundles(bundles, offers: offers, offerStart: offerStart)

        var result = ItemPlan()
        result.lineStart.reserveCapacity(lines.count + 1)
        result.segments.reserveCapacity(offers.count + lines.count)
        for (lineIndex, line) in lines.enumerated() {
            result.lineStart.append(result.segments.count)
            var remaining = line.quantity
            for (position, bundle) in bundles.enumerated() where counts[position] > 0 {
                for item in bundle.items where item.line == lineIndex {
                    let units = counts[position] * item.quantity
                    result.segments.append(
                        Segment(
                            campaign: bundle.campaign, count: units, amount: counts[position] * item.share,
                            base: units * line.unitPrice))
                    remaining -= units
                }
            }
            for position in offerStart[lineIndex]..<offerStart[lineIndex + 1] where remaining > 0 {
                let offer = offers[position]
                let take = min(offer.capacity, remaining)
                guard take > 0 else { continue }
                let base = take * line.unitPrice
                let amount =
                    offer.percentBp > 0
                    ? BasisPoints.share(of: base, basisPoints: offer.percentBp)
                    : take * (line.unitPrice - offer.price)
                result.segments.append(Segment(campaign: offer.campaign, count: take, amount: amount, base: base))
                remaining -= take
            }
        }
        result.lineStart.append(result.segments.count)
        return result
    }
}
