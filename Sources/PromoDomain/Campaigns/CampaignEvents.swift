/// A campaign was created, as a draft (`campaign-{campaignId}`): its definition is API.md's campaign body as
/// marketing sent it, in canonical JSON. It prices nothing until activated.
public struct CampaignCreated: DomainEvent {
    public static let eventType = "CampaignCreated"

    public var campaignId: String
    public var definition: JSONValue

    public init(campaignId: String, definition: JSONValue) {
        self.campaignId = campaignId
        self.definition = definition
    }

    public static let sample = CampaignCreated(
        campaignId: "c-1111",
        definition: [
            "campaignId": "c-1111", "name": "双十一火锅节", "kind": "spend_reduction",
            "window": ["start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"],
            "rules": ["tiers": [["thresholdFen": 10000, "reductionFen": 2000]]],
        ])
}

/// A campaign's definition was adjusted (`PATCH /v1/campaigns/{id}`): the whole definition after the change,
/// and the top-level keys that changed.
public struct CampaignAdjusted: DomainEvent {
    public static let eventType = "CampaignAdjusted"

    public var campaignId: String
    public var definition: JSONValue
    public var changed: [String]

    public init(campaignId: String, definition: JSONValue, changed: [String]) {
        self.campaignId = campaignId
        self.definition = definition
        self.changed = changed
    }

    public static let sample = CampaignAdjusted(
        campaignId: "c-1111",
        definition: [
            "campaignId": "c-1111", "name": "双十一火锅节", "kind": "spend_reduction",
            "window": ["start": "2026-11-10T00:00:00+08:00", "end": "2026-11-12T00:00:00+08:00"],
            "rules": ["tiers": [["thresholdFen": 10000, "reductionFen": 2500]]],
        ],
        changed: ["rules"])
}

/// A campaign moved in its lifecycle: activated, paused, resumed or ended.
public struct CampaignStatusChanged: DomainEvent {
    public static let eventType = "CampaignStatusChanged"

    public var campaignId: String
    /// `draft`, `active`, `paused` or `ended`.
    public var from: String
    public var to: String

    public init(campaignId: String, from: CampaignStatus, to: CampaignStatus) {
        self.campaignId = campaignId
        self.from = from.rawValue
        self.to = to.rawValue
    }

    public static let sample = CampaignStatusChanged(campaignId: "c-1111", from: .draft, to: .active)
}

/// An order used the campaign: what it charged each sub-budget, the flash-sale units it sold, and whose order
/// it was on which day (Asia/Shanghai), for usage limits. Appended with the order, in the same append, so a
/// budget is never spent twice.
public struct CampaignBudgetConsumed: DomainEvent {
    public static let eventType = "CampaignBudgetConsumed"

    public var campaignId: String
    public var orderId: String
    public var customerId: String
    /// `yyyy-MM-dd` in Asia/Shanghai.
    public var day: String
    public var discountFen: Int64
    public var giftCostFen: Int64
    public var couponSubsidyFen: Int64
    public var pointsCostFen: Int64
    public var flashUnits: Int

    public init(
        campaignId: String, orderId: String, customerId: String, day: String, discountFen: Int64 = 0,
        giftCostFen: Int64 = 0, couponSubsidyFen: Int64 = 0, pointsCostFen: Int64 = 0, flashUnits: Int = 0
    ) {
        self.campaignId = campaignId
        self.orderId = orderId
        self.customerId = customerId
        self.day = day
        self.discountFen = discountFen
        self.giftCostFen = giftCostFen
        self.couponSubsidyFen = couponSubsidyFen
        self.pointsCostFen = pointsCostFen
        self.flashUnits = flashUnits
    }

    public static let sample = CampaignBudgetConsumed(
        campaignId: "c-1111", orderId: "o-20261111-0001", customerId: "u-1001", day: "2026-11-11",
        discountFen: 2000)
}

/// A cancelled order gave back what it had consumed of the campaign: budgets, flash units and the usage it
/// counted for its customer on its day.
public struct CampaignBudgetReleased: DomainEvent {
    public static let eventType = "CampaignBudgetReleased"

    public var campaignId: String
    public var orderId: String
    public var customerId: String
    /// The day the order counted on (Asia/Shanghai).
    public var day: String
    public var discountFen: Int64
    public var giftCostFen: Int64
    public var couponSubsidyFen: Int64
    public var pointsCostFen: Int64
    public var flashUnits: Int

    public init(_ use: OrderPlaced.CampaignUse, orderId: String, customerId: String, day: String) {
        self.campaignId = use.campaignId
        self.orderId = orderId
        self.customerId = customerId
        self.day = day
        self.discountFen = use.discountFen
        self.giftCostFen = use.giftCostFen
        self.couponSubsidyFen = use.couponSubsidyFen
        self.pointsCostFen = use.pointsCostFen
        self.flashUnits = use.flashUnits
    }

    public static let sample = CampaignBudgetReleased(
        OrderPlaced.sample.campaigns[0], orderId: "o-20261111-0001", customerId: "u-1001", day: "2026-11-11")
}

/// An order took a campaign's budget across one of its alert thresholds (`alerts.budgetThresholds`): recorded in
/// the same append as that order's consumption.
public struct CampaignBudgetThresholdCrossed: DomainEvent {
    public static let eventType = "CampaignBudgetThresholdCrossed"

    public var campaignId: String
    public var orderId: String
    /// `totalFen`, `discountFen`, `giftCostFen`, `couponSubsidyFen` or `pointsCostFen`: the limit crossed.
    public var budget: String
    /// The threshold, in basis points of the limit (8 000 = 80 %).
    public var thresholdBp: Int
    public var consumedFen: Int64
    public var limitFen: Int64

    public init(
        campaignId: String, orderId: String, budget: String, thresholdBp: Int, consumedFen: Int64, limitFen: Int64
    ) {
        self.campaignId = campaignId
        self.orderId = orderId
        self.budget = budget
        self.thresholdBp = thresholdBp
        self.consumedFen = consumedFen
        self.limitFen = limitFen
    }

    public static let sample = CampaignBudgetThresholdCrossed(
        campaignId: "c-1111", orderId: "o-20261111-0001", budget: "discountFen", thresholdBp: 8000,
        consumedFen: 3_200_000, limitFen: 4_000_000)

    /// The thresholds a consumption takes each limited budget across: every `threshold × limit` with
    /// `before < threshold × limit ≤ after`, in budget order then ascending.
    public static func crossed(
        by use: CampaignBudgetConsumed, before: CampaignStreamState.Consumption, limits: BudgetAmounts?,
        thresholdsBp: [Int]
    ) -> [CampaignBudgetThresholdCrossed] {
        guard let limits, !thresholdsBp.isEmpty else { return [] }
        let moves: [(String, Fen?, Int64, Int64)] = [
            (
                "totalFen", limits.totalFen, before.totalFen,
                use.discountFen + use.giftCostFen + use.couponSubsidyFen + use.pointsCostFen
            ),
            ("discountFen", limits.discountFen, before.discountFen, use.discountFen),
            ("giftCostFen", limits.giftCostFen, before.giftCostFen, use.giftCostFen),
            ("couponSubsidyFen", limits.couponSubsidyFen, before.couponSubsidyFen, use.couponSubsidyFen),
            ("pointsCostFen", limits.pointsCostFen, before.pointsCostFen, use.pointsCostFen),
        ]
        var events: [CampaignBudgetThresholdCrossed] = []
        for (budget, limit, spent, added) in moves {
            guard let limit, limit > 0, added > 0 else { continue }
            let after = spent + added
            for bp in thresholdsBp.sorted() {
                // Compared in basis points of the limit, exactly: consumed × 10 000 against limit × bp.
                let mark = Int64(limit) * Int64(bp)
                if spent * 10_000 < mark && after * 10_000 >= mark {
                    events.append(
                        CampaignBudgetThresholdCrossed(
                            campaignId: use.campaignId, orderId: use.orderId, budget: budget, thresholdBp: bp,
                            consumedFen: after, limitFen: Int64(limit)))
                }
            }
        }
        return events
    }
}

/// A promotion cost outside orders (ads, print, push) charged to the campaign, for cost accounting.
public struct CampaignExpenseRecorded: DomainEvent {
    public static let eventType = "CampaignExpenseRecorded"

    /// The kinds of expense API.md names.
    public static let kinds: Set<String> = ["ads", "print", "push", "other"]

    public var campaignId: String
    /// `ads`, `print`, `push` or `other`.
    public var kind: String
    public var amountFen: Int64
    public var note: String

    public init(campaignId: String, kind: String, amountFen: Int64, note: String) {
        self.campaignId = campaignId
        self.kind = kind
        self.amountFen = amountFen
        self.note = note
    }

    public static let sample = CampaignExpenseRecorded(
        campaignId: "c-1111", kind: "ads", amountFen: 500_000, note: "抖音信息流 11/01–11/11")
}

/// Returned units gave back the budget they consumed (a refund): the order still counts as the customer's use.
public struct CampaignBudgetRefunded: DomainEvent {
    public static let eventType = "CampaignBudgetRefunded"

    public var campaignId: String
    public var orderId: String
    public var refundId: String
    public var discountFen: Int64
    public var giftCostFen: Int64
    public var couponSubsidyFen: Int64
    public var pointsCostFen: Int64

    public init(_ release: BudgetCharge, orderId: String, refundId: String) {
        self.campaignId = release.campaignId
        self.orderId = orderId
        self.refundId = refundId
        self.discountFen = Int64(release.discountFen)
        self.giftCostFen = Int64(release.giftCostFen)
        self.couponSubsidyFen = Int64(release.couponSubsidyFen)
        self.pointsCostFen = Int64(release.pointsCostFen)
    }

    public static let sample = CampaignBudgetRefunded(
        BudgetCharge(campaignId: "c-1111", discountFen: 666), orderId: "o-20261111-0001", refundId: "r-1")
}
