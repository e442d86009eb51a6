/// Order level: what the rules of `OrderLevelRule` kinds say they give (an amount off, a gift, an add-on
/// price), booked on the free units of their scope after item level.
///
/// Add-ons run first, then the others in (priority, id) order. Thresholds are measured on the scope's free
/// units after item level; amounts on their running net. A non-stackable campaign only applies when no other
/// order-level campaign has, and blocks every later one. Exclusive groups are resolved before any level runs
/// (`PricingEngine+Groups.swift`).
extension QuoteComputation {
    /// What applying an order-level campaign would do, checked against stock and budget.
    struct OrderOffer {
        var campaign: Int
        var effect: Booking
        /// Money off (for a gift: its cost to the brand).
        var benefit: Fen
        var thresholdBase: Fen
        /// Free units of the scope (what unit thresholds count).
        var units: Int
    }

    /// How an accepted effect is booked.
    enum Booking {
        case amountOff
        case gift(product: Int, quantity: Int)
        case addOn(line: Int, priceFen: Fen)
        case shipping
    }

    enum OrderEvaluation {
        case offer(OrderOffer)
        case rejected(RejectionReason)
    }

    mutating func applyOrderLevel() {
        // Add-ons first, whatever their priority: the add-on unit is then locked at its add-on price, so no
        // other campaign counts it toward a threshold or reduces it, and the result cannot depend on the order.
        for campaign in engine.orderCampaigns where engine.facts[campaign].addOnProduct >= 0 {
            applyOrderCampaign(campaign)
        }
        for campaign in engine.orderCampaigns where engine.facts[campaign].addOnProduct < 0 {
            applyOrderCampaign(campaign)
        }
    }

    private mutating func applyOrderCampaign(_ campaign: Int) {
        guard isOpen(campaign) else { return }
        let facts = engine.facts[campaign]
        let base = orderBase(campaign)
        switch evaluateOrder(campaign, base: base) {
        case .rejected(let reason):
            state[campaign].reason = reason
            if reason == .thresholdNotMet { recordHint(campaign, base: base.thresholdBase, units: base.units) }
        case .offer(let offer):
            // A higher tier within reach is worth telling the shopper about too (再买X元可减Y).
            recordHint(campaign, base: offer.thresholdBase, units: offer.units)
            let shipping = facts.isShipping
            if !shipping && (orderLevelBlocked || (!facts.stackable && orderLevelApplied)) {
                state[campaign].reason = .notStackable
                return
            }
            applyOrder(offer)
            if shipping { return }
            if facts.addOnProduct < 0 { orderLevelApplied = true }
            if !facts.stackable {
                orderLevelBlocked = true
                // 不参与其他优惠: its lines take no coupon or points either.
                for index in lines.indices where covers(campaign, lines[index].product) {
                    lines[index].lockedUnits = lines[index].quantity
                    lines[index].lockedNetFen = lines[index].netFen
                }
            }
        }
    }

    /// The rule's effect on the scope, checked against the cart, stock and budget.
    func evaluateOrder(_ campaign: Int) -> OrderEvaluation {
        evaluateOrder(campaign, base: orderBase(campaign))
    }

    /// `evaluateOrder(_:)` on the scope's base, measured by the caller.
    func evaluateOrder(_ campaign: Int, base: OrderBase) -> OrderEvaluation {
        let facts = engine.facts[campaign]
        guard facts.isOrderLevel else { return .rejected(.noEligibleItems) }
        let (inScope, thresholdBase, running, units) = base
        if inScope == 0 && facts.addOnProduct < 0 { return .rejected(.noEligibleItems) }
        var scope = OrderScope(thresholdBase: thresholdBase, running: running, units: units)
        if facts.needsUnitNets { scope.unitNets = freeUnitNets(campaign) }
        // Read in place through a local reference to the campaign: binding the rule itself to a local, or reading
        // it through the array, copies the existential (and retains its tiers).
        let compiled = engine.campaigns[campaign]
        let effect = compiled.orderRule.evaluate(scope)
        var offer = OrderOffer(
            campaign: campaign, effect: .amountOff, benefit: 0, thresholdBase: thresholdBase, units: units)
        switch effect {
        case .rejected(let reason):
            return .rejected(reason)
        case .amountOff(let amount):
            offer.benefit = amount
        case .gift(let sku, let giftQuantity):
            guard let product = engine.productIndex(of: sku) else { return .rejected(.noEligibleItems) }
            let info = engine.products[product]
            if !request.stockAvailable.isEmpty, let available = request.stockAvailable[info.sku] {
                var demand = giftQuantity
                if let line = lineIndex(product: product) { demand += lines[line].quantity }
                for gift in gifts where gift.sku == info.sku { demand += gift.quantity }
                if demand > available { return .rejected(.giftOutOfStock) }
            }
            // The benefit of a gift is what it costs the brand, so a not-for-sale sample (list price 0) is a
            // gift like any other: handed out, its cost charged, its stock reserved by the order.
            let cost = info.costFen * giftQuantity
            if !fits(campaign, .giftCost, cost) { return .rejected(.budgetExhausted) }
            offer.effect = .gift(product: product, quantity: giftQuantity)
            offer.benefit = cost
            return .offer(offer)
        case .shippingOff(let reduction):
            // What is left of the fee after earlier waivers.
            offer.effect = .shipping
            offer.benefit = min(reduction ?? .max, shippingFee - shippingDiscount)
        case .addOnPrice(let sku, let price):
            guard let product = engine.productIndex(of: sku), let line = lineIndex(product: product),
                lines[line].freeUnits > 0
            else {
                return .rejected(.addOnNotInCart)
            }
            let last = lines[line].freeUnits - 1
            let net = UnitBreakdown.withNets(
                quantity: lines[line].quantity, unitPrice: lines[line].unitPrice, adjustments: adjustments(of: line),
                row: nil
            ) { $0[last] }
            offer.effect = .addOn(line: line, priceFen: price)
            offer.benefit = net - price
        }
        if offer.benefit <= 0 { return .rejected(.noBenefit) }
        if !fits(campaign, .discount, offer.benefit) {
            // A partial-budget campaign applies what its budget still allows; an add-on's unit price is not
            // cut short (it is one price or none).
            let room = room(campaign, .discount)
            guard facts.partialBudget, room > 0, case .amountOff = offer.effect else {
                return .rejected(.budgetExhausted)
            }
            offer.benefit = room
        }
        return .offer(offer)
    }

    mutating func applyOrder(_ offer: OrderOffer) {
        let campaign = offer.campaign
        let origin = engine.origins[campaign]
        switch offer.effect {
        case .gift(let productIndex, let giftQuantity):
            let product = engine.products[productIndex]
            let list = product.priceFen * giftQuantity
            // Its list price cancelled by one adjustment (none for a not-for-sale sample at 0).
            let adjustments =
                list > 0
                ? LineAdjustments(
                    Adjustment(
                        origin: origin, amountFen: -list, spread: .range(start: 0, count: giftQuantity),
                        subBudget: .giftCost, perUnitFen: product.costFen)) : LineAdjustments([][...])
            gifts.append(
                QuoteLine(
                    sku: product.sku, quantity: giftQuantity, unitPriceFen: product.priceFen, listFen: list,
                    adjustments: adjustments, netFen: 0, giftCampaignId: engine.campaignIds[campaign],
                    unitCostFen: product.costFen))
            charge(campaign, .giftCost, offer.benefit)
        case .addOn(let line, let price):
            // The last free unit takes the add-on price and joins the locked units at the end of the line.
            let unit = lines[line].freeUnits - 1
            lines[line].lockedUnits += 1
            lines[line].lockedNetFen += price
            appendAdjustment(
                line,
                Adjustment(
                    origin: origin, amountFen: -offer.benefit, spread: .range(start: unit, count: 1),
                    subBudget: .discount))
            lines[line].netFen -= offer.benefit
            charge(campaign, .discount, offer.benefit)
        case .shipping:
            shippingDiscount += offer.benefit
            shippingAdjustments.append(
                Adjustment(
                    origin: origin, amountFen: -offer.benefit, spread: .range(start: 0, count: 0),
                    subBudget: .discount))
            charge(campaign, .discount, offer.benefit)
        case .amountOff:
            // The scope's free lines (the same set `evaluateOrder` measured: scope never depends on nets).
            withUnsafeTemporaryAllocation(of: Int.self, capacity: max(lines.count, 1)) { scope in
                var count = 0
                for index in lines.indices where covers(campaign, lines[index].product) && lines[index].freeUnits > 0 {
                    scope[count] = index
                    count += 1
                }
                allocate(
                    offer.benefit, overIndices: UnsafeBufferPointer(rebasing: scope[0..<count]),
                    origin: origin, subBudget: .discount)
            }
            charge(campaign, .discount, offer.benefit)
        }
        state[campaign].applied = true
        record(
            AppliedPromotion(
                origin: origin, amountFen: offer.benefit, baseFen: offer.thresholdBase))
    }

    /// The current nets of the scope's free units, as runs of equal nets from the most expensive.
    func freeUnitNets(_ campaign: Int) -> UnitRuns {
        var runs: [(net: Fen, count: Int)] = []
        runs.reserveCapacity(2 * lines.count)
        let excluded = engine.facts[campaign].addOnProduct
        for (index, line) in lines.enumerated()
        where covers(campaign, line.product) && line.product != excluded && line.freeUnits > 0 {
            if line.adjustmentCount == 0 {
                // Every unit still at list price: one run, nothing to replay.
                runs.append((line.unitPrice, line.freeUnits))
                continue
            }
            UnitBreakdown.withNets(
                quantity: line.quantity, unitPrice: line.unitPrice, adjustments: adjustments(of: index), row: nil
            ) { nets in
                for net in nets[0..<line.freeUnits] {
                    if let last = runs.last, last.net == net {
                        runs[runs.count - 1].count += 1
                    } else {
                        runs.append((net, 1))
                    }
                }
            }
        }
        runs.sort { $0.net > $1.net }
        // Equal nets from different lines make one run (compacted in place).
        var kept = 0
        for index in runs.indices {
            if kept > 0 && runs[kept - 1].net == runs[index].net {
                runs[kept - 1].count += runs[index].count
            } else {
                runs[kept] = runs[index]
                kept += 1
            }
        }
        runs.removeLast(runs.count - kept)
        return UnitRuns(runs: runs)
    }

    /// The threshold base of an order-level campaign or rebate: the free units of its scope after item level
    /// (an add-on's own SKU left out), their current net, and how many there are.
    typealias OrderBase = (lines: Int, thresholdBase: Fen, running: Fen, units: Int)

    func orderBase(_ campaign: Int) -> OrderBase {
        var inScope = 0
        var thresholdBase = 0
        var running = 0
        var units = 0
        let excluded = engine.facts[campaign].addOnProduct
        let first = campaign &* engine.productCount
        engine.scopeBits.withUnsafeBufferPointer { bits in
            lines.withUnsafeBufferPointer { lines in
                for line in lines where bits[first &+ line.product] && line.product != excluded && line.freeUnits > 0 {
                    inScope += 1
                    thresholdBase += line.freeItemNetFen
                    running += line.freeNetFen
                    units += line.freeUnits
                }
            }
        }
        return (inScope, thresholdBase, running, units)
    }
}
