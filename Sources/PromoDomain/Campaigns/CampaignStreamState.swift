import Foundation
import HashTreeCollections

/// A campaign's stream (`campaign-{campaignId}`) folded: its current definition and lifecycle status.
public struct CampaignStreamState: EventSourced, Equatable {
    /// The definition as last created or adjusted; nil before creation.
    public private(set) var definition: JSONValue?
    public private(set) var status: CampaignStatus = .draft
    /// How many definitions the campaign has had (1 after creation, +1 per adjustment).
    public private(set) var definitionCount = 0
    /// What orders consumed, in all.
    public private(set) var consumed = Consumption()
    /// Costs outside orders, per kind (`ads`, `print`, `push`, `other`).
    public private(set) var expensesFen: [String: Int64] = [:]

    /// What orders have used of a campaign: its sub-budgets, its flash units, and who ordered when.
    public struct Consumption: Sendable, Equatable {
        public var discountFen: Int64 = 0
        public var giftCostFen: Int64 = 0
        public var couponSubsidyFen: Int64 = 0
        public var pointsCostFen: Int64 = 0
        public var flashUnits = 0
        public var orders = 0
        /// Orders per customer, per customer and day (`customerId` + "|" + day), flash units per customer.
        ///
        /// Persistent hash tries: a popular campaign's counters hold every buyer, and the states a batch of orders
        /// decides on are copies of the kept one; a change to a copy costs O(log n), not a copy of every buyer.
        public var ordersByCustomer: TreeDictionary<String, Int> = [:]
        public var ordersByCustomerDay: TreeDictionary<String, Int> = [:]
        public var flashUnitsByCustomer: TreeDictionary<String, Int> = [:]

        public init() {}

        public var totalFen: Int64 { discountFen + giftCostFen + couponSubsidyFen + pointsCostFen }

        /// One customer's orders with the campaign, in all and on `day`, and the flash units they bought.
        public func orders(of customerId: String) -> Int? { ordersByCustomer[customerId] }
        public func orders(of customerId: String, on day: String) -> Int? {
            ordersByCustomerDay["\(customerId)|\(day)"]
        }
        public func flashUnits(of customerId: String) -> Int? { flashUnitsByCustomer[customerId] }

        /// An order's use counted (`sign` +1) or given back (−1): `money` per sub-budget (discount, gift cost,
        /// coupon subsidy, points cost), its flash units, and, with a customer, the order itself for usage limits.
        mutating func count(_ sign: Int64, customerId: String?, day: String, money: [Int64], flashUnits: Int) {
            discountFen += sign * money[0]
            giftCostFen += sign * money[1]
            couponSubsidyFen += sign * money[2]
            pointsCostFen += sign * money[3]
            let units = Int(sign) * flashUnits
            self.flashUnits += units
            guard let customerId else { return }
            orders += Int(sign)
            ordersByCustomer[customerId, default: 0] += Int(sign)
            ordersByCustomerDay["\(customerId)|\(day)", default: 0] += Int(sign)
            if units != 0 { flashUnitsByCustomer[customerId, default: 0] += units }
        }
    }

    public init() {}

    /// The events that change a campaign's definition or status (the others count what orders consumed).
    public static let definitionEventTypes: Set<String> = [
        CampaignCreated.eventType, CampaignAdjusted.eventType, CampaignStatusChanged.eventType,
    ]

    public var exists: Bool { definition != nil }

    public mutating func evolve(type: String, payload: JSONValue) throws {
        switch type {
        case CampaignCreated.eventType:
            definition = try payload.decode(as: CampaignCreated.self).definition
            status = .draft
            definitionCount = 1
        case CampaignAdjusted.eventType:
            definition = try payload.decode(as: CampaignAdjusted.self).definition
            definitionCount += 1
        case CampaignStatusChanged.eventType:
            let change = try payload.decode(as: CampaignStatusChanged.self)
            status = CampaignStatus(rawValue: change.to) ?? status
        case CampaignBudgetConsumed.eventType:
            let use = try payload.decode(as: CampaignBudgetConsumed.self)
            consumed.count(
                +1, customerId: use.customerId, day: use.day,
                money: [
                    use.discountFen, use.giftCostFen, use.couponSubsidyFen, use.pointsCostFen,
                ], flashUnits: use.flashUnits)
        case CampaignBudgetReleased.eventType:
            let back = try payload.decode(as: CampaignBudgetReleased.self)
            consumed.count(
                -1, customerId: back.customerId, day: back.day,
                money: [
                    back.discountFen, back.giftCostFen, back.couponSubsidyFen, back.pointsCostFen,
                ], flashUnits: back.flashUnits)
        case CampaignBudgetRefunded.eventType:
            // Money only: the order still counts as the customer's use.
            let back = try payload.decode(as: CampaignBudgetRefunded.self)
            consumed.count(
                -1, customerId: nil, day: "",
                money: [
                    back.discountFen, back.giftCostFen, back.couponSubsidyFen, back.pointsCostFen,
                ], flashUnits: 0)
        case CampaignExpenseRecorded.eventType:
            let expense = try payload.decode(as: CampaignExpenseRecorded.self)
            expensesFen[expense.kind, default: 0] += expense.amountFen
        default:
            break
        }
    }

    /// Creating: only a campaign id not used before.
    public func decide(create definition: CampaignDefinition) throws(CampaignCommandError) -> [CampaignCreated] {
        if exists { throw .exists(campaignId: definition.campaign.campaignId) }
        return [CampaignCreated(campaignId: definition.campaign.campaignId, definition: definition.json)]
    }

    /// Adjusting: any campaign not ended; the definition after the change, or nothing when nothing changed.
    public func decide(adjust definition: CampaignDefinition) throws(CampaignCommandError) -> [CampaignAdjusted] {
        guard case .object(let current)? = self.definition else {
            throw .notFound(campaignId: definition.campaign.campaignId)
        }
        if status == .ended { throw .ended(campaignId: definition.campaign.campaignId) }
        guard case .object(let next) = definition.json, next != current else { return [] }
        let changed = Set(current.keys).union(next.keys).filter { current[$0] != next[$0] }.sorted()
        return [
            CampaignAdjusted(campaignId: definition.campaign.campaignId, definition: definition.json, changed: changed)
        ]
    }

    /// A lifecycle step. Asking for the status the campaign already has changes nothing (a retried activate
    /// is not an error); any other step not allowed from the current status is refused. Activating a draft whose
    /// window has not opened at `now` schedules it (the scheduler activates it when it opens); one whose window
    /// has closed is refused.
    public func decide(_ transition: CampaignTransition, campaignId: String, now: Date = Date())
        throws(CampaignCommandError) -> [CampaignStatusChanged]
    {
        guard exists else { throw .notFound(campaignId: campaignId) }
        var target = transition.target
        if transition == .activate, status == .draft || status == .scheduled, let window {
            if now >= window.end { throw .windowClosed(campaignId: campaignId) }
            if now < window.start { target = .scheduled }
        }
        if transition == .activate && status == .scheduled {
            return target == .active ? [CampaignStatusChanged(campaignId: campaignId, from: status, to: .active)] : []
        }
        if status == target { return [] }
        guard transition.allowedFrom.contains(status) else {
            throw .invalidTransition(campaignId: campaignId, from: status, transition: transition)
        }
        return [CampaignStatusChanged(campaignId: campaignId, from: status, to: target)]
    }

    /// What time does to the campaign at `now`: a scheduled one goes live when its window opens, and a
    /// scheduled, active or paused one ends when it closes. Nothing when neither edge has passed, so running it
    /// again (or from two places) changes nothing.
    public func decideClock(campaignId: String, now: Date) -> [CampaignStatusChanged] {
        guard let window, [.scheduled, .active, .paused].contains(status) else { return [] }
        if now >= window.end { return [CampaignStatusChanged(campaignId: campaignId, from: status, to: .ended)] }
        if status == .scheduled && now >= window.start {
            return [CampaignStatusChanged(campaignId: campaignId, from: status, to: .active)]
        }
        return []
    }

    /// The window of the current definition.
    public var window: CampaignWindow? {
        guard let start = definition?["window"]?["start"]?.stringValue.flatMap(ScenarioDecoding.date),
            let end = definition?["window"]?["end"]?.stringValue.flatMap(ScenarioDecoding.date)
        else { return nil }
        return CampaignWindow(start: start, end: end)
    }

    /// Recording an expense: any campaign that exists, ended ones included (bills arrive late).
    public func decide(expense: CampaignExpenseRecorded) throws(CampaignCommandError) -> [CampaignExpenseRecorded] {
        guard exists else { throw .notFound(campaignId: expense.campaignId) }
        return [expense]
    }

    /// A definition adjusted by a PATCH body: each key given replaces the whole value of that key; the id and
    /// the kind cannot change.
    public func adjusted(by patch: [String: JSONValue]) throws(PricingInputError) -> JSONValue {
        guard case .object(var members)? = definition else {
            throw PricingInputError(field: "(root)", message: "no such campaign")
        }
        for key in patch.keys.sorted() {
            if key == "campaignId" || key == "kind" {
                if patch[key] != members[key] {
                    throw PricingInputError(
                        field: key, message: "cannot change; create a new campaign (and end this one) instead")
                }
                continue
            }
            members[key] = patch[key]
        }
        return .object(members)
    }
}

/// The lifecycle steps of API.md: activate (a draft; scheduled when its window is still ahead), pause (an active
/// campaign), resume (a paused one), end (an active or paused one; for good), and cancel (a draft or a scheduled
/// one that will never run).
public enum CampaignTransition: String, Sendable, CaseIterable {
    case activate, pause, resume, end, cancel

    public var target: CampaignStatus {
        switch self {
        case .activate, .resume: .active
        case .pause: .paused
        case .end: .ended
        case .cancel: .cancelled
        }
    }

    public var allowedFrom: Set<CampaignStatus> {
        switch self {
        case .activate: [.draft]
        case .pause: [.active]
        case .resume: [.paused]
        case .end: [.active, .paused]
        case .cancel: [.draft, .scheduled]
        }
    }
}

/// A campaign command the campaign's state refuses.
public enum CampaignCommandError: Error, Sendable, Equatable {
    case exists(campaignId: String)
    case notFound(campaignId: String)
    case ended(campaignId: String)
    case invalidTransition(campaignId: String, from: CampaignStatus, transition: CampaignTransition)
    case windowClosed(campaignId: String)
}
