/// Exclusive groups: at most one member of a group applies, and it is the best deal for the shopper.
///
/// A group is a group whatever the levels of its members (an item discount and a 满减 can share one). Each
/// member still possible after the context checks (status, window, channel, store, region, audience) is
/// priced *alone* on the cart — no other campaign, coupon or points — and its standalone benefit is what it
/// costs the campaign: money off (item and order level), the cost of its gifts, the points or coupon value it
/// rebates. Members are ranked by that benefit (ties: more money off, then priority, then campaign id), and
/// the quote is priced with only the best member of each group enabled. When the chosen member is then
/// refused in the company of the other campaigns (not stackable, budget, a threshold no longer met after item
/// level), the next member of its group takes its place and the quote is priced again; the refused one keeps
/// its own reason.
extension PricingEngine {
    /// Prices one cart.
    ///
    /// - Throws: `PricingInputError` for an unknown SKU, a quantity, amount or points request outside
    ///   `PricingLimits` (fields named as in the `cart` object).
    public func quote(_ request: QuoteRequest) throws(PricingInputError) -> Quote {
        // Bounds first: no cart, however large its quantities, can overflow the arithmetic below (the lines are
        // checked as they are resolved, in `prepared`).
        var run = try QuoteComputation.prepared(engine: self, request: request)
        if tables.groupMembers.isEmpty {
            run.applyLevels()
            return run.assemble()
        }
        let rankings = tables.groupMembers.map { run.rankByStandaloneBenefit($0) }
        let ranked = rankings.map(\.members)
        var refused: [Int: RejectionReason] = [:]
        while true {
            var chosen: [Int] = []
            for ranking in rankings {
                for (member, reason) in ranking.givingNothing { run.state[member].reason = reason }
            }
            for members in ranked {
                guard let winner = members.first(where: { refused[$0] == nil }) else {
                    for member in members { run.state[member].reason = refused[member] }
                    continue
                }
                chosen.append(winner)
                for member in members where member != winner {
                    run.state[member].reason = refused[member] ?? .excludedByGroup
                }
            }
            run.applyLevels()
            var retry = false
            for winner in chosen where !run.state[winner].applied {
                refused[winner] = run.state[winner].reason ?? .noBenefit
                let group = ranked.first { $0.contains(winner) } ?? []
                if group.contains(where: { refused[$0] == nil }) { retry = true }
            }
            if !retry { return run.assemble() }
            // Rare: price again from scratch with the refused members out (no copy of the state is kept for it).
            run = try QuoteComputation.prepared(engine: self, request: request)
        }
    }
}

extension QuoteComputation {
    /// Every level in order: item, order, coupons and points (unless `deductions` is false), rebates.
    mutating func applyLevels(deductions: Bool = true) {
        applyItemLevel()
        applyOrderLevel()
        if deductions {
            applyCoupons()
            applyPoints()
        }
        applyRebates()
    }

    /// Prepares a quote: the cart resolved, context and conditions checked; no level applied yet.
    static func prepared(engine: PricingEngine, request: QuoteRequest) throws(PricingInputError) -> QuoteComputation {
        let lines = try QuoteComputation.resolveLines(request, engine: engine.tables)
        try PricingEngine.validateBesideLines(request)
        var computation = QuoteComputation(engine: engine.tables, request: request, lines: lines)
        computation.checkContext()
        computation.checkConditions()
        return computation
    }

    /// The group's members still possible in this context that give something alone, best standalone deal
    /// first (ties: engine order, that is priority then id); and those that give nothing alone, with the
    /// reason each gave (they keep it).
    func rankByStandaloneBenefit(_ members: [Int]) -> (members: [Int], givingNothing: [(Int, RejectionReason)]) {
        var scored: [(campaign: Int, benefit: Fen, moneyOff: Fen)] = []
        var givingNothing: [(Int, RejectionReason)] = []
        scored.reserveCapacity(members.count)
        for member in members where state[member].reason == nil {
            let outcome = standalone(member)
            if let reason = outcome.reason {
                givingNothing.append((member, reason))
            } else {
                scored.append((member, outcome.benefit, outcome.moneyOff))
            }
        }
        // Equal benefits: money off the order before goods or points, so ids decide only between equals.
        scored.sort {
            if $0.benefit != $1.benefit { return $0.benefit > $1.benefit }
            if $0.moneyOff != $1.moneyOff { return $0.moneyOff > $1.moneyOff }
            return $0.campaign < $1.campaign
        }
        return (scored.map(\.campaign), givingNothing)
    }

    /// What `campaign` gives on this cart with no other campaign, coupon or points: everything it charges its
    /// budget (money off, gift cost, coupon value, points), or its reason when it gives nothing.
    ///
    /// Called on the computation before any level ran, so an order-level campaign or a rebate alone is
    /// exactly its evaluation here (nothing else has touched the cart); item-level ones are planned alone.
    func standalone(_ campaign: Int) -> (benefit: Fen, moneyOff: Fen, reason: RejectionReason?) {
        switch engine.campaigns[campaign].level {
        case .order:
            switch evaluateOrder(campaign) {
            case .rejected(let reason): return (0, 0, reason)
            case .offer(let offer):
                if case .gift = offer.effect { return (offer.benefit, 0, nil) }
                return (offer.benefit, offer.benefit, nil)
            }
        case .rebate:
            switch evaluateRebate(campaign) {
            case .rejected(let reason, _): return (0, 0, reason)
            case .granted(let grant): return (grant.amount, 0, nil)
            }
        case .item:
            if let outcome = standaloneUnitOffer(campaign) { return outcome }
        case .none:
            return (0, 0, .noBenefit)
        }
        // A bundle or a capped unit offer: planned at item level alone (the levels after it have nothing to do).
        var alone = self
        alone.solo = campaign
        alone.applyItemLevel()
        guard alone.state[campaign].applied else { return (0, 0, alone.state[campaign].reason ?? .noBenefit) }
        let base = campaign * 4
        let charged = alone.charges[base] + alone.charges[base + 1] + alone.charges[base + 2] + alone.charges[base + 3]
        return (charged, alone.charges[base], nil)
    }

    /// An uncapped unit offer alone: every unit it prices gets its terms, nothing competes. Exactly what the
    /// item-level plan gives it alone, without planning; nil for bundles and capped offers (planned alone).
    func standaloneUnitOffer(_ campaign: Int) -> (benefit: Fen, moneyOff: Fen, reason: RejectionReason?)? {
        let compiled = engine.campaigns[campaign]
        guard compiled.unitRule != nil, !compiled.unitsCapped else { return nil }
        var offered = false
        var total = 0
        for line in lines {
            for offering in engine.unitOffers[line.product] where offering.campaign == campaign {
                offered = true
                switch offering.terms {
                case .percentOff(let percentBp):
                    total += BasisPoints.share(of: line.listFen, basisPoints: percentBp)
                case .price(let price):
                    total += line.quantity * max(0, line.unitPrice - price)
                case .amountOff(let amount):
                    total += line.quantity * min(amount, line.unitPrice)
                }
            }
        }
        if total == 0 { return (0, 0, offered ? .notBestForShopper : .noEligibleItems) }
        if !fits(campaign, .discount, total) {
            // A partial budget prices fewer units: planned alone, like a capped offer.
            return engine.facts[campaign].partialBudget ? nil : (0, 0, .budgetExhausted)
        }
        return (total, total, nil)
    }
}
