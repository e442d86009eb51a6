/// Deductions after all promotions: coupons, then points.
///
/// Coupons. A coupon is considered once however often its code is listed, and applies only
/// when it belongs to the shopper, is unredeemed, is inside its validity, the cart's
/// channel and store are in its scope (an empty list allows all), and its scope's lines
/// reach its threshold. Its scope is the lines whose SKU or category it covers, minus the
/// lines a campaign with `excludesCoupons` (不与优惠券同享) discounted: those lines neither
/// count toward the threshold nor receive any of the coupon. Thresholds are measured on
/// the net after promotions, before any coupon, so coupons never make each other eligible.
///
/// An order takes at most one non-stackable coupon, and it combines with no other coupon;
/// coupons of stackable templates combine with each other. Among the coupons that pass,
/// the engine applies the combination worth most to the shopper: one non-stackable coupon
/// alone, or all stackable ones together (on a tie, the one using fewer coupons, then the
/// one whose first coupon comes first in the order below). The others are rejected with
/// `coupon_limit_reached`.
///
/// Inside a combination the order never depends on how codes are spelt: amount-off
/// coupons first (larger value first, then higher threshold), each taking
/// min(value, its scope's running net); then percent-off coupons (larger percentage
/// first), each taking its percentage of its scope's running net after the coupons before
/// it, at most `maxDiscountFen`; remaining ties by template id, then code. Each amount is
/// spread over its scope's lines in proportion to their running nets and charged to the
/// coupon-subsidy budget of the template's campaign, if any.
extension QuoteComputation {
    /// A coupon that passed every check of its own, with the lines it is measured on.
    struct CouponCandidate {
        var coupon: Coupon
        var scopeLines: [Int]
        var thresholdBase: Fen
        var budgetCampaign: Int?
    }

    mutating func applyCoupons() {
        let cart = request.cart
        guard !cart.couponCodes.isEmpty else { return }
        let closed = couponClosedLines()
        var candidates: [CouponCandidate] = []
        for code in Set(cart.couponCodes).sorted() {
            guard let coupon = engine.coupons[code] else {
                couponRejections.append(Rejection(source: .coupon(code), reason: .couponNotFound))
                continue
            }
            switch couponCandidate(coupon, closed: closed) {
            case .success(let candidate): candidates.append(candidate)
            case .failure(let rejection):
                couponRejections.append(Rejection(source: .coupon(code), reason: rejection.reason))
            }
        }
        guard !candidates.isEmpty else { return }
        candidates.sort { Self.couponPrecedes($0.coupon, $1.coupon) }

        // Every candidate is in exactly one option: each non-stackable coupon alone, and
        // one option of all stackable coupons. Each option is priced on a copy.
        var options: [[Int]] = candidates.indices.filter { !candidates[$0].coupon.stackable }.map { [$0] }
        let stackable = candidates.indices.filter { candidates[$0].coupon.stackable }
        if !stackable.isEmpty { options.append(stackable) }
        var outcomes = [RejectionReason?](repeating: nil, count: candidates.count)
        var best: (option: Int, total: Fen, used: Int, result: QuoteComputation)?
        for (position, option) in options.enumerated() {
            var trial = self
            var total = 0
            var used = 0
            for index in option {
                if let reason = trial.applyCoupon(candidates[index]) {
                    outcomes[index] = reason
                } else {
                    used += 1
                    total += trial.applied[trial.applied.count - 1].amountFen
                }
            }
            guard total > 0 else { continue }
            if let current = best, total < current.total || (total == current.total && used >= current.used) {
                continue
            }
            best = (position, total, used, trial)
        }
        if let best { self = best.result }
        for (position, option) in options.enumerated() {
            for index in option {
                let code = candidates[index].coupon.code
                if position == best?.option {
                    if let reason = outcomes[index] {
                        couponRejections.append(Rejection(source: .coupon(code), reason: reason))
                    }
                } else {
                    couponRejections.append(
                        Rejection(source: .coupon(code), reason: outcomes[index] ?? .couponLimitReached))
                }
            }
        }
        couponRejections.sort { ($0.source.couponCode ?? "") < ($1.source.couponCode ?? "") }
    }

    /// Lines that take no coupon: those a campaign with `excludesCoupons` discounted.
    func couponClosedLines() -> [Bool] {
        var closed = [Bool](repeating: false, count: lines.count)
        for index in lines.indices {
            for adjustment in adjustments(of: index) where adjustment.amountFen < 0 {
                guard let id = adjustment.source.campaignId, let campaign = engine.campaignIndex[id] else { continue }
                if engine.campaigns[campaign].campaign.stacking.excludesCoupons {
                    closed[index] = true
                    break
                }
            }
        }
        return closed
    }

    /// A rejection reason wrapped as an error, so a check can return either outcome.
    struct CouponRejection: Error {
        var reason: RejectionReason
    }

    /// The checks of one coupon on its own: owner, redemption, validity, channel, store, scope, threshold.
    func couponCandidate(_ coupon: Coupon, closed: [Bool]) -> Result<CouponCandidate, CouponRejection> {
        let cart = request.cart
        let scope = coupon.scope
        let reason: RejectionReason?
        if coupon.customerId != cart.customerId {
            reason = .couponNotOwned
        } else if coupon.redeemed {
            reason = .couponAlreadyRedeemed
        } else if request.now < coupon.validFrom {
            reason = .couponNotYetValid
        } else if request.now > coupon.validUntil {
            reason = .couponExpired
        } else if !scope.channels.isEmpty && !scope.channels.contains(cart.channel) {
            reason = .channelNotEligible
        } else if !scope.stores.isEmpty && !scope.stores.contains(cart.storeId) {
            reason = .storeNotEligible
        } else {
            reason = nil
        }
        if let reason { return .failure(CouponRejection(reason: reason)) }
        var scopeLines: [Int] = []
        var thresholdBase = 0
        // Units a non-stackable promotion (or an add-on price) holds take no coupon and do not count.
        for (index, line) in lines.enumerated() where !closed[index] && line.freeUnits > 0 {
            let product = engine.products[line.product]
            guard scope.covers(sku: product.sku, category: product.category) else { continue }
            scopeLines.append(index)
            thresholdBase += line.freeNetFen
        }
        if scopeLines.isEmpty { return .failure(CouponRejection(reason: .noEligibleItems)) }
        if thresholdBase < coupon.discount.thresholdFen { return .failure(CouponRejection(reason: .thresholdNotMet)) }
        return .success(
            CouponCandidate(
                coupon: coupon, scopeLines: scopeLines, thresholdBase: thresholdBase,
                budgetCampaign: coupon.campaignId.flatMap { engine.campaignIndex[$0] }))
    }

    /// The documented order of coupons inside a combination (see the extension's comment).
    static func couponPrecedes(_ first: Coupon, _ second: Coupon) -> Bool {
        switch (first.discount, second.discount) {
        case (.amount(let firstValue, let firstThreshold), .amount(let secondValue, let secondThreshold)):
            if firstValue != secondValue { return firstValue > secondValue }
            if firstThreshold != secondThreshold { return firstThreshold > secondThreshold }
        case (.amount, .percent):
            return true
        case (.percent, .amount):
            return false
        case (.percent(let firstBp, _, _), .percent(let secondBp, _, _)):
            if firstBp != secondBp { return firstBp > secondBp }
        }
        if first.templateId != second.templateId { return first.templateId < second.templateId }
        return first.code < second.code
    }

    /// Applies one coupon on the running nets, or says why it gives nothing.
    mutating func applyCoupon(_ candidate: CouponCandidate) -> RejectionReason? {
        var running = 0
        for line in candidate.scopeLines { running += lines[line].freeNetFen }
        var amount: Fen
        switch candidate.coupon.discount {
        case .amount(let value, _):
            amount = min(value, running)
        case .percent(let percentBp, _, let cap):
            amount = BasisPoints.share(of: running, basisPoints: percentBp)
            if let cap { amount = min(amount, cap) }
        }
        if amount <= 0 { return .noBenefit }
        var funder: String?
        if let campaign = candidate.budgetCampaign {
            if !fits(campaign, .couponSubsidy, amount) { return .budgetExhausted }
            charge(campaign, .couponSubsidy, amount)
            funder = engine.campaigns[campaign].id
        }
        let origin = AdjustmentOrigin(
            source: .coupon(candidate.coupon.code), kind: "coupon", budgetCampaignId: funder)
        allocate(amount, over: candidate.scopeLines, origin: origin, subBudget: .couponSubsidy)
        applied.append(AppliedPromotion(origin: origin, amountFen: amount, baseFen: candidate.thresholdBase))
        return nil
    }

    /// Points (积分抵现) at the policy's rate (`redemptionPointsPerYuan` points for 100 fen), in whole fen, on at
    /// most `maxPointsShareBp` of what the free units still cost, and never more than the balance. The shopper
    /// spends only the points the fen taken off need (rounded up), so no point is spent for nothing.
    mutating func applyPoints() {
        let requested = min(request.cart.pointsToRedeem, max(0, request.customer.pointsBalance))
        guard requested > 0 else { return }
        var payable = 0
        for line in lines { payable += line.freeNetFen }
        let rate = engine.policy.redemptionPointsPerYuan
        let share = payable * engine.policy.maxPointsShareBp / BasisPoints.whole
        let fen = min(requested * 100 / rate, share)
        guard fen > 0 else { return }
        pointsRedeemed = (fen * rate + 99) / 100
        pointsDeductionFen = fen
        allocate(fen, over: Array(lines.indices), origin: .points, subBudget: nil)
    }
}
