/// Order level: spend reductions, spend discounts, gifts and add-ons on the in-scope
/// subtotal after item-level promotions.
///
/// Campaigns run in (priority, id) order. Thresholds are measured on the scope's subtotal
/// after item level; amounts on the scope's running amount. The first member of an
/// exclusive group to come up resolves the whole group: every member is evaluated on the
/// running amounts and only the best for the shopper applies. A non-stackable campaign only
/// applies when no other order-level campaign has, and blocks every later one.
extension QuoteComputation {
    /// What applying an order-level campaign would do.
    struct OrderOffer {
        var campaign: Int
        /// Value to the shopper, for choosing inside an exclusive group.
        var benefit: Fen
        var thresholdBase: Fen
    }

    enum OrderEvaluation {
        case offer(OrderOffer)
        case rejected(RejectionReason)
    }

    mutating func applyOrderLevel() {
        var resolvedGroups: [Int] = []
        var anyApplied = false
        var blocked = false
        for campaign in engine.orderCampaigns where state[campaign].reason == nil {
            let compiled = engine.campaigns[campaign]
            if compiled.group < 0 {
                // Not in an exclusive group: no member list to build.
                let offer: OrderOffer
                switch evaluateOrder(campaign) {
                case .rejected(let reason):
                    state[campaign].reason = reason
                    continue
                case .offer(let found):
                    offer = found
                }
                guard offer.benefit > 0 else {
                    state[campaign].reason = .noBenefit  // e.g. a gift whose list price is 0
                    continue
                }
                if blocked || (!compiled.stackable && anyApplied) {
                    state[campaign].reason = .notStackable
                    continue
                }
                applyOrder(offer)
                anyApplied = true
                if !compiled.stackable { blocked = true }
                continue
            }
            if resolvedGroups.contains(compiled.group) { continue }
            resolvedGroups.append(compiled.group)
            let members = engine.orderCampaigns.filter {
                engine.campaigns[$0].group == compiled.group && state[$0].reason == nil
            }
            var best: OrderOffer?
            for member in members {
                switch evaluateOrder(member) {
                case .rejected(let reason):
                    state[member].reason = reason
                case .offer(let offer):
                    if offer.benefit > (best?.benefit ?? 0) { best = offer }
                }
            }
            guard let winner = best else {
                for member in members where state[member].reason == nil { state[member].reason = .noBenefit }
                continue
            }
            for member in members where member != winner.campaign && state[member].reason == nil {
                state[member].reason = .excludedByGroup
            }
            if blocked || (!engine.campaigns[winner.campaign].stackable && anyApplied) {
                state[winner.campaign].reason = .notStackable
                continue
            }
            applyOrder(winner)
            anyApplied = true
            if !engine.campaigns[winner.campaign].stackable { blocked = true }
        }
    }

    /// Scope lines, threshold check, stock and budget for one order-level campaign.
    func evaluateOrder(_ campaign: Int) -> OrderEvaluation {
        let compiled = engine.campaigns[campaign]
        var inScope = 0
        var thresholdBase = 0
        var running = 0
        let excluded = compiled.kind == .addOn ? compiled.ruleProduct : -1
        compiled.scopeMask.withUnsafeBufferPointer { mask in
            lines.withUnsafeBufferPointer { lines in
                for line in lines where mask[line.product] && line.product != excluded {
                    inScope += 1
                    thresholdBase += line.itemNetFen
                    running += line.netFen
                }
            }
        }
        if inScope == 0 && compiled.kind != .addOn { return .rejected(.noEligibleItems) }
        var offer = OrderOffer(campaign: campaign, benefit: 0, thresholdBase: thresholdBase)
        switch compiled.kind {
        case .spendReduction:
            guard let tier = compiled.reductionTiers.first(where: { $0.thresholdFen <= thresholdBase }) else {
                return .rejected(.thresholdNotMet)
            }
            offer.benefit = min(tier.reductionFen, running)
        case .spendDiscount:
            guard let tier = compiled.discountTiers.first(where: { $0.thresholdFen <= thresholdBase }) else {
                return .rejected(.thresholdNotMet)
            }
            offer.benefit = BasisPoints.share(of: running, basisPoints: tier.percentBp)
        case .gift:
            guard thresholdBase >= compiled.thresholdFen else { return .rejected(.thresholdNotMet) }
            let giftQuantity = compiled.giftQuantity
            let product = engine.products[compiled.ruleProduct]
            if !request.stockAvailable.isEmpty, let available = request.stockAvailable[product.sku] {
                var demand = giftQuantity
                if let line = lineIndex(product: compiled.ruleProduct) { demand += lines[line].quantity }
                for gift in gifts where gift.sku == product.sku { demand += gift.quantity }
                if demand > available { return .rejected(.giftOutOfStock) }
            }
            if !fits(campaign, .giftCost, product.costFen * giftQuantity) { return .rejected(.budgetExhausted) }
            offer.benefit = product.priceFen * giftQuantity
            return .offer(offer)
        case .addOn:
            guard let line = lineIndex(product: compiled.ruleProduct) else { return .rejected(.addOnNotInCart) }
            guard thresholdBase >= compiled.thresholdFen else { return .rejected(.thresholdNotMet) }
            let unitNets = UnitBreakdown(
                quantity: lines[line].quantity, unitPrice: lines[line].unitPrice, adjustments: adjustments[line]
            ).unitNets
            offer.benefit = unitNets[unitNets.count - 1] - compiled.rulePriceFen
        default:
            return .rejected(.noEligibleItems)
        }
        if offer.benefit <= 0 { return .rejected(.noBenefit) }
        if !fits(campaign, .discount, offer.benefit) { return .rejected(.budgetExhausted) }
        return .offer(offer)
    }

    mutating func applyOrder(_ offer: OrderOffer) {
        let campaign = offer.campaign
        let compiled = engine.campaigns[campaign]
        let source = AdjustmentSource.campaign(compiled.id)
        switch compiled.kind {
        case .gift:
            let giftQuantity = compiled.giftQuantity
            let product = engine.products[compiled.ruleProduct]
            let list = product.priceFen * giftQuantity
            let cost = product.costFen * giftQuantity
            var adjustments: [Adjustment] = []
            if list > 0 {
                adjustments.append(
                    Adjustment(
                        source: source, kind: compiled.kind.rawValue, amountFen: -list,
                        spread: .range(start: 0, count: giftQuantity),
                        budget: BudgetLink(campaignId: compiled.id, subBudget: .giftCost, perUnitFen: product.costFen)))
            }
            gifts.append(
                QuoteLine(
                    sku: product.sku, quantity: giftQuantity, unitPriceFen: product.priceFen, listFen: list,
                    adjustments: adjustments, netFen: 0, giftCampaignId: compiled.id, unitCostFen: product.costFen))
            charge(campaign, .giftCost, cost)
        case .addOn:
            guard let line = lineIndex(product: compiled.ruleProduct) else { return }
            let unit = lines[line].quantity - 1
            appendAdjustment(
                line,
                Adjustment(
                    source: source, kind: compiled.kind.rawValue, amountFen: -offer.benefit,
                    spread: .range(start: unit, count: 1),
                    budget: BudgetLink(campaignId: compiled.id, subBudget: .discount, perUnitFen: nil)))
            lines[line].netFen -= offer.benefit
            charge(campaign, .discount, offer.benefit)
        default:
            // The scope's lines (the same set `evaluateOrder` measured: scope never depends on nets).
            withUnsafeTemporaryAllocation(of: Int.self, capacity: max(lines.count, 1)) { scope in
                var count = 0
                for index in lines.indices where compiled.scopeMask[lines[index].product] {
                    scope[count] = index
                    count += 1
                }
                allocate(
                    offer.benefit, overIndices: UnsafeBufferPointer(rebasing: scope[0..<count]), source: source,
                    kind: compiled.kindName,
                    budget: BudgetLink(campaignId: compiled.id, subBudget: .discount, perUnitFen: nil))
            }
            charge(campaign, .discount, offer.benefit)
        }
        state[campaign].applied = true
        applied.append(
            AppliedPromotion(
                source: source, kind: compiled.kind.rawValue, amountFen: offer.benefit, baseFen: offer.thresholdBase))
    }
}
