/// Validation of everything the engine reads, before it reads it.
///
/// Each field is checked against `PricingLimits`, so no amount or quantity that passes can
/// make the engine overflow or allocate without bound; errors name the field by its input
/// position (`campaigns[2].rules.tiers[1].reductionFen`) and the message states the limit.
extension PricingEngine {
    /// The brand's settings: rates that keep every product of the arithmetic below 2^63.
    static func validate(policy: PricingPolicy) throws(PricingInputError) {
        try within(policy.pointsPerYuan, 0...10_000, "policy.pointsPerYuan")
        try within(policy.redemptionPointsPerYuan, 1...1_000_000, "policy.redemptionPointsPerYuan")
        try within(policy.maxPointsShareBp, 0...BasisPoints.whole, "policy.maxPointsShareBp")
        try within(policy.bundleSearchLimit, 1...10_000_000, "policy.bundleSearchLimit")
    }

    static func validate(catalog: [Product]) throws(PricingInputError) {
        var seen = Set<String>()
        for (index, product) in catalog.enumerated() {
            let path = "catalog[\(index)]"
            if product.sku.isEmpty { throw PricingInputError(field: "\(path).sku", message: "must not be empty") }
            if !seen.insert(product.sku).inserted {
                throw PricingInputError(field: "\(path).sku", message: "duplicate SKU \(product.sku)")
            }
            try amount(product.priceFen, "\(path).priceFen")
            try amount(product.costFen, "\(path).costFen")
        }
    }

    static func validate(campaigns: [Campaign], productIndex: [String: Int]) throws(PricingInputError) {
        var seen = Set<String>()
        for (index, campaign) in campaigns.enumerated() {
            let path = "campaigns[\(index)]"
            if campaign.campaignId.isEmpty {
                throw PricingInputError(field: "\(path).campaignId", message: "must not be empty")
            }
            if !seen.insert(campaign.campaignId).inserted {
                throw PricingInputError(
                    field: "\(path).campaignId", message: "duplicate campaign id \(campaign.campaignId)")
            }
            if campaign.window.end <= campaign.window.start {
                throw PricingInputError(field: "\(path).window.end", message: "must be after window.start")
            }
            try validate(budget: campaign.budget, left: campaign.budgetLeftSnapshot, path: path)
            let thresholds = campaign.alerts.budgetThresholdsBp
            if thresholds.count > PricingLimits.maxAlertThresholds {
                throw PricingInputError(
                    field: "\(path).alerts.budgetThresholds",
                    message: "must have at most \(PricingLimits.maxAlertThresholds) entries (got \(thresholds.count))")
            }
            for (position, bp) in thresholds.enumerated() where bp < 1 || bp > BasisPoints.whole {
                throw PricingInputError(
                    field: "\(path).alerts.budgetThresholds[\(position)]",
                    message: "must be a fraction of the budget in (0, 1] with at most 4 decimals")
            }
            if let left = campaign.flashQuantityLeft {
                guard case .flashSale(let rule) = campaign.rules else {
                    throw PricingInputError(
                        field: "\(path).flashQuantityLeft", message: "only a flash_sale campaign has a flash quantity")
                }
                if left < 0 || left > rule.quantity {
                    throw PricingInputError(
                        field: "\(path).flashQuantityLeft",
                        message: "must be between 0 and rules.quantity (\(rule.quantity)) (got \(left))")
                }
            }
            try validate(limits: campaign.limits, ordersLeft: campaign.ordersLeft, path: path)
            try validate(rules: campaign.rules, path: "\(path).rules", productIndex: productIndex)
        }
    }

    /// Usage limits are positive counts; orders left exist only under a cap, within it.
    static func validate(limits: CampaignLimits, ordersLeft: Int?, path: String) throws(PricingInputError) {
        if let value = limits.perCustomer { try within(value, 1...PricingLimits.maxUses, "\(path).limits.perCustomer") }
        if let value = limits.perCustomerPerDay {
            try within(value, 1...PricingLimits.maxUses, "\(path).limits.perCustomerPerDay")
        }
        if let value = limits.maxOrders { try within(value, 1...PricingLimits.maxUses, "\(path).limits.maxOrders") }
        if let left = ordersLeft {
            guard let cap = limits.maxOrders else {
                throw PricingInputError(
                    field: "\(path).ordersLeft",
                    message: "needs limits.maxOrders: an uncapped campaign has no orders left")
            }
            try within(left, 0...cap, "\(path).ordersLeft")
        }
    }

    /// The limits, and the snapshot of what is left: within the limits, and only of keys that have one.
    static func validate(budget: BudgetAmounts?, left: BudgetAmounts?, path: String) throws(PricingInputError) {
        if let budget {
            if let total = budget.totalFen { try amount(total, "\(path).budget.totalFen") }
            for sub in SubBudget.allCases {
                if let value = budget[sub] { try amount(value, "\(path).budget.\(sub.rawValue)Fen") }
            }
        }
        guard let left else { return }
        let keys: [(String, Fen?, Fen?)] =
            [("totalFen", left.totalFen, budget?.totalFen)]
            + SubBudget.allCases.map { ("\($0.rawValue)Fen", left[$0], budget?[$0]) }
        for (key, value, limit) in keys {
            guard let value else { continue }
            let field = "\(path).budgetLeft.\(key)"
            try amount(value, field)
            guard budget != nil else { continue }
            guard let limit else {
                throw PricingInputError(
                    field: field, message: "budget.\(key) sets no limit, so nothing can be left of it")
            }
            if value > limit {
                throw PricingInputError(field: field, message: "must not exceed budget.\(key) (\(limit))")
            }
        }
    }

    /// Each kind validates its own rules (`Kinds/`).
    static func validate(rules: CampaignRules, path: String, productIndex: [String: Int]) throws(PricingInputError) {
        try rules.rule.validate(RuleCheck(path: path, productIndex: productIndex))
    }

    /// Issued coupons, each with its template's terms (named as fields of the coupon).
    static func validate(coupons: [Coupon], campaigns: [Campaign]) throws(PricingInputError) {
        let campaignIds = Set(campaigns.map(\.campaignId))
        var seen = Set<String>()
        for (index, coupon) in coupons.enumerated() {
            let path = "coupons[\(index)]"
            if coupon.code.isEmpty { throw PricingInputError(field: "\(path).code", message: "must not be empty") }
            if !seen.insert(coupon.code).inserted {
                throw PricingInputError(field: "\(path).code", message: "duplicate coupon code \(coupon.code)")
            }
            try validate(template: coupon.template, path: path, campaignIds: campaignIds)
        }
    }

    /// Coupon rebates (满返券): each names a known template whose coupon has a bounded value (an amount off, or
    /// a percentage with `maxDiscountFen`), which the rebate reserves against its coupon-subsidy budget.
    /// Returns that value per template id.
    static func validate(couponRebatesOf campaigns: [Campaign], templates: [CouponTemplate])
        throws(PricingInputError) -> [String: Fen]
    {
        var values: [String: Fen] = [:]
        for (index, campaign) in campaigns.enumerated() {
            guard case .rebate(let rule) = campaign.rules else { continue }
            for (position, tier) in rule.tiers.enumerated() {
                guard case .coupon(let id) = tier.reward else { continue }
                let field =
                    rule.higherTiers.isEmpty
                    ? "campaigns[\(index)].rules.couponTemplateId"
                    : "campaigns[\(index)].rules.tiers[\(position)].couponTemplateId"
                guard let template = templates.first(where: { $0.templateId == id }) else {
                    throw PricingInputError(field: field, message: "unknown coupon template \(id)")
                }
                switch template.discount {
                case .amount(let value, _): values[id] = value
                case .percent(_, _, let cap?): values[id] = cap
                case .percent(_, _, nil):
                    throw PricingInputError(
                        field: field,
                        message:
                            "template \(id) is a percent coupon without maxDiscountFen: a rebate must reserve a bounded value"
                    )
                }
            }
        }
        return values
    }

    /// Coupon templates as a scenario lists them: unique ids, valid terms.
    public static func validate(couponTemplates: [CouponTemplate], campaigns: [Campaign]) throws(PricingInputError) {
        let campaignIds = Set(campaigns.map(\.campaignId))
        var seen = Set<String>()
        for (index, template) in couponTemplates.enumerated() {
            let path = "couponTemplates[\(index)]"
            if template.templateId.isEmpty {
                throw PricingInputError(field: "\(path).templateId", message: "must not be empty")
            }
            if !seen.insert(template.templateId).inserted {
                throw PricingInputError(
                    field: "\(path).templateId", message: "duplicate template id \(template.templateId)")
            }
            try validate(template: template, path: path, campaignIds: campaignIds)
        }
    }

    /// A template's terms: amounts and percentages in range, a cap only on percent coupons
    /// (the enum cannot express another), a validity that starts before it ends.
    static func validate(template: CouponTemplate, path: String, campaignIds: Set<String>) throws(PricingInputError) {
        switch template.discount {
        case .amount(let value, let threshold):
            try within(value, 1...PricingLimits.maxAmountFen, "\(path).discount.valueFen", "fen")
            try amount(threshold, "\(path).discount.thresholdFen")
        case .percent(let bp, let threshold, let cap):
            try percent(bp, "\(path).discount.percentBp")
            try amount(threshold, "\(path).discount.thresholdFen")
            if let cap { try within(cap, 1...PricingLimits.maxAmountFen, "\(path).discount.maxDiscountFen", "fen") }
        }
        if !template.scope.regions.isEmpty {
            throw PricingInputError(
                field: "\(path).scope.regions",
                message: "a coupon's scope has skus, categories, channels and stores only")
        }
        if template.validUntil <= template.validFrom {
            throw PricingInputError(field: "\(path).validUntil", message: "must be after validFrom")
        }
        if let total = template.totalQuantity {
            try within(total, 1...PricingLimits.maxCouponIssue, "\(path).totalQuantity")
        }
        if let limit = template.perCustomerLimit {
            try within(limit, 1...PricingLimits.maxQuantity, "\(path).perCustomerLimit")
        }
        if let campaignId = template.campaignId, !campaignIds.contains(campaignId) {
            throw PricingInputError(field: "\(path).campaignId", message: "unknown campaign \(campaignId)")
        }
    }

    /// Checks a quote request against a catalog given as a price lookup, before any engine is built (a
    /// scenario): quantities, counts, points and the cart's list total within `PricingLimits`; unknown SKUs are
    /// left to `quote(_:)`, which names them. `quote(_:)` makes the same checks itself as it resolves the lines.
    static func validate(request: QuoteRequest, price: (String) -> Fen?) throws(PricingInputError) {
        let cart = request.cart
        try count(cart.lines.count, 0...PricingLimits.maxCartLines, "cart.lines", "lines")
        var listTotal = 0
        for (index, line) in cart.lines.enumerated() {
            try within(line.quantity, 1...PricingLimits.maxQuantity, "cart.lines[\(index)].quantity")
            guard let unitPrice = price(line.sku) else { continue }
            // Units of the SKU so far (carts list a SKU once as a rule: a scan, no hashing).
            var units = line.quantity
            for earlier in cart.lines[..<index] where earlier.sku == line.sku { units += earlier.quantity }
            try checkLine(
                index, sku: line.sku, quantity: line.quantity, units: units, unitPrice: unitPrice, listTotal: &listTotal
            )
        }
        try validateBesideLines(request)
    }

    /// A known SKU's line within bounds: its units with earlier lines of the same SKU, and the cart's running
    /// list total (advanced by this line). Shared by `validate` and the engine's own resolution of the lines.
    static func checkLine(
        _ index: Int, sku: String, quantity: Int, units: Int, unitPrice: Fen, listTotal: inout Fen
    ) throws(PricingInputError) {
        if units > PricingLimits.maxQuantity {
            throw PricingInputError(
                field: "cart.lines[\(index)].quantity",
                message: "makes \(units) units of \(sku); a cart holds at most \(PricingLimits.maxQuantity)")
        }
        let (list, overflow) = unitPrice.multipliedReportingOverflow(by: quantity)
        listTotal += overflow ? PricingLimits.maxCartListFen + 1 : min(list, PricingLimits.maxCartListFen + 1)
        if listTotal > PricingLimits.maxCartListFen {
            throw PricingInputError(
                field: "cart.lines[\(index)].quantity",
                message: "makes the cart's list total exceed \(PricingLimits.maxCartListFen) fen")
        }
    }

    /// Everything of a request but its lines: coupon count, points, delivery fee, the customer's counts, stock.
    static func validateBesideLines(_ request: QuoteRequest) throws(PricingInputError) {
        let cart = request.cart
        try count(cart.couponCodes.count, 0...PricingLimits.maxCouponCodes, "cart.couponCodes", "codes")
        try within(cart.pointsToRedeem, 0...PricingLimits.maxPoints, "cart.pointsToRedeem")
        try amount(cart.shippingFeeFen, "cart.shippingFeeFen")
        let customer = request.customer
        try within(customer.pointsBalance, 0...PricingLimits.maxPoints, "customer.pointsBalance")
        try within(customer.previousOrders, 0...PricingLimits.maxUses, "customer.previousOrders")
        try counts(customer.campaignOrders, 0...PricingLimits.maxUses, "customer.campaignOrders")
        try counts(customer.campaignOrdersToday, 0...PricingLimits.maxUses, "customer.campaignOrdersToday")
        try counts(customer.flashPurchases, 0...PricingLimits.maxQuantity, "customer.flashPurchases")
        try counts(request.stockAvailable, 0...PricingLimits.maxStock, "stock")
    }

    /// Every count of a map within `bounds`; the first offender by key is named. Usually empty: no work.
    static func counts(_ map: [String: Int], _ bounds: ClosedRange<Int>, _ path: String) throws(PricingInputError) {
        guard map.values.contains(where: { !bounds.contains($0) }) else { return }
        for (key, value) in map.sorted(by: { $0.key < $1.key }) { try within(value, bounds, "\(path).\(key)") }
    }

    /// Money: 0 ≤ value ≤ `PricingLimits.maxAmountFen`.
    static func amount(_ value: Int, _ field: String) throws(PricingInputError) {
        try within(value, 0...PricingLimits.maxAmountFen, field, "fen")
    }

    static func percent(_ value: Int, _ field: String) throws(PricingInputError) {
        try within(value, 1...BasisPoints.whole, field, "basis points")
    }

    static func within(
        _ value: Int, _ bounds: ClosedRange<Int>, _ field: @autoclosure () -> String, _ unit: String = ""
    )
        throws(PricingInputError)
    {
        if !bounds.contains(value) {
            let field = field()
            let suffix = unit.isEmpty ? "" : " \(unit)"
            throw PricingInputError(
                field: field,
                message: "must be between \(bounds.lowerBound) and \(bounds.upperBound)\(suffix) (got \(value))")
        }
    }

    static func count(_ value: Int, _ bounds: ClosedRange<Int>, _ field: String, _ noun: String)
        throws(PricingInputError)
    {
        if value < bounds.lowerBound {
            throw PricingInputError(
                field: field,
                message: bounds.lowerBound == 1
                    ? "must not be empty" : "must have at least \(bounds.lowerBound) \(noun)")
        }
        if value > bounds.upperBound {
            throw PricingInputError(
                field: field, message: "must have at most \(bounds.upperBound) \(noun) (got \(value))")
        }
    }

    /// A later tier must ask more and give more than the one before it (满100减30 then
    /// 满200减20 gives less for more and is refused).
    static func increasing(_ value: Int, after previous: Int, _ tier: String, _ key: String)
        throws(PricingInputError)
    {
        if value <= previous {
            throw PricingInputError(
                field: "\(tier).\(key)",
                message:
                    "must be greater than the previous tier's \(key) (\(previous)): tiers are listed by increasing threshold and a higher tier must give more"
            )
        }
    }
}
