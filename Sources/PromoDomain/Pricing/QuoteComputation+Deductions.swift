/// Deductions after all promotions: coupons (in code order), then points.
extension QuoteComputation {
    mutating func applyCoupons() {
        let cart = request.cart
        guard !cart.couponCodes.isEmpty else { return }
        var codes = cart.couponCodes
        codes.sort()
        var previous: String?
        // Thresholds are measured on what each scope costs after all promotions, so coupon
        // order affects amounts only through the running net, never eligibility.
        // Units a non-stackable promotion (or an add-on price) holds take no coupon and do not count.
        let afterPromotions = lines.map(\.freeNetFen)
        for code in codes {
            if code == previous { continue }
            previous = code
            let source = AdjustmentSource.coupon(code)
            guard let coupon = engine.coupons[code] else {
                couponRejections.append(Rejection(source: source, reason: .couponNotFound))
                continue
            }
            let reason: RejectionReason?
            var scopeLines: [Int] = []
            var thresholdBase = 0
            var running = 0
            for (index, line) in lines.enumerated()
            where line.freeUnits > 0
                && coupon.scope.covers(
                    sku: engine.products[line.product].sku, category: engine.products[line.product].category)
            {
                scopeLines.append(index)
                thresholdBase += afterPromotions[index]
                running += line.freeNetFen
            }
            var amount = 0
            let budgetCampaign = coupon.campaignId.flatMap { engine.campaignIndex[$0] }
            if coupon.customerId != cart.customerId {
                reason = .couponNotOwned
            } else if coupon.redeemed {
                reason = .couponAlreadyRedeemed
            } else if request.now < coupon.validFrom {
                reason = .couponNotYetValid
            } else if request.now > coupon.validUntil {
                reason = .couponExpired
            } else if scopeLines.isEmpty {
                reason = .noEligibleItems
            } else if thresholdBase < coupon.discount.thresholdFen {
                reason = .thresholdNotMet
            } else {
                switch coupon.discount {
                case .amount(let value, _): amount = min(value, running)
                case .percent(let percentBp, _): amount = BasisPoints.share(of: running, basisPoints: percentBp)
                }
                if amount <= 0 {
                    reason = .noBenefit
                } else if let campaign = budgetCampaign, !fits(campaign, .couponSubsidy, amount) {
                    reason = .budgetExhausted
                } else {
                    reason = nil
                }
            }
            if let reason {
                couponRejections.append(Rejection(source: source, reason: reason))
                continue
            }
            var link: BudgetLink?
            if let campaign = budgetCampaign {
                charge(campaign, .couponSubsidy, amount)
                link = BudgetLink(campaignId: engine.campaigns[campaign].id, subBudget: .couponSubsidy, perUnitFen: nil)
            }
            allocate(amount, over: scopeLines, source: source, kind: "coupon", budget: link)
            applied.append(AppliedPromotion(source: source, kind: "coupon", amountFen: amount, baseFen: thresholdBase))
        }
    }

    /// Points: 1 point = 1 fen, at most the payable amount and the balance.
    mutating func applyPoints() {
        let requested = request.cart.pointsToRedeem
        guard requested > 0 else { return }
        var payable = 0
        for line in lines { payable += line.freeNetFen }
        let points = min(requested, max(0, request.customer.pointsBalance), payable)
        guard points > 0 else { return }
        pointsRedeemed = points
        allocate(points, over: Array(lines.indices), source: .points, kind: "points", budget: nil)
    }
}
