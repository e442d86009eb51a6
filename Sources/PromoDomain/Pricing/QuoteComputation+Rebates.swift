/// Rebates (满返), computed on what is paid and granted after payment; never deducted from the order.
extension QuoteComputation {
    /// Rebates on the paid amount of their scope; points rebates charge the points-cost budget, coupon rebates
    /// the coupon-subsidy budget (the template's value, its cap for a percent coupon).
    mutating func applyRebates() {
        for campaign in engine.rebateCampaigns where isOpen(campaign) {
            let compiled = engine.campaigns[campaign]
            guard let rule = compiled.rebate else { continue }
            let reward = rule.reward
            var scopeLines: [Int] = []
            var paid = 0
            for (index, line) in lines.enumerated() where compiled.scopeMask[line.product] {
                scopeLines.append(index)
                paid += line.netFen
            }
            if scopeLines.isEmpty {
                state[campaign].reason = .noEligibleItems
                continue
            }
            if paid < rule.thresholdFen {
                state[campaign].reason = .thresholdNotMet
                recordHint(campaign, base: paid)
                continue
            }
            // Points cost the points budget; a coupon reserves its value against the coupon-subsidy budget.
            let (subBudget, amount): (SubBudget, Fen)
            switch reward {
            case .points(let granted): (subBudget, amount) = (.pointsCost, granted)
            case .coupon(let template): (subBudget, amount) = (.couponSubsidy, engine.rebateCouponValues[template] ?? 0)
            }
            if !fits(campaign, subBudget, amount) {
                state[campaign].reason = .budgetExhausted
                continue
            }
            state[campaign].applied = true
            rebates.append(Rebate(campaignId: compiled.id, reward: reward))
            if amount > 0 {
                charge(campaign, subBudget, amount)
                rebateScopes.append(
                    subBudget == .pointsCost
                        ? RebateScope(campaignId: compiled.id, points: amount, lineIndices: scopeLines)
                        : RebateScope(
                            campaignId: compiled.id, points: 0, couponValueFen: amount, lineIndices: scopeLines))
            }
            record(
                AppliedPromotion(
                    source: .campaign(compiled.id), kind: compiled.kind.rawValue, amountFen: amount, baseFen: paid))
        }
    }
}
