/// The working state of one quote while the levels are applied in order.
///
/// A value type mutated step by step (item level → order level → coupons → points →
/// rebates) and finally assembled into a `Quote`; nothing outlives the call.
struct QuoteComputation {
    /// A purchased line while it is being priced (plain integers, so copies are free;
    /// the SKU is `engine.products[product].sku` and the adjustments live in `adjustmentLog`).
    struct WorkLine {
        var product: Int
        var quantity: Int
        var unitPrice: Fen
        var unitCost: Fen
        var listFen: Fen
        /// Net after item-level promotions: the base of order-level thresholds.
        var itemNetFen: Fen
        /// Current net, reduced by every step.
        var netFen: Fen
        /// Units at the end of the line held by a non-stackable promotion (or an add-on price): later levels
        /// neither count them toward thresholds nor reduce them, coupons and points included.
        var lockedUnits = 0
        /// Net of the locked units, fixed once they are locked.
        var lockedNetFen: Fen = 0
        /// How many adjustments the line has received.
        var adjustmentCount = 0

        /// Units later levels may still count and reduce.
        var freeUnits: Int { quantity - lockedUnits }
        /// Item-level net of the free units: the base of order-level thresholds.
        var freeItemNetFen: Fen { itemNetFen - lockedNetFen }
        /// Current net of the free units: what later levels may still reduce.
        var freeNetFen: Fen { netFen - lockedNetFen }
    }

    let engine: EngineTables
    let request: QuoteRequest
    var lines: [WorkLine]
    /// Every adjustment of the purchased lines, in application order, with the line it falls on: one array for
    /// the quote rather than one per line (`adjustments(of:)` reads a line's).
    var adjustmentLog: [LoggedAdjustment] = []
    /// Per-campaign working state (engine order), in one array so a quote makes one
    /// allocation for it instead of one per field.
    struct CampaignState {
        /// Why it did not apply, `nil` while still possible.
        var reason: RejectionReason? = nil
        /// Whether it is reported at all (lotteries are not priced).
        var considered = true
        var applied = false
        /// Flash-sale units this customer may still buy at the flash price.
        var unitCapacity = 0
        /// Item level, `budgetMode: "partial"`: the units its budget left still pays for (`Int.max`: no cap).
        var budgetUnits = Int.max
        /// Item level: whether any line or bundle offered it at all.
        var touched = false
        /// Item level: total saving and list base of its planned segments.
        var itemTotal: Fen = 0
        var itemBase: Fen = 0
    }

    var state: [CampaignState]
    /// Per campaign × 4 sub-budgets: amounts charged so far.
    var charges: [Fen]
    var applied: [AppliedPromotion] = []
    var gifts: [QuoteLine] = []
    var couponRejections: [Rejection] = []
    var rebates: [Rebate] = []
    var rebateScopes: [RebateScope] = []
    var pointsRedeemed = 0
    /// What the redeemed points took off, in fen.
    var pointsDeductionFen = 0
    var hints: [QualificationHint] = []
    /// The cart's delivery fee, what waivers took off it, and their adjustments.
    var shippingFee: Fen = 0
    var shippingDiscount: Fen = 0
    var shippingAdjustments: [Adjustment] = []
    /// When ≥ 0, the only campaign priced: an item-level group member planned alone for its standalone deal
    /// (a bundle, a capped offer). The others are left untouched, and no adjustment or applied entry is
    /// recorded.
    var solo = -1

    /// Records an applied promotion, except in a standalone run.
    @inline(__always)
    mutating func record(_ promotion: AppliedPromotion) {
        if solo < 0 { applied.append(promotion) }
    }

    /// Whether `campaign` may still apply in this computation.
    @inline(__always)
    func isOpen(_ campaign: Int) -> Bool {
        state[campaign].reason == nil && (solo < 0 || campaign == solo)
    }
    /// Order level: whether a campaign other than an add-on applied, and whether a non-stackable one did.
    var orderLevelApplied = false
    var orderLevelBlocked = false

    /// A computation with nothing applied yet. Not throwing: a throwing struct initializer builds `self` in a
    /// box and copies it out (every array retained and released once more per quote).
    init(engine: EngineTables, request: QuoteRequest, lines: [WorkLine]) {
        self.engine = engine
        self.request = request
        self.lines = lines
        self.shippingFee = request.cart.shippingFeeFen
        let count = engine.campaigns.count
        state = [CampaignState](repeating: CampaignState(), count: count)
        charges = [Fen](repeating: 0, count: count * 4)
        applied.reserveCapacity(8)
    }

    /// The cart's lines resolved against the catalog and checked against `PricingLimits` in one pass (the
    /// checks of `PricingEngine.validate`, each SKU looked up once): one line per product (repeated SKUs
    /// merged), in product order, with list amounts.
    static func resolveLines(_ request: QuoteRequest, engine: EngineTables) throws(PricingInputError) -> [WorkLine] {
        let cartLines = request.cart.lines
        try PricingEngine.count(cartLines.count, 0...PricingLimits.maxCartLines, "cart.lines", "lines")
        var lines: [WorkLine] = []
        lines.reserveCapacity(cartLines.count)
        var listTotal: Fen = 0
        for (position, line) in cartLines.enumerated() {
            try PricingEngine.within(line.quantity, 1...PricingLimits.maxQuantity, "cart.lines[\(position)].quantity")
            guard let product = engine.productIndex(of: line.sku) else {
                throw PricingInputError(
                    field: "cart.lines[\(position)].sku", message: "unknown SKU \(line.sku)", unknownSKU: line.sku)
            }
            let existing = lines.firstIndex { $0.product == product }
            let units = line.quantity + (existing.map { lines[$0].quantity } ?? 0)
            try PricingEngine.checkLine(
                position, sku: line.sku, quantity: line.quantity, units: units,
                unitPrice: engine.products[product].priceFen, listTotal: &listTotal)
            if let existing {
                lines[existing].quantity = units
            } else {
                let info = engine.products[product]
                lines.append(
                    WorkLine(
                        product: product, quantity: line.quantity, unitPrice: info.priceFen,
                        unitCost: info.costFen, listFen: 0, itemNetFen: 0, netFen: 0))
            }
        }
        lines.sort { $0.product < $1.product }
        for index in lines.indices {
            // `checkLine` bounds the cart's list total by `PricingLimits.maxCartListFen`, so no product overflows.
            let list = lines[index].unitPrice * lines[index].quantity
            lines[index].listFen = list
            lines[index].itemNetFen = list
            lines[index].netFen = list
        }
        return lines
    }

    /// Rejects campaigns whose status, window, channel, store, region, audience or usage limits rule them out.
    mutating func checkContext() {
        let cart = request.cart
        let customer = request.customer
        let region = cart.region ?? customer.region
        let now = request.now
        let rules = engine.contextRules
        for index in rules.indices {
            // Plain values first (no reference counting); the campaign itself only when a
            // channel, store, region or audience rule needs its strings.
            let rule = rules[index]
            if rule.isLottery {
                state[index].considered = false
                continue
            }
            let reason: RejectionReason?
            if !rule.isActive {
                reason = .notActive
            } else if !(now >= rule.windowStart && now < rule.windowEnd) {
                reason = .outsideWindow
            } else if !rule.needsCampaign {
                reason = nil
            } else {
                let compiled = engine.campaigns[index]
                reason = Self.contextReason(
                    compiled, cart: cart, customer: customer, region: region,
                    ordersLeft: request.ordersLeft.isEmpty ? nil : request.ordersLeft[compiled.id])
            }
            state[index].reason = reason
        }
    }

    /// The channel, store, region and audience checks of `checkContext`, in that order.
    static func contextReason(
        _ compiled: CompiledCampaign, cart: Cart, customer: CustomerContext, region: String?, ordersLeft: Int?
    ) -> RejectionReason? {
        if !compiled.channels.isEmpty && !compiled.channels.contains(cart.channel) { return .channelNotEligible }
        if !compiled.stores.isEmpty && !compiled.stores.contains(cart.storeId) { return .storeNotEligible }
        if !compiled.regions.isEmpty && !(region.map(compiled.regions.contains) ?? false) { return .regionNotEligible }
        if compiled.audienceRestricted && !compiled.audience.admits(customer) { return .notInAudience }
        let limits = compiled.campaign.limits
        if limits.restricts {
            return limits.reason(
                for: customer, campaignId: compiled.id, ordersLeft: ordersLeft ?? compiled.campaign.ordersLeft)
        }
        return nil
    }

    /// Refuses campaigns whose required purchase (a condition on other products) the cart does not hold,
    /// measured at list price.
    mutating func checkConditions() {
        for index in engine.conditionCampaigns where state[index].reason == nil {
            let compiled = engine.campaigns[index]
            guard let condition = compiled.condition else { continue }
            var units = 0
            var fen = 0
            for line in lines where compiled.conditionMask[line.product] {
                units += line.quantity
                fen += line.listFen
            }
            if units < condition.minUnits || fen < condition.minFen { state[index].reason = .conditionNotMet }
        }
    }

    /// Whether a campaign's scope covers a product.
    @inline(__always)
    func covers(_ campaign: Int, _ product: Int) -> Bool {
        engine.scopeBits[campaign &* engine.productCount &+ product]
    }

    /// Index of the purchased line for a product, if in the cart.
    @inline(__always)
    func lineIndex(product: Int) -> Int? {
        for index in lines.indices where lines[index].product == product { return index }
        return nil
    }

    /// The budget snapshot for a campaign (`nil`: unlimited).
    @inline(__always)
    func budgetLeft(_ campaign: Int) -> BudgetAmounts? {
        Self.budgetLeft(campaign, engine: engine, overrides: request.budgetsLeft)
    }

    /// Whether charging `amount` more to a sub-budget keeps the campaign within its budget.
    @inline(__always)
    func fits(_ campaign: Int, _ subBudget: SubBudget, _ amount: Fen) -> Bool {
        Self.fits(campaign, subBudget, amount, engine: engine, overrides: request.budgetsLeft, charges: charges)
    }

    /// `budgetLeft(_:)` on explicit parts of the state, so hot callers borrow only those
    /// fields instead of copying the whole computation.
    @inline(__always)
    static func budgetLeft(
        _ campaign: Int, engine: EngineTables, overrides: [String: BudgetAmounts]
    ) -> BudgetAmounts? {
        let compiled = engine.campaigns[campaign]
        if !overrides.isEmpty, let override = overrides[compiled.id] { return override }
        return compiled.budgetLeft
    }

    /// `fits(_:_:_:)` on explicit parts of the state.
    @inline(__always)
    static func fits(
        _ campaign: Int, _ subBudget: SubBudget, _ amount: Fen,
        engine: EngineTables, overrides: [String: BudgetAmounts], charges: [Fen]
    ) -> Bool {
        amount <= headroom(campaign, subBudget, engine: engine, overrides: overrides, charges: charges)
    }

    /// What a sub-budget of the campaign can still take: the least of its own limit and the total cap, less
    /// what this quote charged (`Fen.max` when unlimited; negative only if already over).
    @inline(__always)
    static func headroom(
        _ campaign: Int, _ subBudget: SubBudget,
        engine: EngineTables, overrides: [String: BudgetAmounts], charges: [Fen]
    ) -> Fen {
        guard let left = budgetLeft(campaign, engine: engine, overrides: overrides) else { return .max }
        let base = campaign * 4
        var room = Fen.max
        if let limit = left[subBudget] { room = limit - charges[base + subBudget.slot] }
        if let total = left.totalFen {
            room = min(room, total - (charges[base] + charges[base + 1] + charges[base + 2] + charges[base + 3]))
        }
        return room
    }

    /// How much more a sub-budget of the campaign can take (its own limit and the total cap).
    func room(_ campaign: Int, _ subBudget: SubBudget) -> Fen {
        max(0, Self.headroom(campaign, subBudget, engine: engine, overrides: request.budgetsLeft, charges: charges))
    }

    mutating func charge(_ campaign: Int, _ subBudget: SubBudget, _ amount: Fen) {
        charges[campaign * 4 + subBudget.slot] += amount
    }

    /// Appends an adjustment to a purchased line, reserving room for a few more at once
    /// (lines typically collect two or three).
    @inline(__always)
    mutating func appendAdjustment(_ line: Int, _ adjustment: Adjustment) {
        // A standalone run needs only nets and charges: its explanation is never shown.
        guard solo < 0 else { return }
        if adjustmentLog.capacity == 0 { adjustmentLog.reserveCapacity(4 * lines.count) }
        adjustmentLog.append(LoggedAdjustment(line: line, adjustment: adjustment))
        lines[line].adjustmentCount += 1
    }

    /// A purchased line's adjustments in application order.
    func adjustments(of line: Int) -> AdjustmentsInLog {
        AdjustmentsInLog(log: adjustmentLog, line: line)
    }

    /// Spreads `amount` over the given lines in proportion to the current nets of their free units and
    /// records it as an adjustment on each line that receives a non-zero share.
    mutating func allocate(
        _ amount: Fen,
        over lineIndices: [Int],
        origin: AdjustmentOrigin,
        subBudget: SubBudget?
    ) {
        lineIndices.withUnsafeBufferPointer { indices in
            allocate(amount, overIndices: indices, origin: origin, subBudget: subBudget)
        }
    }

    /// `allocate(_:over:origin:subBudget:)` on borrowed indices, with stack scratch space.
    mutating func allocate(
        _ amount: Fen,
        overIndices lineIndices: UnsafeBufferPointer<Int>,
        origin: AdjustmentOrigin,
        subBudget: SubBudget?
    ) {
        let count = lineIndices.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(3 * count, 1)) { scratch in
            let base = scratch.baseAddress!
            let weights = UnsafeMutableBufferPointer(start: base, count: count)
            let parts = UnsafeMutableBufferPointer(start: base + count, count: count)
            let remainders = UnsafeMutableBufferPointer(start: base + 2 * count, count: count)
            for position in 0..<count { weights[position] = lines[lineIndices[position]].freeNetFen }
            LargestRemainder.split(
                amount, weights: UnsafeBufferPointer(weights), into: parts, remainders: remainders)
            for position in 0..<count where parts[position] != 0 {
                let line = lineIndices[position]
                lines[line].netFen -= parts[position]
                let spread: UnitSpread =
                    lines[line].lockedUnits == 0 ? .proportional : .proportionalFirst(count: lines[line].freeUnits)
                appendAdjustment(
                    line,
                    Adjustment(origin: origin, amountFen: -parts[position], spread: spread, subBudget: subBudget))
            }
        }
    }
}

/// An adjustment of a purchased line, in the order the quote made them.
struct LoggedAdjustment: Sendable, Hashable {
    var line: Int
    var adjustment: Adjustment
}

/// One line's adjustments in a log of the whole quote's, in application order: a plain scan, no closure.
struct AdjustmentsInLog: Sequence {
    let log: [LoggedAdjustment]
    let line: Int

    struct Iterator: IteratorProtocol {
        let log: [LoggedAdjustment]
        let line: Int
        var position = 0

        mutating func next() -> Adjustment? {
            while position < log.count {
                position += 1
                if log[position - 1].line == line { return log[position - 1].adjustment }
            }
            return nil
        }
    }

    func makeIterator() -> Iterator { Iterator(log: log, line: line) }
}
