/// Turns the working state into the immutable, self-explaining `Quote`.
extension QuoteComputation {
    /// Consumes the computation: the adjustment log is sorted in place and handed to the quote's lines.
    mutating func assemble() -> Quote {
        var quoteLines: [QuoteLine] = []
        quoteLines.reserveCapacity(lines.count)
        var subtotal = 0
        var total = 0
        // The lines' adjustments in line order, each line's in application order: one array for every line.
        adjustmentLog.sort { ($0.line, $0.sequence) < ($1.line, $1.sequence) }
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
}
