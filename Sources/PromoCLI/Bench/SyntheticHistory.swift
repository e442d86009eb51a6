import EventStore
import Foundation
import PromoDomain

/// Generated history for the projection benchmark and the read models' rebuild tests.
///
/// A seeded history of any size: campaigns with budgets (some adjusted), stock received and safety
/// levels, then orders that reserve stock and consume budgets; some cancelled, most shipped, some partly
/// refunded (restocked or written off). Appended in chunks, each one multi-stream append.
public struct SyntheticHistory: Sendable {
    var random: SplitMix64
    var pending: [String: [NewEvent]] = [:]
    /// Events generated so far.
    public private(set) var count = 0
    let skus = (1...40).map { "SKU-\($0)" }
    let locations = ["online", "store-cd-01", "store-cq-02"]
    let campaigns = (1...8).map { "c-\($0)" }

    mutating func add(_ stream: String, _ event: NewEvent) {
        pending[stream, default: []].append(event)
        count += 1
    }

    mutating func add<E: DomainEvent>(_ stream: String, _ event: E) throws { add(stream, try NewEvent(event)) }

    mutating func use(
        _ type: String, campaign: String, order: String, discount: Int64, gift: Int64, refund: String?
    ) {
        var payload: [String: JSONValue] = [
            "campaignId": .string(campaign), "orderId": .string(order), "discountFen": .int(discount),
            "giftCostFen": .int(gift), "couponSubsidyFen": 0, "pointsCostFen": 0,
        ]
        if let refund {
            payload["refundId"] = .string(refund)
        } else {
            payload["customerId"] = "u-1"
            payload["day"] = "2026-11-11"
            payload["flashUnits"] = 0
        }
        add("campaign-\(campaign)", NewEvent(type: type, payload: .object(payload)))
    }

    func definition(_ campaign: String, discount: Int64) -> JSONValue {
        [
            "campaignId": .string(campaign),
            "budget": ["totalFen": .int(discount * 2), "discountFen": .int(discount)],
        ]
    }

    mutating func flush(_ store: PostgresEventStore) async throws -> Int64 {
        guard !pending.isEmpty else { return 0 }
        let appends = try pending.sorted { $0.key < $1.key }.map {
            StreamAppend(try StreamID($0.key), expectedVersion: .any, events: $0.value)
        }
        pending = [:]
        return try await store.append(appends).lastPosition
    }

    public init(seed: UInt64 = 20_261_123) { random = SplitMix64(seed: seed) }

    /// Appends at least `target` events; `progress` hears the count after each chunk. Returns the last position.
    public mutating func append(
        to store: PostgresEventStore, events target: Int, progress: ((Int) -> Void)? = nil
    ) async throws -> Int64 {
        var last: Int64 = 0
        for campaign in campaigns {
            try add(
                "campaign-\(campaign)",
                CampaignCreated(campaignId: campaign, definition: definition(campaign, discount: 5_000_000)))
        }
        for sku in skus {
            for location in locations {
                try add("stock-\(sku)@\(location)", StockReceived(sku: sku, location: location, quantity: 100_000))
                try add("stock-\(sku)@\(location)", SafetyStockSet(sku: sku, location: location, quantity: 50))
            }
        }
        last = try await flush(store)
        var order = 0
        while count < target {
            for _ in 0..<40 {
                order += 1
                let id = "o-\(order)"
                let sku = skus[Int(random.next() % UInt64(skus.count))]
                let location = locations[Int(random.next() % UInt64(locations.count))]
                let campaign = campaigns[Int(random.next() % UInt64(campaigns.count))]
                let stock = "stock-\(sku)@\(location)"
                let units = Int(random.next() % 5) + 1
                let discount = Int64(random.next() % 3_000) + 100
                let gift = random.next() % 4 == 0 ? Int64(800) : 0
                try add(stock, StockReserved(sku: sku, location: location, quantity: units, orderId: id))
                let channel = location == "online" ? "online" : "store"
                add(
                    "order-\(id)",
                    NewEvent(
                        type: OrderPlaced.eventType, schemaVersion: OrderPlaced.schemaVersion,
                        payload: [
                            "orderId": .string(id), "customerId": .string("u-\(random.next() % 500)"),
                            "channel": .string(channel), "storeId": .string(channel == "online" ? "mall" : location),
                            "day": .string("2026-11-\(10 + order % 3)"),
                            "totalFen": .int(Int64(units) * 3_990 - discount),
                            "campaigns": [
                                [
                                    "campaignId": .string(campaign), "discountFen": .int(discount),
                                    "giftCostFen": .int(gift),
                                ]
                            ],
                        ]))
                use(
                    CampaignBudgetConsumed.eventType, campaign: campaign, order: id, discount: discount, gift: gift,
                    refund: nil)
                if order % 50 == 0 {
                    try add(
                        "campaign-\(campaign)",
                        CampaignBudgetThresholdCrossed(
                            campaignId: campaign, orderId: id, budget: "discountFen", thresholdBp: 8_000,
                            consumedFen: 4_000_000, limitFen: 5_000_000))
                }
                switch random.next() % 100 {
                case 0..<10:  // cancelled before shipping
                    try add("order-\(id)", OrderCancelled(orderId: id, reason: "changed my mind"))
                    try add(stock, StockReleased(sku: sku, location: location, quantity: units, orderId: id))
                    use(
                        CampaignBudgetReleased.eventType, campaign: campaign, order: id, discount: discount,
                        gift: gift, refund: nil)
                case 10..<18:  // shipped, one unit refunded: restocked or written off
                    try add(stock, StockIssued(sku: sku, location: location, quantity: units, orderId: id))
                    if random.next() % 2 == 0 {
                        try add(stock, StockReturned(sku: sku, location: location, quantity: 1, orderId: id))
                    } else {
                        try add(stock, StockAdjusted(sku: sku, location: location, delta: -1, reason: "thawed"))
                    }
                    use(
                        CampaignBudgetRefunded.eventType, campaign: campaign, order: id, discount: discount / 2,
                        gift: 0, refund: "r-\(id)")
                    add(
                        "order-\(id)",
                        NewEvent(
                            type: OrderRefunded.eventType, schemaVersion: OrderRefunded.schemaVersion,
                            payload: [
                                "orderId": .string(id), "refundId": .string("r-\(id)"), "refundFen": 3_990,
                                "lines": [], "gifts": [], "pointsReturned": 0, "pointsClawedBack": 0,
                            ]))
                case 18..<20:  // the campaign's budget changes
                    try add(
                        "campaign-\(campaign)",
                        CampaignAdjusted(
                            campaignId: campaign,
                            definition: definition(
                                campaign, discount: 4_000_000 + Int64(random.next() % 2_000_000)),
                            changed: ["budget"]))
                default:
                    try add(stock, StockIssued(sku: sku, location: location, quantity: units, orderId: id))
                }
            }
            last = max(last, try await flush(store))
            progress?(count)
        }
        return last
    }
}
