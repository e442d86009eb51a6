/// Turns the working state into the immutable, self-explaining `Quote`.
extension QuoteComputation {
    /// Consumes the computation: the adjustment log is sorted in place and handed to the quote's lines.
    mutating func assemble() -> Quote {
        var quoteLines: [QuoteLine] = []
        quoteLines.reserveCapacity(lines.count)
        var subtotal = 0
        var total = 0
        // The lines' adjustments in line order, each line's in application order: one array for every line.
        groupLogByLine()
        let ordered = adjustmentLog
        var start = 0
        for line in lines {
            let end = start + line.adjustmentCount
            subtotal += line.listFen
            total += line.netFen
            quoteLines.append(
                QuoteLine(
                    sku: engine.products[line.product].sku, quantity: line.quantity, unitPriceFen: line.unitPrice,
                    listFen: line.listFen, adjustments: LineAdjustments(ordered[start..<end]), netFen: line.netFen,
                    giftCampaignId: nil, unitCostFen: line.unitCost))
            start = end
        }
        var rejected: [CampaignRejection] = []
        rejected.reserveCapacity(engine.campaigns.count)
        var chargedCount = 0
        for index in 0..<engine.campaigns.count {
            let base = index * 4
            if charges[base] | charges[base + 1] | charges[base + 2] | charges[base + 3] != 0 { chargedCount += 1 }
        }
        var budgetCharges: [BudgetCharge] = []
        budgetCharges.reserveCapacity(chargedCount)
        let ids = engine.campaignIds
        for index in ids.indices where state[index].considered {
            if let reason = state[index].reason, !state[index].applied {
                rejected.append(CampaignRejection(campaign: index, reason: reason))
            }
            let base = index * 4
            if charges[base] | charges[base + 1] | charges[base + 2] | charges[base + 3] != 0 {
                budgetCharges.append(
                    BudgetCharge(
                        campaignId: ids[index], discountFen: charges[base], giftCostFen: charges[base + 1],
                        couponSubsidyFen: charges[base + 2], pointsCostFen: charges[base + 3]))
            }
        }
        return Quote(
            lines: quoteLines, gifts: gifts, subtotalFen: subtotal, discountFen: subtotal - total + shippingDiscount,
            totalFen: total + shippingFee - shippingDiscount,
            pointsRedeemed: pointsRedeemed, pointsDeductionFen: pointsDeductionFen,
            pointsToEarn: total / 100 * engine.policy.pointsPerYuan,
            applied: applied, campaignIds: ids, campaignRejections: rejected, couponRejections: couponRejections,
            rebates: rebates, budgetCharges: budgetCharges,
            rebateScopes: rebateScopes, hints: hints,
            shipping: shippingFee > 0
                ? ShippingLine(
                    feeFen: shippingFee, adjustments: shippingAdjustments, netFen: shippingFee - shippingDiscount) : nil
        )
    }

    /// Reorders the adjustment log by line, keeping each line's in application order: a counting sort whose
    /// permutation is applied in place by swaps (moves, no copies), O(count).
    private mutating func groupLogByLine() {
        let count = adjustmentLog.count
        guard count > 1 else { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: count + lines.count) { scratch in
            let base = scratch.baseAddress!
            // Where each line's adjustments start, then where each entry goes.
            let next = UnsafeMutableBufferPointer(start: base + count, count: lines.count)
            var offset = 0
            for line in lines.indices {
                next[line] = offset
                offset += lines[line].adjustmentCount
            }
            let destination = UnsafeMutableBufferPointer(start: base, count: count)
            for index in 0..<count {
                let line = adjustmentLog[index].line
                destination[index] = next[line]
                next[line] += 1
            }
            adjustmentLog.withUnsafeMutableBufferPointer { log in
                for index in 0..<count {
                    while destination[index] != index {
                        let target = destination[index]
                        log.swapAt(index, target)
                        destination.swapAt(index, target)
                    }
                }
            }
        }
    }
}
