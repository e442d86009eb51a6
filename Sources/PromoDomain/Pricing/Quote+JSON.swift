/// The quote in the shape of API.md's `POST /v1/quotes` response, plus `budgetCharges`,
/// `rebates` and `pointsRedeemed`.
extension Quote {
    /// The response body as an ordered JSON value.
    public var json: OrderedJSON {
        .object(
            [
                ("lines", .array(lines.map(\.json))),
                ("gifts", .array(gifts.map(\.json))),
                ("subtotalFen", .int(subtotalFen)),
                ("discountFen", .int(discountFen)),
                ("totalFen", .int(totalFen)),
                ("pointsRedeemed", .int(pointsRedeemed)),
                ("pointsDeductionFen", .int(pointsDeductionFen)),
                ("pointsToEarn", .int(pointsToEarn)),
                ("applied", .array(applied.map(\.json))),
                ("rejected", .array(rejected.map(\.json))),
                ("rebates", .array(rebates.map(\.json))),
                ("budgetCharges", .array(budgetCharges.map(\.json))),
                ("hints", .array(hints.map(\.json))),
            ] + (shipping.map { [("shipping", $0.json)] } ?? []))
    }
}

extension AdjustmentSource {
    /// `campaignId` / `couponCode` field, or `source: points`.
    var jsonField: (String, OrderedJSON) {
        switch self {
        case .campaign(let id): ("campaignId", .string(id))
        case .coupon(let code): ("couponCode", .string(code))
        case .points: ("source", .string("points"))
        }
    }
}

extension QuoteLine {
    var json: OrderedJSON {
        var fields: [(String, OrderedJSON)] = [
            ("sku", .string(sku)), ("quantity", .int(quantity)), ("unitPriceFen", .int(unitPriceFen)),
            ("listFen", .int(listFen)), ("adjustments", .array(adjustments.map(\.json))), ("netFen", .int(netFen)),
        ]
        if let giftCampaignId { fields.insert(("campaignId", .string(giftCampaignId)), at: 0) }
        return .object(fields)
    }
}

extension Adjustment {
    var json: OrderedJSON {
        .object([source.jsonField, ("kind", .string(kind)), ("amountFen", .int(amountFen))])
    }
}

extension AppliedPromotion {
    var json: OrderedJSON {
        .object([source.jsonField, ("kind", .string(kind)), ("amountFen", .int(amountFen)), ("baseFen", .int(baseFen))])
    }
}

extension Rejection {
    var json: OrderedJSON { .object([source.jsonField, ("reason", .string(reason.rawValue))]) }
}

extension Rebate {
    var json: OrderedJSON {
        switch reward {
        case .points(let points): .object([("campaignId", .string(campaignId)), ("points", .int(points))])
        case .coupon(let template):
            .object([("campaignId", .string(campaignId)), ("couponTemplateId", .string(template))])
        }
    }
}

extension ShippingLine {
    var json: OrderedJSON {
        .object([
            ("feeFen", .int(feeFen)), ("adjustments", .array(adjustments.map(\.json))), ("netFen", .int(netFen)),
        ])
    }
}

extension QualificationHint {
    var json: OrderedJSON {
        var fields: [(String, OrderedJSON)] = [
            ("campaignId", .string(campaignId)), ("kind", .string(kind)), ("missingFen", .int(missingFen)),
            ("thresholdFen", .int(thresholdFen)),
        ]
        if thresholdUnits > 0 {
            fields = [
                ("campaignId", .string(campaignId)), ("kind", .string(kind)), ("missingUnits", .int(missingUnits)),
                ("thresholdUnits", .int(thresholdUnits)),
            ]
        }
        switch reward {
        case .reduction(let fen): fields.append(("reductionFen", .int(fen)))
        case .percentOff(let bp): fields.append(("percentBp", .int(bp)))
        case .gift(let sku, let quantity):
            fields.append(("giftSku", .string(sku)))
            fields.append(("giftQuantity", .int(quantity)))
        case .addOn(let sku, let price):
            fields.append(("sku", .string(sku)))
            fields.append(("priceFen", .int(price)))
        case .points(let points): fields.append(("points", .int(points)))
        case .coupon(let template): fields.append(("couponTemplateId", .string(template)))
        case .shipping(let reduction):
            fields.append(("shippingReductionFen", reduction.map(OrderedJSON.int) ?? .null))
        case .pickAny(let units, let price):
            fields.append(("units", .int(units)))
            fields.append(("priceFen", .int(price)))
        }
        return .object(fields)
    }
}

extension BudgetCharge {
    var json: OrderedJSON {
        .object([
            ("campaignId", .string(campaignId)), ("totalFen", .int(totalFen)), ("discountFen", .int(discountFen)),
            ("giftCostFen", .int(giftCostFen)), ("couponSubsidyFen", .int(couponSubsidyFen)),
            ("pointsCostFen", .int(pointsCostFen)),
        ])
    }
}
