/// A quote as an order keeps it: everything a refund needs, as JSON, and back.
///
/// `json` is what a channel shows; the record adds how each adjustment fell on the units (its spread), which
/// budget it drew on, the units' cost, and which lines each rebate was earned on, so that refunds of an order
/// placed long ago are computed from what was charged then, exactly, and an auditor can recompute them.
/// Rejections and hints are explanation, not money: they are not kept.
extension Quote {
    public var record: JSONValue {
        var members: [String: JSONValue] = [
            "lines": .array(lines.map(\.record)), "gifts": .array(gifts.map(\.record)),
            "subtotalFen": .int(Int64(subtotalFen)), "discountFen": .int(Int64(discountFen)),
            "totalFen": .int(Int64(totalFen)), "pointsRedeemed": .int(Int64(pointsRedeemed)),
            "pointsDeductionFen": .int(Int64(pointsDeductionFen)), "pointsToEarn": .int(Int64(pointsToEarn)),
            "applied": .array(
                applied.map {
                    .object([
                        "origin": $0.origin.record, "amountFen": .int(Int64($0.amountFen)),
                        "baseFen": .int(Int64($0.baseFen)),
                    ])
                }),
            "rebates": .array(rebates.map(\.record)),
            "budgetCharges": .array(
                budgetCharges.map { charge in
                    .object(
                        ["campaignId": .string(charge.campaignId)].merging(
                            SubBudget.allCases.map { ("\($0.rawValue)Fen", JSONValue.int(Int64(charge[$0]))) }
                        ) { a, _ in a })
                }),
            "rebateScopes": .array(
                rebateScopes.map {
                    .object([
                        "campaignId": .string($0.campaignId), "points": .int(Int64($0.points)),
                        "couponValueFen": .int(Int64($0.couponValueFen)),
                        "lineIndices": .array($0.lineIndices.map { .int(Int64($0)) }),
                    ])
                }),
        ]
        if let shipping {
            members["shipping"] = .object([
                "feeFen": .int(Int64(shipping.feeFen)), "netFen": .int(Int64(shipping.netFen)),
                "adjustments": .array(shipping.adjustments.map(\.record)),
            ])
        }
        return .object(members)
    }

    /// The quote a record was made from (rejections and hints left out).
    public init(record: JSONValue) throws(PricingInputError) {
        let reader = RecordReader(record, path: "(record)")
        do {
            self.init(
                lines: try reader.list("lines") { try QuoteLine(record: $0) },
                gifts: try reader.list("gifts") { try QuoteLine(record: $0) },
                subtotalFen: try reader.int("subtotalFen"), discountFen: try reader.int("discountFen"),
                totalFen: try reader.int("totalFen"), pointsRedeemed: try reader.int("pointsRedeemed"),
                pointsDeductionFen: try reader.int("pointsDeductionFen"), pointsToEarn: try reader.int("pointsToEarn"),
                applied: try reader.list("applied") { entry in
                    AppliedPromotion(
                        origin: try AdjustmentOrigin(record: try entry.value("origin")),
                        amountFen: try entry.int("amountFen"), baseFen: try entry.int("baseFen"))
                },
                campaignIds: [], campaignRejections: [], couponRejections: [],
                rebates: try reader.list("rebates") { try Rebate(record: $0) },
                budgetCharges: try reader.list("budgetCharges") { entry in
                    var charge = BudgetCharge(campaignId: try entry.string("campaignId"))
                    for sub in SubBudget.allCases { charge[sub] = try entry.int("\(sub.rawValue)Fen") }
                    return charge
                },
                rebateScopes: try reader.list("rebateScopes") { entry in
                    RebateScope(
                        campaignId: try entry.string("campaignId"), points: try entry.int("points"),
                        couponValueFen: try entry.int("couponValueFen"),
                        lineIndices: try entry.list("lineIndices") { try $0.intValue() })
                },
                hints: [],
                shipping: try reader.optional("shipping").map { shipping in
                    ShippingLine(
                        feeFen: try shipping.int("feeFen"),
                        adjustments: try shipping.list("adjustments") { try Adjustment(record: $0) },
                        netFen: try shipping.int("netFen"))
                })
        } catch let error as PricingInputError {
            throw error
        } catch {
            throw PricingInputError(field: "(record)", message: "could not be read")
        }
    }
}

extension QuoteLine {
    var record: JSONValue {
        var members: [String: JSONValue] = [
            "sku": .string(sku), "quantity": .int(Int64(quantity)), "unitPriceFen": .int(Int64(unitPriceFen)),
            "listFen": .int(Int64(listFen)), "netFen": .int(Int64(netFen)), "unitCostFen": .int(Int64(unitCostFen)),
            "adjustments": .array(adjustments.map(\.record)),
        ]
        if let giftCampaignId { members["giftCampaignId"] = .string(giftCampaignId) }
        return .object(members)
    }

    init(record: RecordReader) throws(PricingInputError) {
        let adjustments = try record.list("adjustments") { try Adjustment(record: $0) }
        self.init(
            sku: try record.string("sku"), quantity: try record.int("quantity"),
            unitPriceFen: try record.int("unitPriceFen"), listFen: try record.int("listFen"),
            adjustments: LineAdjustments(adjustments.map { LoggedAdjustment(line: 0, adjustment: $0) }[...]),
            netFen: try record.int("netFen"), giftCampaignId: try record.optional("giftCampaignId")?.stringValue(),
            unitCostFen: try record.int("unitCostFen"))
    }
}

extension Adjustment {
    var record: JSONValue {
        var members: [String: JSONValue] = ["origin": origin.record, "amountFen": .int(Int64(amountFen))]
        switch spread {
        case .range(let start, let count):
            members["spread"] = ["range": ["start": .int(Int64(start)), "count": .int(Int64(count))]]
        case .proportional:
            members["spread"] = "proportional"
        case .proportionalFirst(let count):
            members["spread"] = ["proportionalFirst": .int(Int64(count))]
        }
        if let subBudget { members["subBudget"] = .string(subBudget.rawValue) }
        if let perUnitFen { members["perUnitFen"] = .int(Int64(perUnitFen)) }
        return .object(members)
    }

    init(record: RecordReader) throws(PricingInputError) {
        let spread: UnitSpread
        let spreadRecord = try record.value("spread")
        if spreadRecord.raw == "proportional" {
            spread = .proportional
        } else if let range = try spreadRecord.optional("range") {
            spread = .range(start: try range.int("start"), count: try range.int("count"))
        } else if let first = try spreadRecord.optional("proportionalFirst") {
            spread = .proportionalFirst(count: try first.intValue())
        } else {
            throw PricingInputError(field: spreadRecord.path, message: "is not a spread")
        }
        var subBudget: SubBudget?
        if let name = try record.optional("subBudget") {
            guard let parsed = SubBudget(rawValue: try name.stringValue()) else {
                throw PricingInputError(field: name.path, message: "is not a sub-budget")
            }
            subBudget = parsed
        }
        self.init(
            origin: try AdjustmentOrigin(record: try record.value("origin")), amountFen: try record.int("amountFen"),
            spread: spread, subBudget: subBudget, perUnitFen: try record.optional("perUnitFen")?.intValue())
    }
}

extension AdjustmentOrigin {
    var record: JSONValue {
        var members: [String: JSONValue] = ["kind": .string(kind)]
        switch source {
        case .campaign(let id): members["campaignId"] = .string(id)
        case .coupon(let code): members["couponCode"] = .string(code)
        case .points: members["points"] = true
        }
        if let budgetCampaignId { members["budgetCampaignId"] = .string(budgetCampaignId) }
        return .object(members)
    }

    convenience init(record: RecordReader) throws(PricingInputError) {
        let source: AdjustmentSource
        if let id = try record.optional("campaignId") {
            source = .campaign(try id.stringValue())
        } else if let code = try record.optional("couponCode") {
            source = .coupon(try code.stringValue())
        } else {
            source = .points
        }
        self.init(
            source: source, kind: try record.string("kind"),
            budgetCampaignId: try record.optional("budgetCampaignId")?.stringValue())
    }
}

extension Rebate {
    var record: JSONValue {
        switch reward {
        case .points(let points): .object(["campaignId": .string(campaignId), "points": .int(Int64(points))])
        case .coupon(let template): .object(["campaignId": .string(campaignId), "couponTemplateId": .string(template)])
        }
    }

    init(record: RecordReader) throws(PricingInputError) {
        let campaignId = try record.string("campaignId")
        if let points = try record.optional("points") {
            self.init(campaignId: campaignId, reward: .points(try points.intValue()))
        } else {
            self.init(campaignId: campaignId, reward: .coupon(templateId: try record.string("couponTemplateId")))
        }
    }
}

/// Reads a record's JSON, errors naming the path.
struct RecordReader {
    let raw: JSONValue
    let path: String

    init(_ raw: JSONValue, path: String) {
        self.raw = raw
        self.path = path
    }

    func optional(_ key: String) throws(PricingInputError) -> RecordReader? {
        guard case .object(let members) = raw else { throw PricingInputError(field: path, message: "is not an object") }
        guard let value = members[key], value != .null else { return nil }
        return RecordReader(value, path: "\(path).\(key)")
    }

    func value(_ key: String) throws(PricingInputError) -> RecordReader {
        guard let value = try optional(key) else {
            throw PricingInputError(field: "\(path).\(key)", message: "is missing")
        }
        return value
    }

    func int(_ key: String) throws(PricingInputError) -> Int { try value(key).intValue() }
    func string(_ key: String) throws(PricingInputError) -> String { try value(key).stringValue() }

    /// Each element of an array, read by `make`.
    func list<T>(_ key: String, _ make: (RecordReader) throws -> T) throws(PricingInputError) -> [T] {
        var result: [T] = []
        for item in try array(key) {
            do {
                result.append(try make(item))
            } catch let error as PricingInputError {
                throw error
            } catch {
                throw PricingInputError(field: item.path, message: "could not be read")
            }
        }
        return result
    }

    func array(_ key: String) throws(PricingInputError) -> [RecordReader] {
        let list = try value(key)
        guard case .array(let items) = list.raw else {
            throw PricingInputError(field: list.path, message: "is not an array")
        }
        return items.enumerated().map { RecordReader($0.element, path: "\(list.path)[\($0.offset)]") }
    }

    func intValue() throws(PricingInputError) -> Int {
        guard case .int(let number) = raw, let value = Int(exactly: number) else {
            throw PricingInputError(field: path, message: "is not an integer")
        }
        return value
    }

    func stringValue() throws(PricingInputError) -> String {
        guard case .string(let text) = raw else { throw PricingInputError(field: path, message: "is not a string") }
        return text
    }
}
