/// Rebates (满返), computed on what is paid and granted after payment; never deducted from the order.
extension QuoteComputation {
    /// Rebates on the paid amount of their scope; points rebates charge the points-cost budget.
    mutating func applyRebates() {
        var resolvedGroups: [Int] = []
        for campaign in engine.rebateCampaigns where state[campaign].reason == nil {
            let compiled = engine.campaigns[campaign]
            var members = [campaign]
            if compiled.group >= 0 {
                if resolvedGroups.contains(compiled.group) { continue }
                resolvedGroups.append(compiled.group)
                members = engine.rebateCampaigns.filter {
                    engine.campaigns[$0].group == compiled.group && state[$0].reason == nil
                }
            }
            var best: (campaign: Int, points: Int, base: Fen, lines: [Int])?
            for member in members {
                let memberCompiled = engine.campaigns[member]
                guard let reward = memberCompiled.rebateReward else { continue }
                var scopeLines: [Int] = []
                var paid = 0
                for (index, line) in lines.enumerated() where memberCompiled.scopeMask[line.product] {
                    scopeLines.append(index)
                    paid += line.netFen
                }
                if scopeLines.isEmpty {
                    state[member].reason = .noEligibleItems
                    continue
                }
                if paid < memberCompiled.thresholdFen {
                    state[member].reason = .thresholdNotMet
                    continue
                }
                var points = 0
                if case .points(let granted) = reward {
                    points = granted
                    if !fits(member, .pointsCost, points) {
                        state[member].reason = .budgetExhausted
                        continue
                    }
                }
                if best == nil || points > (best?.points ?? 0) {
                    best = (member, points, paid, scopeLines)
                }
            }
            guard let winner = best else { continue }
            for member in members where member != winner.campaign && state[member].reason == nil {
                state[member].reason = .excludedByGroup
            }
            let winnerCompiled = engine.campaigns[winner.campaign]
            guard let reward = winnerCompiled.rebateReward else { continue }
            state[winner.campaign].applied = true
            rebates.append(Rebate(campaignId: winnerCompiled.id, reward: reward))
            if winner.points > 0 {
                charge(winner.campaign, .pointsCost, winner.points)
                rebateScopes.append(
                    RebateScope(campaignId: winnerCompiled.id, points: winner.points, lineIndices: winner.lines))
            }
            applied.append(
                AppliedPromotion(
                    source: .campaign(winnerCompiled.id), kind: winnerCompiled.kind.rawValue, amountFen: winner.points,
                    baseFen: winner.base))
        }
    }
}
