extension Campaign {
    /// The units of each SKU the campaign still promises shoppers, which must be in stock before it goes live.
    ///
    /// - A flash sale promises its quantity less the units it has sold.
    /// - A gift promises, per gift SKU, what its limits still pay for: the orders left (`limits.maxOrders`) times
    ///   the most one order gets, and the gift-cost and total budgets left divided by the gift's unit cost,
    ///   whichever is least. A gift bounded by neither promises one order's gifts: it must at least be
    ///   possible to give one.
    /// - Other kinds promise no particular stock.
    public func promisedUnits(consumed: CampaignStreamState.Consumption, unitCostFen: (String) -> Fen?)
        -> [String: Int]
    {
        switch rules {
        case .flashSale(let rule):
            return [rule.sku: max(0, rule.quantity - consumed.flashUnits)]
        case .gift(let rule):
            var perOrder: [String: Int] = [rule.giftSku: rule.giftQuantity]
            for tier in rule.higherTiers {
                perOrder[tier.giftSku] = max(perOrder[tier.giftSku] ?? 0, tier.giftQuantity)
            }
            var promised: [String: Int] = [:]
            for (sku, units) in perOrder {
                var bounds: [Int] = []
                if let maxOrders = limits.maxOrders { bounds.append(max(0, maxOrders - consumed.orders) * units) }
                if let cost = unitCostFen(sku), cost > 0 {
                    if let limit = budget?.giftCostFen {
                        bounds.append(max(0, limit - Int(consumed.giftCostFen)) / cost)
                    }
                    if let limit = budget?.totalFen { bounds.append(max(0, limit - Int(consumed.totalFen)) / cost) }
                }
                promised[sku] = bounds.min() ?? units
            }
            return promised
        default:
            return [:]
        }
    }
}
