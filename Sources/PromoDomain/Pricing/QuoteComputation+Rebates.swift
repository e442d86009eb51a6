/// Rebates (满返), computed on what is paid and granted after payment; never deducted from the order.
extension QuoteComputation {
    /// Rebates on the paid amount of their scope; points rebates charge the points-cost budget, coupon rebates
    /// the coupon-subsidy budget (the template's value, its cap for a percent coupon).
    mutating func applyRebates() {
        for campaign in engine.rebateCampaigns where isOpen(campaign) {
            switch evaluateRebate(campaign) {
            case .rejected(let reason, let paid):
                state[campaign].reason = reason
                if reason == .thresholdNotMet { recordHint(campaign, base: paid) }
            case .granted(let grant):
                recordHint(campaign, base: grant.paid)  // a higher tier within reach
                let id = engine.campaignIds[campaign]
                state[campaign].applied = true
                rebates.append(Rebate(campaignId: id, reward: grant.reward))
                if grant.amount > 0 {
                    charge(campaign, grant.subBudget, grant.amount)
                    rebateScopes.append(
                        grant.subBudget == .pointsCost
                            ? RebateScope(campaignId: id, points: grant.amount, lineIndices: grant.scopeLines)
                            : RebateScope(
                                campaignId: id, points: 0, couponValueFen: grant.amount,
                                lineIndices: grant.scopeLines))
                }
                record(
                    AppliedPromotion(
                        origin: engine.origins[campaign], amountFen: grant.amount,
                        baseFen: grant.paid))
            }
        }
    }

    /// What a rebate would grant on what its scope pays now.
    struct RebateGrant {
        var reward: RebateRule.Reward
        /// Points cost the points budget; a coupon reserves its value against the coupon-subsidy budget.
        var subBudget: SubBudget
        var amount: Fen
        var scopeLines: [Int]
        var paid: Fen
    }

    enum RebateEvaluation {
        case granted(RebateGrant)
        case rejected(RejectionReason, paid: Fen)
    }

    func evaluateRebate(_ campaign: Int) -> RebateEvaluation {
        let compiled = engine.campaigns[campaign]
        guard let rule = compiled.rebate else { return .rejected(.noEligibleItems, paid: 0) }
        var inScope = 0
        var paid = 0
        for line in lines where covers(campaign, line.product) {
            inScope += 1
            paid += line.netFen
        }
        if inScope == 0 { return .rejected(.noEligibleItems, paid: 0) }
        guard let tier = rule.tier(reachedBy: paid) else { return .rejected(.thresholdNotMet, paid: paid) }
        // The lines, kept for clawback, only once the rebate is granted.
        var scopeLines: [Int] = []
        scopeLines.reserveCapacity(inScope)
        for (index, line) in lines.enumerated() where covers(campaign, line.product) { scopeLines.append(index) }
        let grant: RebateGrant
        switch tier.reward {
        case .points(let granted):
            grant = RebateGrant(
                reward: tier.reward, subBudget: .pointsCost, amount: granted, scopeLines: scopeLines, paid: paid)
        case .coupon(let template):
            grant = RebateGrant(
                reward: tier.reward, subBudget: .couponSubsidy, amount: engine.rebateCouponValues[template] ?? 0,
                scopeLines: scopeLines, paid: paid)
        }
        if !fits(campaign, grant.subBudget, grant.amount) { return .rejected(.budgetExhausted, paid: paid) }
        return .granted(grant)
    }
}
