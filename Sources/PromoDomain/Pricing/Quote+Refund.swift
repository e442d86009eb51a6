/// Refund arithmetic: each returned unit gives back exactly what it was charged and
/// releases exactly the budget it consumed.
///
/// Units of a line are returned from the last one backwards (units a non-stackable promotion or
/// an add-on holds sit at the end, then full-price units, then units of stackable item-level
/// promotions), so successive partial refunds by count never overlap and together return the
/// whole total.
extension Quote {
    /// Refund for returning `units`, after the units already returned in `previous`.
    ///
    /// - Throws: `PricingInputError` for an unknown SKU or gift campaign, or more units
    ///   than are left to return.
    public func refund(_ units: ReturnedUnits, after previous: ReturnedUnits = ReturnedUnits())
        throws(PricingInputError) -> Refund
    {
        var lineIndices: [String: [Int]] = [:]
        for (sku, count) in units.lines.sorted(by: { $0.key < $1.key }) {
            guard let line = lines.first(where: { $0.sku == sku }) else {
                throw PricingInputError(field: "lines.\(sku)", message: "SKU not on the order")
            }
            lineIndices[sku] = try Self.lastUnits(
                count, of: line.quantity, previous: previous.lines[sku] ?? 0, field: "lines.\(sku)")
        }
        var giftIndices: [String: [Int]] = [:]
        for (campaignId, count) in units.gifts.sorted(by: { $0.key < $1.key }) {
            guard let gift = gifts.first(where: { $0.giftCampaignId == campaignId }) else {
                throw PricingInputError(field: "gifts.\(campaignId)", message: "no gift from this campaign")
            }
            giftIndices[campaignId] = try Self.lastUnits(
                count, of: gift.quantity, previous: previous.gifts[campaignId] ?? 0, field: "gifts.\(campaignId)")
        }
        var result = try refund(unitIndices: lineIndices, giftUnitIndices: giftIndices)
        /// Whether every unit of these lines is returned once `units` is (`now`) or was before it.
        func allReturned(_ indices: [Int], now: Bool) -> Bool {
            indices.allSatisfy {
                (previous.lines[lines[$0].sku] ?? 0) + (now ? units.lines[lines[$0].sku] ?? 0 : 0) == lines[$0].quantity
            }
        }
        // A coupon rebate cannot be split by unit: its reservation comes back with the last unit of its scope.
        for scope in rebateScopes where scope.couponValueFen > 0 {
            guard allReturned(scope.lineIndices, now: true) && !allReturned(scope.lineIndices, now: false) else {
                continue
            }
            var release = BudgetCharge(campaignId: scope.campaignId)
            release.couponSubsidyFen = scope.couponValueFen
            result.add(release)
        }
        // The delivery fee, and the budget its waivers took, come back with the last unit of the order.
        let everyLine = Array(lines.indices)
        if let shipping, allReturned(everyLine, now: true) && !allReturned(everyLine, now: false) {
            result.shippingFen = shipping.netFen
            result.refundFen += shipping.netFen
            for adjustment in shipping.adjustments {
                guard let budget = adjustment.budget else { continue }
                var release = BudgetCharge(campaignId: budget.campaignId)
                release[budget.subBudget] = -adjustment.amountFen
                result.add(release)
            }
        }
        return result
    }

    /// Refund for an explicit set of units (0-based unit indices per SKU / gift campaign).
    public func refund(unitIndices: [String: [Int]], giftUnitIndices: [String: [Int]] = [:]) throws(PricingInputError)
        -> Refund
    {
        var releases: [String: BudgetCharge] = [:]
        var result = Refund(
            refundFen: 0, lines: [], gifts: [], budgetReleases: [], pointsReturned: 0, pointsClawedBack: 0)
        var netWeights = lines.map(\.netFen)
        let earnedPerLine = LargestRemainder.split(pointsToEarn, weights: netWeights)
        var rebatePerLine: [[Int]] = []
        for scope in rebateScopes {
            // A rebate is clawed back from the lines it was earned on, by what they paid; when they paid
            // nothing (a coupon took it all), by their units, but never from a line outside its scope.
            var weights = [Int](repeating: 0, count: lines.count)
            for index in scope.lineIndices { weights[index] = lines[index].netFen }
            if !scope.lineIndices.contains(where: { weights[$0] > 0 }) {
                for index in scope.lineIndices { weights[index] = lines[index].quantity }
            }
            rebatePerLine.append(LargestRemainder.split(scope.points, weights: weights))
        }
        netWeights.removeAll()
        // Redeemed points go back by the fen they took off each line, then each unit, so partial refunds of any
        // sizes return exactly the points spent, whatever the redemption rate.
        let pointsAdjustment = lines.map { $0.adjustments.firstIndex { $0.source == .points } }
        var pointsWeights = [Fen](repeating: 0, count: lines.count)
        for index in lines.indices {
            if let position = pointsAdjustment[index] {
                pointsWeights[index] = -lines[index].adjustments[position].amountFen
            }
        }
        let pointsPerLine =
            pointsRedeemed > 0
            ? LargestRemainder.split(pointsRedeemed, weights: pointsWeights) : pointsWeights.map { _ in 0 }

        for (lineIndex, line) in lines.enumerated() {
            guard let indices = unitIndices[line.sku], !indices.isEmpty else { continue }
            try Self.check(indices, quantity: line.quantity, field: "lines.\(line.sku)")
            let breakdown = UnitBreakdown(line: line)
            var refundLine = Self.refundLine(
                line, breakdown: breakdown, indices: indices, releases: &releases, refund: &result)
            refundLine.giftCampaignId = nil
            if let position = pointsAdjustment[lineIndex], pointsPerLine[lineIndex] > 0 {
                let perUnit = LargestRemainder.split(pointsPerLine[lineIndex], weights: breakdown.shares[position])
                for unit in indices { result.pointsReturned += perUnit[unit] }
            }
            let earned = breakdown.spread(earnedPerLine[lineIndex])
            for unit in indices { result.pointsClawedBack += earned[unit] }
            for (position, scope) in rebateScopes.enumerated() where rebatePerLine[position][lineIndex] > 0 {
                let perUnit = breakdown.spread(rebatePerLine[position][lineIndex])
                var points = 0
                for unit in indices { points += perUnit[unit] }
                result.pointsClawedBack += points
                releases[scope.campaignId, default: BudgetCharge(campaignId: scope.campaignId)].pointsCostFen += points
            }
            result.refundFen += refundLine.refundFen
            result.lines.append(refundLine)
        }
        for gift in gifts {
            guard let campaignId = gift.giftCampaignId, let indices = giftUnitIndices[campaignId], !indices.isEmpty
            else {
                continue
            }
            try Self.check(indices, quantity: gift.quantity, field: "gifts.\(campaignId)")
            let breakdown = UnitBreakdown(line: gift)
            let refundLine = Self.refundLine(
                gift, breakdown: breakdown, indices: indices, releases: &releases, refund: &result)
            result.refundFen += refundLine.refundFen
            result.gifts.append(refundLine)
        }
        let order = budgetCharges.map(\.campaignId)
        result.budgetReleases = releases.values
            .filter { $0.totalFen != 0 }
            .sorted {
                (order.firstIndex(of: $0.campaignId) ?? .max, $0.campaignId) < (
                    order.firstIndex(of: $1.campaignId) ?? .max, $1.campaignId
                )
            }
        return result
    }

    private static func refundLine(
        _ line: QuoteLine,
        breakdown: UnitBreakdown,
        indices: [Int],
        releases: inout [String: BudgetCharge],
        refund: inout Refund
    ) -> RefundLine {
        var refundFen = 0
        for unit in indices { refundFen += breakdown.unitNets[unit] }
        var reversed: [Adjustment] = []
        for (position, adjustment) in line.adjustments.enumerated() {
            var share = 0
            for unit in indices { share += breakdown.shares[position][unit] }
            if share != 0 {
                var copy = adjustment
                copy.amountFen = -share
                reversed.append(copy)
            }
            if let budget = adjustment.budget {
                let amount = budget.perUnitFen.map { $0 * indices.count } ?? share
                releases[budget.campaignId, default: BudgetCharge(campaignId: budget.campaignId)][budget.subBudget] +=
                    amount
            }
        }
        return RefundLine(
            sku: line.sku, quantity: indices.count, listFen: line.unitPriceFen * indices.count, refundFen: refundFen,
            reversedAdjustments: reversed, giftCampaignId: line.giftCampaignId)
    }

    private static func lastUnits(_ count: Int, of quantity: Int, previous: Int, field: String)
        throws(PricingInputError) -> [Int]
    {
        if count < 0 || previous < 0 { throw PricingInputError(field: field, message: "must not be negative") }
        if previous + count > quantity {
            throw PricingInputError(field: field, message: "only \(quantity - previous) unit(s) left to return")
        }
        let end = quantity - previous
        return Array((end - count)..<end)
    }

    private static func check(_ indices: [Int], quantity: Int, field: String) throws(PricingInputError) {
        if Set(indices).count != indices.count {
            throw PricingInputError(field: field, message: "a unit is listed twice")
        }
        for index in indices where index < 0 || index >= quantity {
            throw PricingInputError(field: field, message: "unit \(index) out of range 0..<\(quantity)")
        }
    }
}
