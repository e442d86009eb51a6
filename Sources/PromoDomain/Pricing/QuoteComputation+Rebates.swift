/// Rebates (满返), computed on what is paid and granted after payment; never deducted from the order.
extension QuoteComputation {
    /// Rebates on the paid amount of their scope; points rebates charge the points-cost budget.
    mutating func applyRebates() {
        for campaign in engine.rebateCampaigns where isOpen(campaign) {
            let compiled = engine.campaigns[campaign]
            guard let reward = compiled.rebateReward else { continue }
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
            if paid < compiled.thresholdFen {
                state[campaign].reason = .thresholdNotMet
                recordHint(campaign, base: paid)
                continue
            }
            var points = 0
            if case .points(let granted) = reward {
                points = granted
                if !fits(campaign, .pointsCost, points) {
                    state[campaign].reason = .budgetExhausted
                    continue
                }
            }
            state[campaign].applied = true
            rebates.append(Rebate(campaignId: compiled.id, reward: reward))
            if points > 0 {
                charge(campaign, .pointsCost, points)
                rebateScopes.append(RebateScope(campaignId: compiled.id, points: points, lineIndices: scopeLines))
            }
            record(
                AppliedPromotion(
                    source: .campaign(compiled.id), kind: compiled.kind.rawValue, amountFen: points, baseFen: paid))
        }
    }
}
