/// Order level: spend reductions, spend discounts, gifts and add-ons on the in-scope
/// subtotal after item-level promotions.
///
/// Campaigns run in (priority, id) order. Thresholds are measured on the scope's subtotal
/// after item level; amounts on the scope's running amount. A non-stackable campaign only
/// applies when no other order-level campaign has, and blocks every later one. Exclusive
/// groups are resolved before any level runs (`PricingEngine+Groups.swift`).
extension QuoteComputation {
    /// What applying an order-level campaign would do.
    struct OrderOffer {
        var campaign: Int
        /// Money off (or, for a gift, the gift's cost to the brand).
        var benefit: Fen
        var thresholdBase: Fen
    }

    enum OrderEvaluation {
        case offer(OrderOffer)
        case rejected(RejectionReason)
    }

    mutating func applyOrderLevel() {
        // Add-ons first, whatever their priority: the add-on unit is then locked at its add-on price, so no
        // other campaign counts it toward a threshold or reduces it, and the result cannot depend on the order.
        for campaign in engine.orderCampaigns where engine.campaigns[campaign].kind == .addOn {
            applyOrderCampaign(campaign)
        }
        for campaign in engine.orderCampaigns where engine.campaigns[campaign].kind != .addOn {
            applyOrderCampaign(campaign)
        }
    }

    private mutating func applyOrderCampaign(_ campaign: Int) {
        guard isOpen(campaign) else { return }
        let compiled = engine.campaigns[campaign]
        switch evaluateOrder(campaign) {
        case .rejected(let reason):
            state[campaign].reason = reason
            if reason == .thresholdNotMet { recordHint(campaign, base: orderBase(compiled).thresholdBase) }
        case .offer(let offer):
            // A higher tier within reach is worth telling the shopper about too (再买X元可减Y).
            recordHint(campaign, base: offer.thresholdBase)
            if orderLevelBlocked || (!compiled.stackable && orderLevelApplied) {
                state[campaign].reason = .notStackable
                return
            }
            applyOrder(offer)
            if compiled.kind != .addOn { orderLevelApplied = true }
            if !compiled.stackable {
                orderLevelBlocked = true
                // 不参与其他优惠: its lines take no coupon or points either.
                for index in lines.indices where compiled.scopeMask[lines[index].product] {
                    lines[index].lockedUnits = lines[index].quantity
                    lines[index].lockedNetFen = lines[index].netFen
                }
            }
        }
    }

    /// Scope lines, threshold check, stock and budget for one order-level campaign.
    func evaluateOrder(_ campaign: Int) -> OrderEvaluation {
        let compiled = engine.campaigns[campaign]
        let (inScope, thresholdBase, running) = orderBase(compiled)
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
            // The benefit of a gift is what it costs the brand, so a not-for-sale sample (list price 0) is a
            // gift like any other: handed out, its cost charged, its stock reserved by the order.
            let cost = product.costFen * giftQuantity
            if !fits(campaign, .giftCost, cost) { return .rejected(.budgetExhausted) }
            offer.benefit = cost
            return .offer(offer)
        case .addOn:
            guard let line = lineIndex(product: compiled.ruleProduct), lines[line].freeUnits > 0 else {
                return .rejected(.addOnNotInCart)
            }
            guard thresholdBase >= compiled.thresholdFen else { return .rejected(.thresholdNotMet) }
            let unitNets = UnitBreakdown(
                quantity: lines[line].quantity, unitPrice: lines[line].unitPrice, adjustments: adjustments[line]
            ).unitNets
            offer.benefit = unitNets[lines[line].freeUnits - 1] - compiled.rulePriceFen
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
            if solo < 0 {
                gifts.append(
                    QuoteLine(
                        sku: product.sku, quantity: giftQuantity, unitPriceFen: product.priceFen, listFen: list,
                        adjustments: adjustments, netFen: 0, giftCampaignId: compiled.id, unitCostFen: product.costFen))
            }
            charge(campaign, .giftCost, cost)
        case .addOn:
            guard let line = lineIndex(product: compiled.ruleProduct) else { return }
            // The last free unit takes the add-on price and joins the locked units at the end of the line.
            let unit = lines[line].freeUnits - 1
            lines[line].lockedUnits += 1
            lines[line].lockedNetFen += compiled.rulePriceFen
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
                for index in lines.indices where compiled.scopeMask[lines[index].product] && lines[index].freeUnits > 0
                {
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
        record(
            AppliedPromotion(
                source: source, kind: compiled.kind.rawValue, amountFen: offer.benefit, baseFen: offer.thresholdBase))
    }
}
