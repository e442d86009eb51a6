extension PricingEngine {
    static func validate(catalog: [Product]) throws(PricingInputError) {
        var seen = Set<String>()
        for (index, product) in catalog.enumerated() {
            let path = "catalog[\(index)]"
            if product.sku.isEmpty { throw PricingInputError(field: "\(path).sku", message: "must not be empty") }
            if !seen.insert(product.sku).inserted {
                throw PricingInputError(field: "\(path).sku", message: "duplicate SKU \(product.sku)")
            }
            try nonNegative(product.priceFen, "\(path).priceFen")
            try nonNegative(product.costFen, "\(path).costFen")
        }
    }

    static func validate(campaigns: [Campaign], productIndex: [String: Int]) throws(PricingInputError) {
        var seen = Set<String>()
        for (index, campaign) in campaigns.enumerated() {
            let path = "campaigns[\(index)]"
            if campaign.campaignId.isEmpty {
                throw PricingInputError(field: "\(path).campaignId", message: "must not be empty")
            }
            if !seen.insert(campaign.campaignId).inserted {
                throw PricingInputError(
                    field: "\(path).campaignId", message: "duplicate campaign id \(campaign.campaignId)")
            }
            if campaign.window.end <= campaign.window.start {
                throw PricingInputError(field: "\(path).window.end", message: "must be after window.start")
            }
            if let left = campaign.budgetLeft {
                for sub in SubBudget.allCases {
                    if let value = left[sub] { try nonNegative(value, "\(path).budgetLeft.\(sub.rawValue)Fen") }
                }
                if let total = left.totalFen { try nonNegative(total, "\(path).budgetLeft.totalFen") }
            }
            if let left = campaign.flashQuantityLeft { try nonNegative(left, "\(path).flashQuantityLeft") }
            try validate(rules: campaign.rules, path: "\(path).rules", productIndex: productIndex)
        }
    }

    static func validate(rules: CampaignRules, path: String, productIndex: [String: Int]) throws(PricingInputError) {
        func known(_ sku: String, _ field: String) throws(PricingInputError) {
            if productIndex[sku] == nil { throw PricingInputError(field: field, message: "unknown SKU \(sku)") }
        }
        switch rules {
        case .spendReduction(let tiers):
            if tiers.isEmpty { throw PricingInputError(field: "\(path).tiers", message: "must not be empty") }
            for (index, tier) in tiers.enumerated() {
                try nonNegative(tier.thresholdFen, "\(path).tiers[\(index)].thresholdFen")
                try positive(tier.reductionFen, "\(path).tiers[\(index)].reductionFen")
            }
        case .spendDiscount(let tiers):
            if tiers.isEmpty { throw PricingInputError(field: "\(path).tiers", message: "must not be empty") }
            for (index, tier) in tiers.enumerated() {
                try nonNegative(tier.thresholdFen, "\(path).tiers[\(index)].thresholdFen")
                try percent(tier.percentBp, "\(path).tiers[\(index)].percentBp")
            }
        case .itemDiscount(let percentBp):
            try percent(percentBp, "\(path).percentBp")
        case .specialPrice(let prices):
            if prices.isEmpty { throw PricingInputError(field: "\(path).prices", message: "must not be empty") }
            for (sku, price) in prices.sorted(by: { $0.key < $1.key }) {
                try known(sku, "\(path).prices.\(sku)")
                try nonNegative(price, "\(path).prices.\(sku)")
            }
        case .flashSale(let rule):
            try known(rule.sku, "\(path).sku")
            try nonNegative(rule.priceFen, "\(path).priceFen")
            try nonNegative(rule.quantity, "\(path).quantity")
            try positive(rule.perCustomerLimit, "\(path).perCustomerLimit")
        case .gift(let rule):
            try nonNegative(rule.thresholdFen, "\(path).thresholdFen")
            try known(rule.giftSku, "\(path).giftSku")
            try positive(rule.giftQuantity, "\(path).giftQuantity")
        case .addOn(let rule):
            try nonNegative(rule.thresholdFen, "\(path).thresholdFen")
            try known(rule.sku, "\(path).sku")
            try nonNegative(rule.priceFen, "\(path).priceFen")
        case .bundle(let rule):
            if rule.items.isEmpty { throw PricingInputError(field: "\(path).items", message: "must not be empty") }
            var skus = Set<String>()
            for (index, item) in rule.items.enumerated() {
                try known(item.sku, "\(path).items[\(index)].sku")
                if !skus.insert(item.sku).inserted {
                    throw PricingInputError(field: "\(path).items[\(index)].sku", message: "duplicate SKU \(item.sku)")
                }
                try positive(item.quantity, "\(path).items[\(index)].quantity")
            }
            try nonNegative(rule.bundlePriceFen, "\(path).bundlePriceFen")
        case .rebate(let rule):
            try nonNegative(rule.thresholdFen, "\(path).thresholdFen")
            switch rule.reward {
            case .points(let points): try positive(points, "\(path).points")
            case .coupon(let template):
                if template.isEmpty {
                    throw PricingInputError(field: "\(path).couponTemplateId", message: "must not be empty")
                }
            }
        case .lottery(let rule):
            try nonNegative(rule.minOrderFen, "\(path).minOrderFen")
            for (index, prize) in rule.prizes.enumerated() {
                try nonNegative(prize.quantity, "\(path).prizes[\(index)].quantity")
                try nonNegative(prize.weight, "\(path).prizes[\(index)].weight")
                try nonNegative(prize.costFen, "\(path).prizes[\(index)].costFen")
            }
        }
    }

    static func validate(coupons: [Coupon], campaigns: [Campaign]) throws(PricingInputError) {
        let campaignIds = Set(campaigns.map(\.campaignId))
        var seen = Set<String>()
        for (index, coupon) in coupons.enumerated() {
            let path = "coupons[\(index)]"
            if coupon.code.isEmpty { throw PricingInputError(field: "\(path).code", message: "must not be empty") }
            if !seen.insert(coupon.code).inserted {
                throw PricingInputError(field: "\(path).code", message: "duplicate coupon code \(coupon.code)")
            }
            switch coupon.discount {
            case .amount(let value, let threshold):
                try positive(value, "\(path).discount.valueFen")
                try nonNegative(threshold, "\(path).discount.thresholdFen")
            case .percent(let bp, let threshold, let cap):
                try percent(bp, "\(path).discount.percentBp")
                try nonNegative(threshold, "\(path).discount.thresholdFen")
                if let cap { try positive(cap, "\(path).discount.maxDiscountFen") }
            }
            if coupon.validUntil < coupon.validFrom {
                throw PricingInputError(field: "\(path).validUntil", message: "must not be before validFrom")
            }
            if let campaignId = coupon.campaignId, !campaignIds.contains(campaignId) {
                throw PricingInputError(field: "\(path).campaignId", message: "unknown campaign \(campaignId)")
            }
        }
    }

    static func nonNegative(_ value: Int, _ field: String) throws(PricingInputError) {
        if value < 0 { throw PricingInputError(field: field, message: "must not be negative (got \(value))") }
    }

    static func positive(_ value: Int, _ field: String) throws(PricingInputError) {
        if value <= 0 { throw PricingInputError(field: field, message: "must be positive (got \(value))") }
    }

    static func percent(_ value: Int, _ field: String) throws(PricingInputError) {
        if value <= 0 || value > BasisPoints.whole {
            throw PricingInputError(field: field, message: "must be between 1 and 10000 basis points (got \(value))")
        }
    }
}
